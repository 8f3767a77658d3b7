/**
 * Test helper: builds the CLI (once per test file, atomically, so parallel files never see half a bundle)
 * and runs it as a user would: `node cli/bin.mjs <args>` in a child process, with an environment built from
 * scratch (never the developer's API_TOKEN, AWS credentials or config), colours off.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, ROOT } from '../../cli/build.js';

let built: Promise<void> | undefined;
/** Builds dist/cli.mjs from the current sources (call in beforeAll). */
export const ensureCliBuilt = (): Promise<void> => {
  built ??= buildCli();
  return built;
};

export const BIN = join(ROOT, 'cli', 'bin.mjs');

/** A private HOME / XDG_CONFIG_HOME per test file, so nothing of the developer's account is read or written. */
const home = mkdtempSync(join(tmpdir(), 'signup-gate-cli-home-'));
process.once('exit', () => rmSync(home, { recursive: true, force: true }));

export const cliEnv = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    NO_COLOR: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
  };
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
};

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  done: Promise<CliResult>;
}

export const spawnCli = (
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): RunningCli => {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
};

/** Runs the CLI to the end. */
export const runCli = (
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> => spawnCli(args, options).done;

/** Parses stdout as JSON (fails the test with the output when it is not). */
export const jsonOf = <T = unknown>(result: CliResult): T => {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
};
