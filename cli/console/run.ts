/** `signup-gate console`: serves the review console on 127.0.0.1 and prints a one-time login URL. */
import { createInterface } from 'node:readline';
import type { ApiTarget } from '../target.js';
import { defaultAssetsDir } from './assets.js';
import { openInBrowser } from './open-browser.js';
import { startConsoleServer } from './server.js';

/** How often to check that the process that started us (npm's shell, under `npx`) is still there. */
const PARENT_CHECK_MS = 250;

/**
 * Under `npx`, npm runs `sh -c signup-gate …`: a SIGTERM to npm ends that shell without passing the signal
 * on, and this process is re-parented. A new parent id means whoever started us is gone, so stop too. Only
 * when npm started us (a console started from a script that then exits keeps running).
 */
const watchParent = (env: NodeJS.ProcessEnv, stop: () => void): (() => void) => {
  if (!env.npm_lifecycle_event) return () => undefined;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) stop();
  }, PARENT_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
};

export interface ConsoleOptions {
  target: ApiTarget;
  /** Default 4000; 0 picks a free port. */
  port: number;
  /** Open the login URL in the default browser. */
  open: boolean;
  /** Where the one-time login URL and status lines are printed. */
  log: (line: string) => void;
  /** The built page; default `<package root>/dist/console` (what `npm run build` writes). */
  assetsDir?: string;
  /** Stops the console (tests); the returned promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Serves the console until the process is stopped (Ctrl+C, which exits 0) or `signal` aborts. Rejects if it
 * cannot start (port taken, no build).
 */
export const runConsole = async (options: ConsoleOptions): Promise<never> => {
  const { target, log } = options;
  const server = await startConsoleServer({
    target,
    port: options.port,
    assetsDir: options.assetsDir ?? (await defaultAssetsDir()),
  });
  const loginUrl = server.loginUrl();
  log(
    `signup-gate console on ${server.url}, for the API at ${target.url} (${target.auth === 'sigv4' ? 'AWS SigV4' : 'bearer token'})`,
  );
  log(`Open this one-time login link (valid 10 minutes, works once): ${loginUrl}`);
  if (options.open) {
    openInBrowser(loginUrl, () => log('Could not open a browser: open the link above yourself.'));
  }
  const lines = process.stdin.isTTY ? createInterface({ input: process.stdin }) : undefined;
  if (lines) {
    log('Press Enter for a new login link, Ctrl+C to stop.');
    lines.on('line', () => log(`New login link: ${server.loginUrl()}`));
  }
  let exiting = false;
  const exit = () => {
    if (exiting) return;
    exiting = true;
    void server.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', exit);
  process.once('SIGTERM', exit);
  const unwatch = options.signal ? () => undefined : watchParent(process.env, exit);
  return new Promise<never>((_resolve, reject) => {
    const signal = options.signal;
    if (!signal) return;
    const stop = () => {
      process.off('SIGINT', exit);
      process.off('SIGTERM', exit);
      unwatch();
      lines?.close();
      void server.close().finally(() => reject(signal.reason));
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
};
