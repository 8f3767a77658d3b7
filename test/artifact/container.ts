/**
 * One Lambda execution environment for a deployed function, as a child process running `runner.mjs`: Node started
 * in the asset directory (`LAMBDA_TASK_ROOT`), with the environment Lambda gives plus the function's own, as an
 * unprivileged user when the suite runs as root (Lambda runs code as a non-root user that owns none of its
 * files). Invocations go one at a time; each returns the handler's result or error and its log lines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { DeployedFunction } from './template.js';

/** nobody:nogroup, the usual unprivileged ids. */
export const UNPRIVILEGED = { uid: 65534, gid: 65534 } as const;

/** Whether this process can start children as another user (only root can). */
export const canSwitchUser = (): boolean => process.getuid?.() === 0;

// biome-ignore lint/suspicious/noExplicitAny: log lines are Powertools JSON, checked field by field
export type LogLine = Record<string, any>;

export interface InvocationError {
  errorType: string;
  errorMessage: string;
}

export interface Invocation<T> {
  ok: boolean;
  /** The handler's return value (null when it threw). */
  result: T;
  error?: InvocationError;
  /** The JSON log lines of this invocation (stdout and stderr), by their `function_request_id`. */
  logs: LogLine[];
}

export interface InitReport {
  ok: boolean;
  error?: InvocationError;
  /** Time to load the handler module (the init phase), in ms. */
  ms: number;
  /** The user id the environment runs as. */
  uid?: number;
}

interface Report {
  type: 'init' | 'result';
  id?: string;
  ok: boolean;
  result?: unknown;
  error?: InvocationError;
  ms?: number;
  uid?: number;
}

/** A copy of runner.mjs in a directory of its own that any user can read (the repository may not be). */
let runnerDir: string | undefined;
const runnerPath = (): string => {
  if (!runnerDir) {
    const dir = mkdtempSync(join(tmpdir(), 'signup-gate-runner-'));
    copyFileSync(new URL('./runner.mjs', import.meta.url), join(dir, 'runner.mjs'));
    chmodSync(join(dir, 'runner.mjs'), 0o644);
    chmodSync(dir, 0o755);
    runnerDir = dir;
  }
  return join(runnerDir, 'runner.mjs');
};

/** Removes the runner's copy (after the last environment has exited). */
export const removeRunnerCopy = (): void => {
  if (runnerDir) rmSync(runnerDir, { recursive: true, force: true });
  runnerDir = undefined;
};

/** Collects a stream's text and calls `onLine` for each complete line. */
const lines = (stream: Readable, onLine: (line: string) => void): { text: () => string } => {
  let text = '';
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  });
  return { text: () => text };
};

const parseJsonLine = (line: string): LogLine | null => {
  if (!line.startsWith('{')) return null;
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return null;
  }
};

export interface ContainerOptions {
  fn: DeployedFunction;
  /** The function's environment, resolved (the template's variables with local stand-ins). */
  environment: Record<string, string>;
  /** Extra variables the test adds (endpoints, credentials, region). */
  extra: Record<string, string>;
  /** Run as UNPRIVILEGED (only possible as root). */
  unprivileged: boolean;
}

export class LambdaContainer {
  readonly init: Promise<InitReport>;
  readonly #child: ChildProcess;
  readonly #stdout: { text: () => string };
  readonly #stderr: { text: () => string };
  readonly #waiting = new Map<
    string,
    { report?: Report; endOut?: boolean; endErr?: boolean; done: (report: Report) => void }
  >();
  readonly #exited: Promise<number | null>;
  #exitCode: number | null | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    let resolveInit!: (report: InitReport) => void;
    this.init = new Promise((resolve) => {
      resolveInit = resolve;
    });
    const settle = (id: string) => {
      const entry = this.#waiting.get(id);
      if (entry?.report && entry.endOut && entry.endErr) {
        this.#waiting.delete(id);
        entry.done(entry.report);
      }
    };
    const onEnd = (which: 'endOut' | 'endErr') => (line: string) => {
      const id = /^END RequestId: (\S+)/.exec(line)?.[1];
      const entry = id ? this.#waiting.get(id) : undefined;
      if (id && entry) {
        entry[which] = true;
        settle(id);
      }
    };
    this.#stdout = lines(child.stdout!, onEnd('endOut'));
    this.#stderr = lines(child.stderr!, onEnd('endErr'));
    lines(child.stdio[3] as Readable, (line) => {
      const report = JSON.parse(line) as Report;
      if (report.type === 'init') {
        resolveInit({
          ok: report.ok,
          ...(report.error ? { error: report.error } : {}),
          ms: report.ms ?? 0,
          ...(report.uid === undefined ? {} : { uid: report.uid }),
        });
        return;
      }
      const entry = this.#waiting.get(report.id ?? '');
      if (entry) {
        entry.report = report;
        settle(report.id!);
      }
    });
    this.#exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        this.#exitCode = code;
        resolveInit({
          ok: false,
          error: { errorType: 'Runtime.ExitError', errorMessage: this.output() },
          ms: 0,
        });
        for (const [id, entry] of this.#waiting) {
          this.#waiting.delete(id);
          entry.done({
            type: 'result',
            id,
            ok: false,
            error: { errorType: 'Runtime.ExitError', errorMessage: `exited with ${code}` },
          });
        }
        resolve(code);
      }),
    );
  }

  /** Starts the environment; its init phase (loading the handler) runs at once, see `init`. */
  static async start(options: ContainerOptions): Promise<LambdaContainer> {
    const { fn } = options;
    const functionName = `SignupGate-${fn.logicalId}`;
    const env: Record<string, string> = {
      // What Lambda sets for every function (the reserved variables the code can see).
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      _HANDLER: fn.handler,
      LAMBDA_TASK_ROOT: fn.assetDir,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `2026/01/01/[$LATEST]${randomUUID().replaceAll('-', '')}`,
      ...options.extra,
      ...options.environment,
    };
    const child = spawn(process.execPath, [runnerPath()], {
      cwd: fn.assetDir,
      env,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      ...(options.unprivileged ? UNPRIVILEGED : {}),
    });
    return new LambdaContainer(child);
  }

  /** Invokes the handler with `event`; resolves with its outcome once its log lines are in. */
  async invoke<T = unknown>(event: unknown, remainingMs = 10_000): Promise<Invocation<T>> {
    if (this.#exitCode !== undefined) throw new Error(`the environment exited (${this.#exitCode})`);
    const id = randomUUID();
    const report = await new Promise<Report>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`no answer within ${remainingMs + 5000} ms\n${this.output().slice(-3000)}`));
      }, remainingMs + 5000);
      this.#waiting.set(id, {
        done: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
      this.#child.stdin!.write(`${JSON.stringify({ id, event, remainingMs })}\n`);
    });
    return {
      ok: report.ok,
      result: (report.result ?? null) as T,
      ...(report.error ? { error: report.error } : {}),
      logs: this.logLines().filter((line) => line.function_request_id === id),
    };
  }

  /** Everything the function wrote, stdout then stderr. */
  output(): string {
    return `${this.#stdout.text()}${this.#stderr.text()}`;
  }

  /** Every JSON line the function wrote (Powertools log lines and EMF documents). */
  logLines(): LogLine[] {
    return this.output()
      .split('\n')
      .map(parseJsonLine)
      .filter((line): line is LogLine => line !== null);
  }

  /** Lines that are neither JSON nor the runtime's START/END lines (e.g. a stack trace printed raw). */
  strayLines(): string[] {
    return this.output()
      .split('\n')
      .filter(
        (line) => line.trim() !== '' && !line.startsWith('{') && !/^(START|END) RequestId: /.test(line),
      );
  }

  /** Shuts the environment down (closes stdin; the runner exits after the invocation in flight). */
  async close(): Promise<void> {
    if (this.#exitCode === undefined) this.#child.stdin!.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await this.#exited;
    clearTimeout(timer);
  }
}
