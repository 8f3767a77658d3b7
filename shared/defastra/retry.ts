/** Retry rules for one Defastra call: which errors may be retried, how long to wait, and the wait itself. */
import {
  type DefastraError,
  DefastraNetworkError,
  DefastraRateLimitError,
  DefastraSystemError,
} from './errors.js';

/** Upper bound of the random extra wait added after a rate-limit window. */
export const RATE_LIMIT_JITTER_MS = 1_000;

/**
 * Whether an error may be retried inside the same call. Only answers that prove Defastra did not
 * bill (system errors, rate limits) and connection failures before any byte left. Bad responses
 * and mid-response resets may have been billed, and client-side timeouts are the caller's budget.
 */
export const isRetryableInCall = (error: DefastraError): boolean =>
  error instanceof DefastraSystemError ||
  error instanceof DefastraRateLimitError ||
  (error instanceof DefastraNetworkError && error.beforeSend);

/**
 * How long to wait before the next attempt, after `failedAttempts` failures (1 for the first).
 * Rate limits wait the whole window plus up to RATE_LIMIT_JITTER_MS; everything else uses
 * exponential backoff with "equal jitter": half the step fixed, half random.
 */
export const retryDelayMs = (
  error: DefastraError,
  failedAttempts: number,
  backoffMs: number,
  random: () => number = Math.random,
): number => {
  if (error instanceof DefastraRateLimitError) {
    return error.windowMs + Math.floor(random() * RATE_LIMIT_JITTER_MS);
  }
  const step = backoffMs * 2 ** Math.max(0, failedAttempts - 1);
  return Math.floor(step / 2 + random() * (step / 2));
};

/** Whether a wait of `delayMs` starting now would end at or after the deadline. */
export const wouldPassDeadline = (delayMs: number, deadline: number | undefined, now = Date.now()): boolean =>
  deadline !== undefined && now + delayMs >= deadline;

/** Waits `ms`; resolves `false` early if the signal aborts (never rejects). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<boolean> =>
  new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
