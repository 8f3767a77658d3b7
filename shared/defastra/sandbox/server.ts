/** The Defastra sandbox: a real node:http server speaking Defastra's protocol, with stats and fault injection. */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import zlib from 'node:zlib';
import type { IdentifierKind } from '../../core/vocabulary.js';
import { FaultState, type SandboxEncoding, type SandboxFaults, type SandboxFaultsInput } from './faults.js';
import {
  answerCall,
  endpointOf,
  errorAnswer,
  type SandboxAccount,
  type SandboxAnswer,
  withCheckDetail,
} from './protocol.js';
import { RateWindows } from './rate.js';

/** Re-exported so callers that start a sandbox can read its faults from the environment in one import. */
export { faultsFromEnv } from './env.js';

export interface SandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a random free port). */
  port?: number;
  /** Keys that work; default ['sandbox-key']. The first is `Sandbox.apiKey`. */
  apiKeys?: string[];
  /** Start-up faults; `clearFaults()` comes back to these. */
  faults?: SandboxFaultsInput;
  /** Receives one line per request (method, path, status, outcome, ms); never identifiers. */
  log?: (line: string) => void;
}

export interface SandboxStats {
  /** HTTP requests received (any path, any outcome). */
  requests: number;
  /** TCP connections accepted. */
  connections: number;
  byEndpoint: Record<IdentifierKind, number>;
  /** Current wallet balance. */
  wallet: number;
}

export interface Sandbox {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  apiKey: string;
  stats(): SandboxStats;
  /** Zeroes the request and connection counters (not the wallet). */
  resetStats(): void;
  setFaults(faults: SandboxFaultsInput): void;
  /** Back to the start-up faults, wallet and empty rate windows. */
  clearFaults(): void;
  /** Current faults, for inspection. */
  faults(): Readonly<SandboxFaults>;
  close(): Promise<void>;
}

/** Node's default is 5 s; a longer idle time makes connection reuse visible in tests and benchmarks. */
const KEEP_ALIVE_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 64 * 1024;
const ENCODING_PREFERENCE: readonly SandboxEncoding[] = ['br', 'gzip', 'deflate'];

/** The encodings an Accept-Encoding header allows (q=0 excluded). */
const acceptedEncodings = (header: string | undefined): Set<string> =>
  new Set(
    (header ?? '')
      .split(',')
      .map((part) => part.trim().toLowerCase().split(';'))
      .filter(([, q]) => !/^\s*q=0(\.0*)?\s*$/.test(q ?? ''))
      .map(([name]) => name ?? ''),
  );

/** br first, then gzip, then deflate, limited to `forced` when set. */
export const chooseEncoding = (header: string | undefined, forced?: SandboxEncoding): SandboxEncoding => {
  const accepted = acceptedEncodings(header);
  const candidates = forced ? [forced] : ENCODING_PREFERENCE;
  return candidates.find((name) => name === 'identity' || accepted.has(name)) ?? 'identity';
};

const compress = (payload: Buffer, encoding: SandboxEncoding): Buffer => {
  if (encoding === 'br') {
    return zlib.brotliCompressSync(payload, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } });
  }
  if (encoding === 'gzip') return zlib.gzipSync(payload);
  if (encoding === 'deflate') return zlib.deflateSync(payload);
  return payload;
};

/** Reads the body, keeping at most MAX_BODY_BYTES (the rest is drained and dropped). */
const readBody = (request: http.IncomingMessage): Promise<{ text: string; tooLarge: boolean }> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > MAX_BODY_BYTES }),
    );
    request.on('error', reject);
  });

const htmlPage = (status: number): string =>
  `<html><head><title>${status}</title></head><body><h1>${status} ${http.STATUS_CODES[status] ?? 'Error'}</h1></body></html>`;

const headerValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** Starts a sandbox and resolves once it listens. */
export const startSandbox = async (options: SandboxOptions = {}): Promise<Sandbox> => {
  const keys = options.apiKeys && options.apiKeys.length > 0 ? options.apiKeys : ['sandbox-key'];
  const faults = new FaultState(options.faults);
  const account: SandboxAccount = {
    keys: new Set(keys),
    rate: new RateWindows(),
    balance: faults.current.walletBalance,
  };
  const counters = { requests: 0, connections: 0, byEndpoint: { email: 0, phone: 0 } };
  const sockets = new Set<Socket>();
  const waits = new Map<NodeJS.Timeout, () => void>();
  const log = options.log;

  const wait = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const timer = setTimeout(() => {
            waits.delete(timer);
            resolve();
          }, ms);
          waits.set(timer, resolve);
        });

  const send = (
    response: http.ServerResponse,
    request: http.IncomingMessage,
    answer: SandboxAnswer,
  ): void => {
    const encoding = chooseEncoding(headerValue(request.headers['accept-encoding']), faults.current.encoding);
    const payload = compress(Buffer.from(JSON.stringify(answer.body)), encoding);
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'application/json',
      'Content-Length': payload.length,
      Vary: 'Accept-Encoding',
    };
    if (encoding !== 'identity') headers['Content-Encoding'] = encoding;
    response.writeHead(answer.status, headers);
    if (faults.takeReset()) {
      response.write(payload.subarray(0, Math.floor(payload.length / 2)), () => request.socket.destroy());
      return;
    }
    response.end(payload);
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const started = Date.now();
    counters.requests += 1;
    const url = request.url ?? '/';
    const kind = endpointOf(url);
    if (kind !== undefined) counters.byEndpoint[kind] += 1;
    let clientGone = false;
    response.on('close', () => {
      clientGone = true;
    });
    const body = await readBody(request);
    await wait(faults.latency());
    if (clientGone || request.socket.destroyed) return;
    const path = url.split('?')[0];
    const status5xx = faults.take5xx();
    if (status5xx !== undefined) {
      const page = htmlPage(status5xx);
      response.writeHead(status5xx, {
        'Content-Type': 'text/html',
        'Content-Length': Buffer.byteLength(page),
      });
      response.end(page);
      log?.(`${request.method} ${path} ${status5xx} html ${Date.now() - started}ms`);
      return;
    }
    const forced = faults.takeErrorType();
    const answered = forced
      ? errorAnswer(forced, faults.current.errorMessage)
      : body.tooLarge
        ? errorAnswer('INVALID_PARAMETER')
        : answerCall(
            {
              method: request.method ?? 'GET',
              url,
              apiKey: headerValue(request.headers['x-api-key']),
              contentType: headerValue(request.headers['content-type']),
              body: body.text,
            },
            account,
            faults.current,
            Date.now(),
          );
    const detail = faults.current.checkDetail;
    const answer = detail === undefined ? answered : withCheckDetail(answered, detail);
    send(response, request, answer);
    log?.(`${request.method} ${path} ${answer.status} ${answer.errorType ?? 'ok'} ${Date.now() - started}ms`);
  };

  const server = http.createServer({ keepAlive: true, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('connection', (socket: Socket) => {
    counters.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('request', (request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) {
        response.writeHead(500, { 'Content-Type': 'application/json' });
        response.end(
          JSON.stringify({
            status: false,
            error_type: 'UNHANDLED_EXCEPTION',
            error_message: 'Sandbox failure.',
          }),
        );
      } else {
        response.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    apiKey: keys[0] ?? 'sandbox-key',
    stats: () => ({
      requests: counters.requests,
      connections: counters.connections,
      byEndpoint: { ...counters.byEndpoint },
      wallet: account.balance,
    }),
    resetStats: () => {
      counters.requests = 0;
      counters.connections = 0;
      counters.byEndpoint = { email: 0, phone: 0 };
    },
    setFaults: (input) => {
      faults.set(input);
      if (input.walletBalance !== undefined) account.balance = input.walletBalance;
      if (input.rateLimit !== undefined) account.rate.clear();
    },
    clearFaults: () => {
      faults.clear();
      account.balance = faults.current.walletBalance;
      account.rate.clear();
    },
    faults: () => faults.current,
    close: async () => {
      for (const [timer, release] of waits) {
        clearTimeout(timer);
        release();
      }
      waits.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
};
