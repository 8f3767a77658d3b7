/**
 * `signup-gate console` as a process, started the ways the docs show: `npm run cli -- console` stops on a
 * SIGINT or SIGTERM to the npm PID alone, `npx signup-gate console` on a SIGTERM to npx, every process of
 * the tree ends and the port is free; a second console on a busy port says which port and what to do.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../cli/build.js';
import { cliEnv, ensureCliBuilt, runCli } from '../cli/run-cli.js';
import {
  answers,
  isAlive,
  killGroups,
  type NpmProcess,
  spawnNpm,
  treeOf,
  waitFor,
} from '../helpers/process-tree.js';

const running: ChildProcess[] = [];
afterEach(() => killGroups(running));
beforeAll(() => ensureCliBuilt());

/** The console needs no API to start: a token and an address where nothing listens are enough. */
const ENV = { API_TOKEN: 'sg_dev_process_test', NO_COLOR: '1' };
const TARGET = ['--url', 'http://127.0.0.1:9'];

interface StartedConsole extends NpmProcess {
  url: string;
  tree: number[];
}

const startConsole = async (command: 'npm' | 'npx', args: string[]): Promise<StartedConsole> => {
  const started = spawnNpm(command, args, { cwd: ROOT, env: ENV, running });
  const listening = /signup-gate console on (http:\/\/\S+),/;
  await waitFor(
    () => listening.test(started.output()) || started.npm.exitCode !== null,
    'the console to listen',
    30_000,
  );
  const url = listening.exec(started.output())?.[1];
  if (!url) throw new Error(`the console did not start:\n${started.output()}`);
  return { ...started, url, tree: treeOf(started.npm.pid!) };
};

const expectAllStopped = async (started: StartedConsole): Promise<void> => {
  await waitFor(
    () => started.npm.exitCode !== null || started.npm.signalCode !== null,
    'npm to exit',
    15_000,
  );
  await waitFor(async () => !(await answers(started.url)), 'the port to stop answering', 10_000);
  await waitFor(() => started.tree.every((pid) => !isAlive(pid)), 'every process of the tree to end', 10_000);
};

describe('stopping the console', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} to the PID of npm run cli -- console stops it and frees the port`, async () => {
      const started = await startConsole('npm', [
        'run',
        'cli',
        '--',
        ...TARGET,
        'console',
        '--no-open',
        '--port',
        '0',
      ]);
      expect(await answers(started.url)).toBe(true);
      started.npm.kill(signal);
      await expectAllStopped(started);
    }, 60_000);
  }

  it('SIGTERM to the PID of npx signup-gate console stops it and frees the port', async () => {
    const started = await startConsole('npx', [
      '--no-install',
      'signup-gate',
      ...TARGET,
      'console',
      '--no-open',
      '--port',
      '0',
    ]);
    expect(await answers(started.url)).toBe(true);
    started.npm.kill('SIGTERM');
    await expectAllStopped(started);
  }, 60_000);
});

describe('a busy port', () => {
  it('says which port is taken and to choose another with --port, on one line, exit 1', async () => {
    const busy = createServer();
    const port = await new Promise<number>((resolve) =>
      busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)),
    );
    try {
      const result = await runCli([...TARGET, 'console', '--no-open', '--port', String(port)], {
        env: cliEnv(ENV),
      });
      expect(result.code).toBe(1);
      expect(result.stderr).not.toContain('unexpected');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).toMatch(/--port \d+/);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});
