/** The local server as `npm start` runs it: start-up, persistence across restarts, bad config, clean shutdown. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer } from '../../local/server.js';
import { DEV_SECRETS_FILE } from '../../shared/config/dev-secrets.js';
import { loadLocalConfig } from '../../shared/config/local.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { PolicyError } from '../../shared/policy/schema.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'signup-gate-local-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const baseEnv = (dir: string, extra: Record<string, string> = {}) => ({
  HOST: '127.0.0.1',
  PORT: '0',
  DATA_DIR: dir,
  ...extra,
});

const screenEmail = async (url: string, token: string, email: string) => {
  const res = await fetch(`${url}/screen`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Verdict;
};

describe('startLocalServer', () => {
  it('serves /health and keeps verdicts and secrets across a restart on the same DATA_DIR', async () => {
    const dir = join(dataDir, 'restart');
    const env = { ...baseEnv(dir), POLICY_FILE: join(dir, 'policy.json') };
    await rm(dir, { recursive: true, force: true });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    await writeFile(env.POLICY_FILE, JSON.stringify({ version: 'restart-test' }));

    const first = await startLocalServer(loadLocalConfig(env), silentTelemetry, env);
    const health = await fetch(`${first.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(first.info.mode).toBe('sandbox');
    const secrets = JSON.parse(await readFile(join(dir, DEV_SECRETS_FILE), 'utf8')) as Record<string, string>;
    const verdict = await screenEmail(first.url, secrets.api_token!, 'keep.me+medium@example.com');
    expect(verdict.policy_version).toBe('restart-test');
    await first.close();

    const second = await startLocalServer(loadLocalConfig(env), silentTelemetry, env);
    try {
      const again = JSON.parse(await readFile(join(dir, DEV_SECRETS_FILE), 'utf8')) as Record<string, string>;
      expect(again).toEqual(secrets);
      const res = await fetch(`${second.url}/verdicts/${verdict.verdict_id}`, {
        headers: { Authorization: `Bearer ${secrets.api_token}` },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(verdict);
      const byEmail = await fetch(
        `${second.url}/verdicts?email=${encodeURIComponent('KEEP.ME+medium@example.com')}`,
        {
          headers: { Authorization: `Bearer ${secrets.api_token}` },
        },
      );
      expect(((await byEmail.json()) as { items: Verdict[] }).items.map((v) => v.verdict_id)).toEqual([
        verdict.verdict_id,
      ]);
    } finally {
      await second.close();
    }
  });

  it('keeps the generated secrets out of its start-up info', async () => {
    const dir = join(dataDir, 'info');
    const server = await startLocalServer(loadLocalConfig(baseEnv(dir)), silentTelemetry, {});
    try {
      const secrets = JSON.parse(await readFile(join(dir, DEV_SECRETS_FILE), 'utf8')) as Record<
        string,
        string
      >;
      const info = JSON.stringify(server.info);
      for (const value of Object.values(secrets)) expect(info).not.toContain(value);
      expect(server.info.secretsFile).toBe(join(dir, DEV_SECRETS_FILE));
    } finally {
      await server.close();
    }
  });

  it('refuses an invalid policy file, naming the field, and leaves nothing running', async () => {
    const dir = join(dataDir, 'bad-policy');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    const policyFile = join(dir, 'policy.json');
    await writeFile(policyFile, JSON.stringify({ thresholds: { email: { block: 'severe' } } }));
    const env = { ...baseEnv(dir), POLICY_FILE: policyFile };
    const attempt = startLocalServer(loadLocalConfig(env), silentTelemetry, env);
    await expect(attempt).rejects.toBeInstanceOf(PolicyError);
    await expect(attempt).rejects.toMatchObject({ field: 'thresholds.email.block' });
  });

  it('refuses a named policy file that does not exist', async () => {
    const dir = join(dataDir, 'no-policy');
    const env = { ...baseEnv(dir), POLICY_FILE: join(dir, 'nope.json') };
    const config = { ...loadLocalConfig(env), policyFileExplicit: true };
    await expect(startLocalServer(config, silentTelemetry, env)).rejects.toThrow(/POLICY_FILE/);
  });

  it('rejects a bad environment with a message naming the variable', () => {
    expect(() => loadLocalConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadLocalConfig({ DYNAMODB_ENDPOINT: 'not a url' })).toThrow(/DYNAMODB_ENDPOINT/);
    expect(loadLocalConfig({}).port).toBe(3000);
  });
});

const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');

/** Runs `bin/start.ts` like `npm start` does and collects its output. */
const runStart = (
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exit: Promise<number> } => {
  let out = '';
  const child = spawn(tsx, ['bin/start.ts'], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exit = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { child, output: () => out, exit };
};

const waitFor = async (check: () => boolean, ms = 30_000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('npm start (bin/start.ts as a process)', () => {
  it('prints where things are, never a secret, and shuts down cleanly on SIGTERM without losing data', async () => {
    const dir = join(dataDir, 'process');
    const run = runStart(baseEnv(dir));
    await waitFor(() => /listening on (http:\/\/\S+)/.test(run.output()));
    const url = /listening on (http:\/\/\S+)/.exec(run.output())![1]!;
    expect(run.output()).toContain('sandbox');
    expect(run.output()).toContain(join(dir, DEV_SECRETS_FILE));
    const secrets = JSON.parse(await readFile(join(dir, DEV_SECRETS_FILE), 'utf8')) as Record<string, string>;
    for (const value of Object.values(secrets)) expect(run.output()).not.toContain(value);
    const verdict = await screenEmail(url, secrets.api_token!, 'durable+high@example.com');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.output()).not.toContain('durable');

    const again = runStart(baseEnv(dir));
    await waitFor(() => /listening on (http:\/\/\S+)/.test(again.output()));
    const url2 = /listening on (http:\/\/\S+)/.exec(again.output())![1]!;
    const res = await fetch(`${url2}/verdicts/${verdict.verdict_id}`, {
      headers: { Authorization: `Bearer ${secrets.api_token}` },
    });
    expect(res.status).toBe(200);
    again.child.kill('SIGINT');
    expect(await again.exit).toBe(0);
  }, 90_000);

  it('stops with one clear line and a non-zero exit on an invalid policy file', async () => {
    const dir = join(dataDir, 'process-bad');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    const policyFile = join(dir, 'policy.json');
    await writeFile(policyFile, JSON.stringify({ on_error: { stripe: 'maybe' } }));
    const run = runStart({ ...baseEnv(dir), POLICY_FILE: policyFile });
    expect(await run.exit).not.toBe(0);
    const lines = run.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('on_error.stripe');
  }, 60_000);
});
