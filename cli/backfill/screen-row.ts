/**
 * Screens one backfill row through `POST /screen` with its Idempotency-Key, retrying politely: `409
 * in_progress` after its `Retry-After` (or 1 s), `429`, `5xx` and network failures with exponential
 * backoff and jitter (a `Retry-After` wins). A retry is safe: same key, same bytes, same verdict.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { callApi } from '../api.js';
import { ApiCallError, NetworkError } from '../errors.js';
import type { ApiTarget } from '../target.js';
import type { WireVerdict } from '../wire.js';

const IN_PROGRESS_ATTEMPTS = 40;
const TRANSIENT_ATTEMPTS = 6;
const MAX_WAIT_MS = 60_000;

/** How long to wait before attempt `attempt + 1`, or null when the error is final. */
export const retryDelayMs = (error: unknown, attempt: number, random = Math.random): number | null => {
  const backoff = () => Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.8 + 0.4 * random());
  if (error instanceof ApiCallError) {
    if (error.status === 409 && error.code === 'in_progress') {
      return attempt < IN_PROGRESS_ATTEMPTS ? Math.min(error.retryAfterMs ?? 1000, 10_000) : null;
    }
    if (error.status === 429 || error.status >= 500) {
      return attempt < TRANSIENT_ATTEMPTS ? Math.min(error.retryAfterMs ?? backoff(), MAX_WAIT_MS) : null;
    }
    return null;
  }
  if (error instanceof NetworkError) return attempt < TRANSIENT_ATTEMPTS ? backoff() : null;
  return null;
};

export interface ScreenRowOptions {
  target: ApiTarget;
  body: string;
  key: string;
  /** Aborts the request itself (a second Ctrl-C). */
  signal: AbortSignal;
  /** Aborts a wait between attempts (the first Ctrl-C): the row is left for the next run. */
  stopping: AbortSignal;
}

export interface ScreenedRow {
  verdict: WireVerdict;
  /** The server's clock minus ours when it answered (see ApiResult). */
  clockOffsetMs?: number;
}

export const screenRow = async (options: ScreenRowOptions): Promise<ScreenedRow> => {
  for (let attempt = 1; ; attempt++) {
    try {
      const { body, clockOffsetMs } = await callApi<WireVerdict>(options.target, {
        method: 'POST',
        path: '/screen',
        body: options.body,
        headers: { 'idempotency-key': options.key },
        signal: options.signal,
      });
      return { verdict: body, ...(clockOffsetMs === undefined ? {} : { clockOffsetMs }) };
    } catch (error) {
      const delay = retryDelayMs(error, attempt);
      if (delay === null) throw error;
      await sleep(delay, undefined, { signal: options.stopping });
    }
  }
};
