/**
 * Two servers on one DATA_DIR: the second stops with one line naming the folder and what to do (no dynalite
 * stack trace), and the first keeps its store, its lock and its data. The LevelDB lock is real: the second
 * server runs as its own process, as `npm start` does.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenDynalite, StoreInUseError } from '../../local/dynalite.js';
import { type LocalServer, startLocalServer } from '../../local/server.js';
import { ConfigError } from '../../shared/config/errors.js';
import { loadLocalConfig } from '../../shared/config/local.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';

let dataDir: string;
let first: LocalServer;
let token: string;
const env = () => ({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'signup-gate-lock-'));
  first = await startLocalServer(loadLocalConfig(env()), silentTelemetry, env());
  token = (JSON.parse(await readFile(join(dataDir, 'dev-secrets.json'), 'utf8')) as { api_token: string })
    .api_token;
});
afterAll(async () => {
  await first?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** `npm start`'s command (`node --import tsx bin/start.ts`) on the shared DATA_DIR; its exit code and output. */
const secondProcess = (): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // It got the store after all: stop it now rather than wait for the time-out.
      if (stdout.includes('listening on')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the second server did not stop:\n${stdout}${stderr}`));
    }, 45_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

const expectOneClearLine = (stderr: string): void => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toBe(
    `signup-gate: DATA_DIR ${dataDir} is in use by another signup-gate server (its embedded store is locked): stop that server, or start this one with another DATA_DIR`,
  );
  expect(stderr).not.toMatch(/dynalite|Database is closed|\bat /);
};

const screenAndRead = async (server: LocalServer, email: string): Promise<Verdict> => {
  const res = await fetch(`${server.url}/screen`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  expect(res.status).toBe(200);
  const verdict = (await res.json()) as Verdict;
  const again = await fetch(`${server.url}/verdicts/${verdict.verdict_id}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(again.status).toBe(200);
  return verdict;
};

describe('a second server on the same DATA_DIR', () => {
  it('in another process: exits 1 with one line naming the folder and what to do, no stack trace', async () => {
    const second = await secondProcess();
    expect(second.code).toBe(1);
    expect(second.stdout).not.toContain('listening');
    expectOneClearLine(second.stderr);
    // The first server is untouched: it still reads and writes its store.
    await screenAndRead(first, 'first+low@example.com');
  }, 60_000);

  it('in this process: refused before LevelDB is touched, so the first server keeps its lock', async () => {
    const attempt = startLocalServer(loadLocalConfig(env()), silentTelemetry, env());
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(`DATA_DIR ${dataDir} is in use`);
    await expect(listenDynalite({ path: join(dataDir, 'dynamodb') })).rejects.toBeInstanceOf(StoreInUseError);
    await screenAndRead(first, 'first-again+low@example.com');
    // A failed second open inside one process would have dropped the lock: another process is still refused.
    const other = await secondProcess();
    expect(other.code).toBe(1);
    expectOneClearLine(other.stderr);
  }, 60_000);

  it('once the first server stopped, the folder is free again and its data is there', async () => {
    const verdict = await screenAndRead(first, 'kept+medium@example.com');
    await first.close();
    const next = await startLocalServer(loadLocalConfig(env()), silentTelemetry, env());
    first = next;
    const res = await fetch(`${next.url}/verdicts/${verdict.verdict_id}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(verdict);
  }, 60_000);
});
