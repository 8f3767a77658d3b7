/** Test helpers for the Defastra suites: raw HTTP requests, a closed port, fixture loading, a fast client. */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  createDefastraClient,
  type DefastraClient,
  type DefastraClientOptions,
} from '../../shared/defastra/client.js';
import { type Sandbox, startSandbox } from '../../shared/defastra/sandbox/server.js';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string;
}

/** One request with node:http and no agent reuse, returning the undecoded body. */
export const rawRequest = (baseUrl: string, request: RawRequest): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const req = http.request(new URL(request.path, baseUrl), {
      method: request.method ?? 'POST',
      headers: request.headers,
      agent: false,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(request.body);
  });

/** A form POST to the sandbox with its key, parsed as JSON (no compression asked). */
export const sandboxPost = async (
  sandbox: Sandbox,
  path: string,
  form: Record<string, string>,
  headers: http.OutgoingHttpHeaders = {},
): Promise<{ status: number; json: Record<string, unknown> }> => {
  const answer = await rawRequest(sandbox.url, {
    path,
    headers: {
      'X-API-KEY': sandbox.apiKey,
      'Content-Type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: answer.status, json: JSON.parse(answer.body.toString('utf8')) as Record<string, unknown> };
};

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export const closedPort = async (): Promise<number> => {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

/** A client on the sandbox with tiny backoff, for fast retry tests. */
export const fastClient = (sandbox: Sandbox, options: Partial<DefastraClientOptions> = {}): DefastraClient =>
  createDefastraClient({
    baseUrl: sandbox.url,
    apiKey: async () => sandbox.apiKey,
    backoffMs: 2,
    ...options,
  });

/** Reads a JSON fixture of test/defastra/fixtures as text. */
export const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** Awaits a call that must fail and returns what it threw. */
export const failure = async (call: Promise<unknown>): Promise<unknown> => {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
};

/**
 * Starts a sandbox and a fast client for the file (handing both to `use`), resets faults and counters
 * after each test unless told not to, and closes both at the end.
 */
export const useSandboxClient = (
  use: (sandbox: Sandbox, client: DefastraClient) => void,
  { resetEach = true }: { resetEach?: boolean } = {},
): void => {
  let sandbox: Sandbox | undefined;
  let client: DefastraClient | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox();
    client = fastClient(sandbox);
    use(sandbox, client);
  });
  if (resetEach) {
    afterEach(() => {
      sandbox?.clearFaults();
      sandbox?.resetStats();
    });
  }
  afterAll(async () => {
    client?.close();
    await sandbox?.close();
  });
};
