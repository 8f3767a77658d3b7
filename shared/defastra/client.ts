/** The Defastra HTTP client: form-encoded POSTs on one keep-alive agent, body decoding, typed errors, retries. */
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { TIMEOUT_MODES } from '../core/levels.js';
import type { IdentifierKind } from '../core/vocabulary.js';
import {
  DefastraBadResponseError,
  DefastraError,
  DefastraNetworkError,
  DefastraRequestError,
  DefastraTimeoutError,
} from './errors.js';
import { parseDefastraResponse, productKey } from './parse.js';
import { isRetryableInCall, retryDelayMs, sleep, wouldPassDeadline } from './retry.js';
import type { CheckOptions, CheckResult, DefastraPort } from './types.js';

export const DEFAULT_BASE_URL = 'https://api.defastra.com';
export const DEFAULT_USER_AGENT = 'signup-gate/0.1 (defastra-client)';
/** Longest `label` Defastra accepts, in characters. */
export const MAX_LABEL_LENGTH = 30;
/** Largest decoded answer we accept; real answers are a few KiB. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const AGENT_OPTIONS: http.AgentOptions = {
  keepAlive: true,
  keepAliveMsecs: 1_000,
  maxSockets: 32,
  maxFreeSockets: 8,
  scheduling: 'lifo',
};

/** What the `onCall` hook receives after each HTTP attempt (a retried call reports each attempt). */
export interface DefastraCallInfo {
  kind: IdentifierKind;
  /** 1 for the first request of a call, 2 for its first retry, and so on. */
  attempt: number;
  ms: number;
  /** `ok`, or the error type: Defastra's `error_type`, TIMEOUT, BAD_RESPONSE or NETWORK. */
  outcome: string;
  wallet?: number;
}

export interface DefastraClientOptions {
  /** Default https://api.defastra.com; tests point it at the sandbox. */
  baseUrl?: string;
  /** Returns the API key; called at the start of each call (cache inside the provider). */
  apiKey: () => Promise<string>;
  /**
   * Fetches a fresh key after INVALID_API_KEY (rotation); the call is then sent once more with it.
   * It should also refresh what `apiKey` returns. Concurrent refreshes share one fetch.
   */
  refreshApiKey?: () => Promise<string>;
  /** Requests per call, first included (default 3). */
  maxAttempts?: number;
  /** First backoff step in ms, doubled each retry, with jitter (default 200). */
  backoffMs?: number;
  /** Metrics hook, called after every attempt; exceptions it throws are ignored. */
  onCall?: (info: DefastraCallInfo) => void;
  userAgent?: string;
}

export interface DefastraClient extends DefastraPort {
  /** Destroys the keep-alive agent and its sockets (shutdown, tests). */
  close(): void;
}

interface RawAnswer {
  status: number;
  body: string;
}

const unzip = {
  br: promisify(zlib.brotliDecompress),
  gzip: promisify(zlib.gunzip),
  inflate: promisify(zlib.inflate),
  inflateRaw: promisify(zlib.inflateRaw),
};
const ZLIB_LIMITS = { maxOutputLength: MAX_BODY_BYTES };

const inflateAny = async (raw: Buffer): Promise<Buffer> => {
  try {
    return await unzip.inflate(raw, ZLIB_LIMITS);
  } catch {
    // Some servers send raw deflate data without the zlib wrapper.
    return unzip.inflateRaw(raw, ZLIB_LIMITS);
  }
};

/** Decodes a body by its Content-Encoding (br, gzip, deflate or none). */
export const decodeBody = async (
  raw: Buffer,
  encoding: string | undefined,
  httpStatus: number,
): Promise<string> => {
  const name = (encoding ?? '').trim().toLowerCase();
  if (name === '' || name === 'identity') return raw.toString('utf8');
  let decoded: Buffer;
  try {
    if (name === 'br') decoded = await unzip.br(raw, ZLIB_LIMITS);
    else if (name === 'gzip' || name === 'x-gzip') decoded = await unzip.gzip(raw, ZLIB_LIMITS);
    else if (name === 'deflate') decoded = await inflateAny(raw);
    else
      throw new DefastraBadResponseError(`Defastra answered with unsupported encoding ${name}`, httpStatus);
  } catch (error) {
    if (error instanceof DefastraBadResponseError) throw error;
    throw new DefastraBadResponseError(`Defastra's ${name} body could not be decoded`, httpStatus);
  }
  return decoded.toString('utf8');
};

const timeoutError = (): DefastraTimeoutError =>
  new DefastraTimeoutError('Defastra call stopped: the caller deadline passed');

const errorCode = (error: unknown): string =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'unknown';

/**
 * One HTTP POST. Resolves with the status and decoded body of any complete answer; rejects with
 * DefastraTimeoutError (signal aborted), DefastraNetworkError (connection failed) or
 * DefastraBadResponseError (undecodable or oversized body).
 */
const post = (
  agent: http.Agent,
  url: URL,
  headers: http.OutgoingHttpHeaders,
  body: string,
  signal: AbortSignal | undefined,
): Promise<RawAnswer> =>
  new Promise<RawAnswer>((resolve, reject) => {
    if (signal?.aborted) {
      reject(timeoutError());
      return;
    }
    const secure = url.protocol === 'https:';
    const request = (secure ? https : http).request(url, { method: 'POST', agent, headers });
    /** True once a connection exists, so request bytes may have reached Defastra. */
    let connected = false;
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      action();
    };
    const fail = (error: DefastraError): void => settle(() => reject(error));
    const onAbort = (): void => {
      fail(timeoutError());
      request.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    request.on('socket', (socket) => {
      if (request.reusedSocket) connected = true;
      else socket.once(secure ? 'secureConnect' : 'connect', () => (connected = true));
    });
    request.on('error', (error) => {
      const where = connected ? 'after connecting' : 'before sending';
      fail(
        new DefastraNetworkError(`Defastra connection failed ${where} (${errorCode(error)})`, !connected, {
          cause: error,
        }),
      );
    });
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const cut = (error?: Error): void =>
        fail(
          new DefastraNetworkError(
            `Defastra connection closed mid-response (${errorCode(error)})`,
            false,
            error ? { cause: error } : undefined,
          ),
        );
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          fail(new DefastraBadResponseError('Defastra answer is too large', status));
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', cut);
      response.on('close', () => {
        if (!response.complete) cut();
      });
      response.on('end', () => {
        decodeBody(Buffer.concat(chunks), response.headers['content-encoding'], status).then(
          (text) => settle(() => resolve({ status, body: text })),
          (error: DefastraError) => fail(error),
        );
      });
    });
    request.end(body);
  });

/** Form body for one check; validates locally what Defastra would reject, before anything is sent. */
const formFor = (field: 'email' | 'phone', value: string, options: CheckOptions): string => {
  const { label, timeout } = options;
  if (label !== undefined && [...label].length > MAX_LABEL_LENGTH) {
    throw new DefastraRequestError('INVALID_LABEL', `label must be at most ${MAX_LABEL_LENGTH} characters`);
  }
  if (timeout !== undefined && !(TIMEOUT_MODES as readonly string[]).includes(timeout)) {
    throw new DefastraRequestError(
      'INVALID_REQUEST_TIMEOUT',
      `timeout must be one of ${TIMEOUT_MODES.join(', ')}`,
    );
  }
  const params = new URLSearchParams({ [field]: value });
  if (timeout !== undefined) params.set('timeout', timeout);
  if (label !== undefined) params.set('label', label);
  // URLSearchParams writes spaces as '+'; Defastra's examples use %20 (a literal '+' is already %2B).
  return params.toString().replace(/\+/g, '%20');
};

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/** Creates the client. One keep-alive agent per client: create it once per process, not per call. */
export const createDefastraClient = (options: DefastraClientOptions): DefastraClient => {
  const base = new URL(options.baseUrl ?? DEFAULT_BASE_URL);
  const root = base.href.endsWith('/') ? base.href : `${base.href}/`;
  const agent = base.protocol === 'https:' ? new https.Agent(AGENT_OPTIONS) : new http.Agent(AGENT_OPTIONS);
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 3));
  const backoffMs = Math.max(0, options.backoffMs ?? 200);
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  let refreshing: Promise<string> | undefined;

  const refreshKey = (refresh: () => Promise<string>): Promise<string> => {
    refreshing ??= refresh().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  const report = (info: DefastraCallInfo): void => {
    try {
      options.onCall?.(info);
    } catch {
      // A metrics hook must never break a screening.
    }
  };

  const call = async (
    kind: IdentifierKind,
    form: string,
    checkOptions: CheckOptions,
  ): Promise<CheckResult> => {
    const { signal, deadline } = checkOptions;
    const allowRetry = checkOptions.retry !== false;
    const url = new URL(productKey(kind), root);
    if (signal?.aborted) throw timeoutError();
    let key = await options.apiKey();
    let keyRefreshed = false;
    let failures = 0;
    for (let attempt = 1; ; attempt += 1) {
      const started = performance.now();
      const headers: http.OutgoingHttpHeaders = {
        'X-API-KEY': key,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': Buffer.byteLength(form),
        Accept: 'application/json',
        'Accept-Encoding': 'gzip, deflate, br',
        Connection: 'keep-alive',
        'User-Agent': userAgent,
      };
      try {
        const answer = await post(agent, url, headers, form, signal);
        const result = parseDefastraResponse(kind, answer.status, answer.body);
        report({ kind, attempt, ms: performance.now() - started, outcome: 'ok', wallet: result.wallet });
        return result;
      } catch (caught) {
        if (!(caught instanceof DefastraError)) throw caught;
        report({ kind, attempt, ms: performance.now() - started, outcome: caught.type });
        if (caught.type === 'INVALID_API_KEY' && options.refreshApiKey && allowRetry && !keyRefreshed) {
          keyRefreshed = true;
          key = await refreshKey(options.refreshApiKey);
          continue;
        }
        failures += 1;
        if (!allowRetry || failures >= maxAttempts || !isRetryableInCall(caught)) throw caught;
        const delay = retryDelayMs(caught, failures, backoffMs);
        if (wouldPassDeadline(delay, deadline)) throw caught;
        if (!(await sleep(delay, signal))) throw caught;
      }
    }
  };

  return {
    checkEmail: async (email, checkOptions = {}) => {
      if (!EMAIL_SHAPE.test(email)) {
        throw new DefastraRequestError('INVALID_REQUEST_EMAIL', 'email is not an address');
      }
      return call('email', formFor('email', email, checkOptions), checkOptions);
    },
    checkPhone: async (phone, checkOptions = {}) => {
      const digits = phone.replace(/\D/g, '');
      if (digits === '') throw new DefastraRequestError('INVALID_REQUEST_PHONE', 'phone has no digits');
      return call('phone', formFor('phone', digits, checkOptions), checkOptions);
    },
    close: () => agent.destroy(),
  };
};
