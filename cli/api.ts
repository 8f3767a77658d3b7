/** One API call through a target: JSON in and out, non-2xx answers and network failures turned into CliErrors. */

import { errorName } from '../shared/core/errors.js';
import { ApiCallError, CliError, NetworkError } from './errors.js';
import { isLocalUrl } from './resolve-target.js';
import type { ApiRequest, ApiTarget } from './target.js';

export interface ApiResult<T> {
  status: number;
  body: T;
  /** The server's clock minus ours, from the answer's `Date` header (1 s resolution); undefined without one. */
  clockOffsetMs?: number;
}

export interface CallOptions {
  method: ApiRequest['method'];
  path: string;
  /** Serialised as JSON unless already a string (backfill sends exact bytes). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), or undefined. */
export const parseRetryAfter = (value: string | null, nowMs = Date.now()): number | undefined => {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
};

/** The most useful words about why a fetch failed (`ECONNREFUSED`, `ENOTFOUND`, ...), never a stack. */
export const networkCause = (error: unknown): string => {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
};

/** Where a local server's token lives, for a refused one: the server takes API_TOKEN, else its DATA_DIR's file. */
const tokenHint = (from: string | undefined): string => {
  const server =
    'the server accepts its API_TOKEN, else api_token in its DATA_DIR/dev-secrets.json, DATA_DIR being .data by default';
  if (from === 'API_TOKEN') return `API_TOKEN was refused: ${server}`;
  if (from)
    return `the token came from ${from}; ${server}: give the CLI the DATA_DIR or API_TOKEN npm start uses`;
  return server;
};

const hintFor = (target: ApiTarget, status: number): string => {
  if (status === 401 && target.auth === 'bearer') return tokenHint(target.tokenFrom);
  if (status === 403 && target.auth === 'sigv4')
    return 'IAM refused the signed request: check the credentials, the region and execute-api:Invoke';
  return '';
};

/** For a local URL, what is most likely missing: the server itself. */
export const unreachableHint = (target: Pick<ApiTarget, 'url'>): string =>
  isLocalUrl(new URL(target.url))
    ? ': is `npm start` running? Start it in the signup-gate project, or point --url at your server'
    : '';

/** Calls the API; resolves with the parsed body of a 2xx answer (`null` for 204), throws ApiCallError otherwise. */
export const callApi = async <T>(target: ApiTarget, options: CallOptions): Promise<ApiResult<T>> => {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await target.request({
      method: options.method,
      path: options.path,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (errorName(error) === 'AbortError') throw error;
    if (error instanceof CliError) throw error;
    throw new NetworkError(`cannot reach ${target.url} (${networkCause(error)})${unreachableHint(target)}`);
  }
  const text = await response.text();
  let parsed: unknown = null;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (response.ok) {
    if (parsed === undefined) {
      throw new ApiCallError(response.status, 'bad_response', 'the answer is not JSON', undefined);
    }
    const date = Date.parse(response.headers.get('date') ?? '');
    return {
      status: response.status,
      body: parsed as T,
      ...(Number.isNaN(date) ? {} : { clockOffsetMs: date - Date.now() }),
    };
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
  const plain = (parsed as { message?: unknown } | null)?.message;
  const message =
    typeof error?.message === 'string'
      ? error.message
      : typeof plain === 'string'
        ? plain
        : response.statusText || 'no details';
  throw new ApiCallError(
    response.status,
    code,
    message,
    parseRetryAfter(response.headers.get('retry-after')),
    hintFor(target, response.status),
  );
};

/** Percent-encodes a path segment (a verdict or entry id typed by the operator). */
export const segment = (value: string): string => encodeURIComponent(value);

/** A query string from the defined values (`?a=1&b=2`), or '' when there are none. */
export const queryString = (params: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};
