/**
 * `npm start` exactly as a user runs it: a SIGTERM or a SIGINT to the npm process alone (`npm start &` then
 * `kill <pid>` or `kill -INT <pid>`, as scripts and process managers do) and a Ctrl-C (SIGINT to the whole
 * foreground process group) all stop every process of the tree, free the port, and close the store cleanly
 * (its data is there on the next start).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer } from '../../local/server.js';
import { DEV_SECRETS_FILE } from '../../shared/config/dev-secrets.js';
import { loadLocalConfig } from '../../shared/config/local.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import {
  answers,
  isAlive,
  killGroups,
  type NpmProcess,
  spawnNpm,
  treeOf,
  waitFor,
} from '../helpers/process-tree.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'signup-gate-process-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

interface Started extends NpmProcess {
  url: string;
  /** npm and every process under it, collected once the server listened. */
  tree: number[];
}

const running: ChildProcess[] = [];
afterEach(() => killGroups(running));

const npmStart = async (dataDir: string): Promise<Started> => {
  const started = spawnNpm('npm', ['start'], {
    cwd: process.cwd(),
    env: { HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir },
    running,
  });
  const listening = /listening on (http:\/\/\S+)/;
  await waitFor(
    () => listening.test(started.output()) || started.npm.exitCode !== null,
    'the banner',
    45_000,
  );
  const url = listening.exec(started.output())?.[1];
  if (!url) throw new Error(`npm start did not start:\n${started.output()}`);
  return { ...started, url, tree: treeOf(started.npm.pid!) };
};

/** Everything stopped: npm exited, the port refuses, no process of the tree is left. */
const expectAllStopped = async (started: Started): Promise<void> => {
  await waitFor(
    () => started.npm.exitCode !== null || started.npm.signalCode !== null,
    'npm to exit',
    15_000,
  );
  await waitFor(async () => !(await answers(`${started.url}/health`)), 'the port to stop answering', 10_000);
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
    // npm and node: the server must not be a grandchild npm cannot reach (tsx's extra child, or a shell that
    // keeps a signal to itself).
    expect(started.tree.length).toBeGreaterThanOrEqual(2);
    expect(await answers(`${started.url}/health`)).toBe(true);
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

  it('kill -INT <npm pid> (SIGINT to npm only) stops everything', async () => {
    const started = await npmStart(join(root, 'sigint-npm'));
    expect(await answers(`${started.url}/health`)).toBe(true);
    started.npm.kill('SIGINT');
    await expectAllStopped(started);
    expect(started.output()).toMatch(/SIGINT: shutting down/);
  }, 90_000);

  it('Ctrl-C (SIGINT to the process group) stops everything', async () => {
    const started = await npmStart(join(root, 'sigint'));
    process.kill(-started.npm.pid!, 'SIGINT');
    await expectAllStopped(started);
    expect(started.output()).toMatch(/SIGINT: shutting down/);
  }, 90_000);
});
