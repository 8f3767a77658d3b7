/** Pure retry rules: which errors retry in-call, backoff and rate-limit waits, deadline check, sleep. */
import { describe, expect, it } from 'vitest';
import {
  apiErrorFor,
  DefastraBadResponseError,
  DefastraNetworkError,
  DefastraTimeoutError,
} from '../../shared/defastra/errors.js';
import {
  isRetryableInCall,
  RATE_LIMIT_JITTER_MS,
  retryDelayMs,
  sleep,
  wouldPassDeadline,
} from '../../shared/defastra/retry.js';

describe('isRetryableInCall', () => {
  it.each([
    ['SYSTEM_ERROR', apiErrorFor('SYSTEM_ERROR', ''), true],
    ['UNHANDLED_EXCEPTION', apiErrorFor('UNHANDLED_EXCEPTION', ''), true],
    ['RATE_LIMITED_1_MINUTE', apiErrorFor('RATE_LIMITED_1_MINUTE', ''), true],
    ['network before send', new DefastraNetworkError('x', true), true],
    ['network after send', new DefastraNetworkError('x', false), false],
    ['bad response', new DefastraBadResponseError('x', 502), false],
    ['client timeout', new DefastraTimeoutError('x'), false],
    ['INSUFFICIENT_FUNDS', apiErrorFor('INSUFFICIENT_FUNDS', ''), false],
    ['INVALID_API_KEY', apiErrorFor('INVALID_API_KEY', ''), false],
    ['INVALID_LABEL', apiErrorFor('INVALID_LABEL', ''), false],
  ])('%s → %s', (_name, error, expected) => {
    expect(isRetryableInCall(error)).toBe(expected);
  });
});

describe('retryDelayMs', () => {
  const system = apiErrorFor('SYSTEM_ERROR', '');

  it('doubles each step, with the random half on top of the fixed half', () => {
    expect(retryDelayMs(system, 1, 200, () => 0)).toBe(100);
    expect(retryDelayMs(system, 1, 200, () => 0.999)).toBe(199);
    expect(retryDelayMs(system, 2, 200, () => 0)).toBe(200);
    expect(retryDelayMs(system, 3, 200, () => 0)).toBe(400);
  });

  it('waits at least the whole rate-limit window, plus bounded jitter', () => {
    const five = apiErrorFor('RATE_LIMITED_5_SECONDS', '');
    const minute = apiErrorFor('RATE_LIMITED_1_MINUTE', '');
    expect(retryDelayMs(five, 1, 1, () => 0)).toBe(5_000);
    expect(retryDelayMs(five, 1, 1, () => 0.999)).toBeLessThan(5_000 + RATE_LIMIT_JITTER_MS);
    expect(retryDelayMs(minute, 2, 1, () => 0.5)).toBeGreaterThanOrEqual(60_000);
  });
});

describe('wouldPassDeadline', () => {
  it('is false without a deadline and true when the wait ends at or after it', () => {
    expect(wouldPassDeadline(10_000, undefined, 0)).toBe(false);
    expect(wouldPassDeadline(100, 1_000, 0)).toBe(false);
    expect(wouldPassDeadline(1_000, 1_000, 0)).toBe(true);
  });
});

describe('sleep', () => {
  it('resolves true after the wait, false at once when aborted', async () => {
    await expect(sleep(1)).resolves.toBe(true);
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await expect(pending).resolves.toBe(false);
    await expect(sleep(60_000, controller.signal)).resolves.toBe(false);
  });
});
