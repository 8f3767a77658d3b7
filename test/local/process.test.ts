/**
 * `npm start` exactly as a user runs it (npm → its shell → node): a SIGTERM to the npm process (`npm start &`
 * then `kill <pid>`) and a Ctrl-C (SIGINT to the whole foreground process group) both stop every process of
 * the tree, free the port, and close the store cleanly (its data is there on the next start).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer } from '../../local/server.js';
import { DEV_SECRETS_FILE } from '../../shared/config/dev-secrets.js';
import { loadLocalConfig } from '../../shared/config/local.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'signup-gate-process-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

interface Started {
  npm: ChildProcess;
  output: () => string;
  exited: Promise<void>;
  url: string;
  /** npm and every process under it, collected once the server listened. */
  tree: number[];
}

const running: ChildProcess[] = [];
afterEach(() => {
  // Safety net for a failed test: the detached group holds npm, its shell and the server, even re-parented.
  for (const child of running.splice(0)) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** npm and its descendants, from `ps` (works on Linux and macOS). */
const treeOf = (pid: number): number[] => {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const tree = [pid];
  for (let i = 0; i < tree.length; i += 1) {
    for (const [child, parent] of rows) if (parent === tree[i] && !tree.includes(child)) tree.push(child);
  }
  return tree;
};

/** Alive and not a zombie waiting to be reaped. */
const isAlive = (pid: number): boolean => {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return stat !== '' && !stat.startsWith('Z');
  } catch {
    return false; // ps exits 1 when there is no such process
  }
};

const waitFor = async (check: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const answers = async (url: string): Promise<boolean> => {
  try {
    await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
};

const npmStart = async (dataDir: string): Promise<Started> => {
  let out = '';
  const npm = spawn('npm', ['start'], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      npm_config_update_notifier: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as a terminal gives a foreground job: Ctrl-C signals the whole group.
    detached: true,
  });
  running.push(npm);
  npm.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  npm.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  const listening = /listening on (http:\/\/\S+)/;
  await waitFor(() => listening.test(out) || npm.exitCode !== null, 'the banner', 45_000);
  const url = listening.exec(out)?.[1];
  if (!url) throw new Error(`npm start did not start:\n${out}`);
  return { npm, output: () => out, exited, url, tree: treeOf(npm.pid!) };
};

/** Everything stopped: npm exited, the port refuses, no process of the tree is left. */
const expectAllStopped = async (started: Started): Promise<void> => {
  await started.exited;
  await waitFor(async () => !(await answers(started.url)), 'the port to stop answering', 10_000);
  await waitFor(() => started.tree.every((pid) => !isAlive(pid)), 'every process of the tree to end', 10_000);
};

const screen = async (url: string, token: string): Promise<Verdict> => {
  const res = await fetch(`${url}/screen`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'stop.me+medium@example.com' }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Verdict;
};

/** The data survived: the store was closed, not killed, and its lock is free for the next server. */
const expectVerdictKept = async (dataDir: string, verdict: Verdict, token: string): Promise<void> => {
  const env = { HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir };
  const server = await startLocalServer(loadLocalConfig(env), silentTelemetry, env);
  try {
    const res = await fetch(`${server.url}/verdicts/${verdict.verdict_id}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  } finally {
    await server.close();
  }
};

describe('stopping npm start', () => {
  it('kill <npm pid> (SIGTERM to npm only) stops the server and every process under npm', async () => {
    const dataDir = join(root, 'sigterm');
    const started = await npmStart(dataDir);
    // npm, its shell and node: the server must not be a grandchild npm cannot reach (tsx's extra child).
    expect(started.tree.length).toBeGreaterThanOrEqual(2);
    expect(await answers(started.url)).toBe(true);
    const token = (
      JSON.parse(await readFile(join(dataDir, DEV_SECRETS_FILE), 'utf8')) as { api_token: string }
    ).api_token;
    const verdict = await screen(started.url, token);

    started.npm.kill('SIGTERM');
    await expectAllStopped(started);
    expect(started.output()).toMatch(/shutting down/);
    expect(started.output()).not.toMatch(/\n\s+at /); // no stack trace
    await expectVerdictKept(dataDir, verdict, token);
  }, 90_000);

  it('Ctrl-C (SIGINT to the process group) stops everything', async () => {
    const started = await npmStart(join(root, 'sigint'));
    process.kill(-started.npm.pid!, 'SIGINT');
    await expectAllStopped(started);
    expect(started.output()).toMatch(/SIGINT: shutting down/);
  }, 90_000);
});
