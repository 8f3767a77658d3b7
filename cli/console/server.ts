/** Starts the console's HTTP server on 127.0.0.1 and hands out login URLs; `runConsole` and the tests use it. */
import { type ServerType, serve } from '@hono/node-server';
import { CliError } from '../errors.js';
import type { ApiTarget } from '../target.js';
import { createConsoleApp } from './app.js';
import { openAssets } from './assets.js';
import { type Clock, SessionStore } from './sessions.js';

/** The console only ever listens on the loopback interface. */
export const CONSOLE_HOST = '127.0.0.1';

export interface ConsoleServerOptions {
  target: ApiTarget;
  /** 0 picks a free port. */
  port: number;
  /** The built page (console/build.ts output). */
  assetsDir: string;
  /** Default `Date.now`; tests move time forward to expire login codes. */
  now?: Clock;
}

export interface ConsoleServer {
  /** e.g. `http://127.0.0.1:4000`. */
  readonly url: string;
  /** A fresh one-time login URL (valid 10 minutes, single use). */
  loginUrl(): string;
  close(): Promise<void>;
}

export const startConsoleServer = async (options: ConsoleServerOptions): Promise<ConsoleServer> => {
  const assets = await openAssets(options.assetsDir);
  const sessions = new SessionStore(options.now);
  let url = '';
  const app = createConsoleApp({ target: options.target, assets, sessions, origin: () => url });
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: CONSOLE_HOST, port: options.port }, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new CliError(
              `port ${options.port} on ${CONSOLE_HOST} is already in use (another console?): stop it, or choose another port: --port ${options.port + 1 > 65_535 ? 0 : options.port + 1}`,
            )
          : error,
      ),
    );
  });
  const address = server.address();
  const port = address && typeof address !== 'string' ? address.port : options.port;
  url = `http://${CONSOLE_HOST}:${port}`;
  return {
    url,
    loginUrl: () => `${url}/login?code=${sessions.issueLoginCode()}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
};
