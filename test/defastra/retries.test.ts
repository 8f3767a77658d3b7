/** Client retries, deadlines, local validation and API key rotation against the sandbox. */
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { TimeoutMode } from '../../shared/core/levels.js';
import type { DefastraCallInfo, DefastraClient } from '../../shared/defastra/client.js';
import {
  DefastraAuthError,
  DefastraFundsError,
  DefastraRateLimitError,
  DefastraRequestError,
  DefastraSystemError,
  DefastraTimeoutError,
} from '../../shared/defastra/errors.js';
import { SANDBOX_IDENTITIES as ID } from '../../shared/defastra/sandbox/identities.js';
import type { Sandbox } from '../../shared/defastra/sandbox/server.js';
import { failure, fastClient, useSandboxClient } from './helpers.js';

let sandbox: Sandbox;
let client: DefastraClient;
useSandboxClient((s, c) => {
  sandbox = s;
  client = c;
});

describe('retries', () => {
  it('SYSTEM_ERROR once → succeeds on the second attempt', async () => {
    sandbox.setFaults({ errorType: 'SYSTEM_ERROR', errorCount: 1 });
    const calls: DefastraCallInfo[] = [];
    const own = fastClient(sandbox, { onCall: (info) => calls.push(info) });
    const result = await own.checkEmail(ID.email.medium);
    own.close();
    expect(result.riskLevel).toBe('medium');
    expect(sandbox.stats().requests).toBe(2);
    expect(calls.map((c) => [c.attempt, c.outcome])).toEqual([
      [1, 'SYSTEM_ERROR'],
      [2, 'ok'],
    ]);
    expect(calls[1]?.wallet).toBeTypeOf('number');
  });

  it('a lasting system error stops after maxAttempts', async () => {
    sandbox.setFaults({ errorType: 'SYSTEM_UNAVAILABLE' });
    await expect(client.checkEmail(ID.email.low)).rejects.toBeInstanceOf(DefastraSystemError);
    expect(sandbox.stats().requests).toBe(3);
    const once = fastClient(sandbox, { maxAttempts: 1 });
    await expect(once.checkEmail(ID.email.low)).rejects.toBeInstanceOf(DefastraSystemError);
    once.close();
    expect(sandbox.stats().requests).toBe(4);
  });

  it('INSUFFICIENT_FUNDS is not retried and nothing is debited', async () => {
    sandbox.setFaults({ walletBalance: 0.01 });
    await expect(client.checkEmail(ID.email.low)).rejects.toBeInstanceOf(DefastraFundsError);
    expect(sandbox.stats().requests).toBe(1);
    expect(sandbox.stats().wallet).toBe(0.01);
  });

  it('retry:false sends one request only', async () => {
    sandbox.setFaults({ errorType: 'SYSTEM_ERROR', errorCount: 1 });
    await expect(client.checkEmail(ID.email.low, { retry: false })).rejects.toBeInstanceOf(
      DefastraSystemError,
    );
    expect(sandbox.stats().requests).toBe(1);
  });

  it('a rate-limit wait that would pass the deadline is not started', async () => {
    sandbox.setFaults({ rateLimit: { per5s: 1 } });
    await client.checkEmail(ID.email.low);
    const started = Date.now();
    const error = await failure(
      client.checkEmail(ID.email.low, { signal: AbortSignal.timeout(3_000), deadline: Date.now() + 3_000 }),
    );
    expect(error).toBeInstanceOf(DefastraRateLimitError);
    expect(error).toMatchObject({ type: 'RATE_LIMITED_5_SECONDS' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sandbox.stats().requests).toBe(2);
  });

  it('the 1-minute window is reported once the 5-second one allows', async () => {
    sandbox.setFaults({ rateLimit: { per5s: 10, perMinute: 1 } });
    await client.checkPhone(ID.phone.low);
    const error = await failure(client.checkPhone(ID.phone.low, { deadline: Date.now() + 1_000 }));
    expect(error).toMatchObject({ type: 'RATE_LIMITED_1_MINUTE' });
    expect(sandbox.stats().requests).toBe(2);
  });

  it('with only a signal, aborting during the wait ends the call with the last error', async () => {
    sandbox.setFaults({ rateLimit: { per5s: 1 } });
    await client.checkEmail(ID.email.low);
    const error = await failure(client.checkEmail(ID.email.low, { signal: AbortSignal.timeout(300) }));
    expect(error).toBeInstanceOf(DefastraRateLimitError);
    expect(sandbox.stats().requests).toBe(2);
  });
});

describe('deadline', () => {
  it('aborts an in-flight request well before the sandbox answers, without retrying', async () => {
    sandbox.setFaults({ latencyMs: 2_000 });
    const started = Date.now();
    const error = await failure(client.checkEmail(ID.email.low, { signal: AbortSignal.timeout(200) }));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(DefastraTimeoutError);
    expect(error).toMatchObject({ type: 'TIMEOUT' });
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1_000);
    await delay(50);
    expect(sandbox.stats().requests).toBe(1);
  });

  it('an already aborted signal sends nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(client.checkEmail(ID.email.low, { signal: controller.signal })).rejects.toBeInstanceOf(
      DefastraTimeoutError,
    );
    expect(sandbox.stats().requests).toBe(0);
  });
});

describe('local validation (nothing is sent)', () => {
  it('a 31-character label is rejected as INVALID_LABEL; 30 characters pass', async () => {
    const error = await failure(client.checkEmail(ID.email.low, { label: 'x'.repeat(31) }));
    expect(error).toBeInstanceOf(DefastraRequestError);
    expect(error).toMatchObject({ type: 'INVALID_LABEL', retryable: false });
    expect(sandbox.stats().requests).toBe(0);
    await expect(client.checkEmail(ID.email.low, { label: 'y'.repeat(30) })).resolves.toMatchObject({
      riskLevel: 'low',
    });
    expect(sandbox.stats().requests).toBe(1);
  });

  it('an unknown timeout mode is rejected as INVALID_REQUEST_TIMEOUT', async () => {
    const error = await failure(client.checkPhone(ID.phone.low, { timeout: 'fast' as TimeoutMode }));
    expect(error).toMatchObject({ type: 'INVALID_REQUEST_TIMEOUT' });
    expect(sandbox.stats().requests).toBe(0);
  });

  it('a phone without digits and an email without @ are rejected', async () => {
    await expect(client.checkPhone('+ ( ) -')).rejects.toMatchObject({ type: 'INVALID_REQUEST_PHONE' });
    await expect(client.checkEmail('not-an-address')).rejects.toMatchObject({
      type: 'INVALID_REQUEST_EMAIL',
    });
    expect(sandbox.stats().requests).toBe(0);
  });
});

describe('API key rotation', () => {
  it('INVALID_API_KEY → refreshApiKey once, then the call succeeds with the new key', async () => {
    let current = 'rotated-away-key';
    let refreshes = 0;
    const own = fastClient(sandbox, {
      apiKey: async () => current,
      refreshApiKey: async () => {
        refreshes += 1;
        current = sandbox.apiKey;
        return current;
      },
    });
    await expect(own.checkEmail(ID.email.high)).resolves.toMatchObject({ riskLevel: 'high' });
    expect(refreshes).toBe(1);
    expect(sandbox.stats().requests).toBe(2);
    await own.checkEmail(ID.email.high);
    own.close();
    expect(refreshes).toBe(1);
    expect(sandbox.stats().requests).toBe(3);
  });

  it('a refreshed key that is still invalid fails after one refresh', async () => {
    let refreshes = 0;
    const own = fastClient(sandbox, {
      apiKey: async () => 'bad-key',
      refreshApiKey: async () => {
        refreshes += 1;
        return 'still-bad-key';
      },
    });
    await expect(own.checkEmail(ID.email.low)).rejects.toBeInstanceOf(DefastraAuthError);
    own.close();
    expect(refreshes).toBe(1);
    expect(sandbox.stats().requests).toBe(2);
  });

  it('parallel calls share one refresh', async () => {
    let current = 'old-key';
    let refreshes = 0;
    const own = fastClient(sandbox, {
      apiKey: async () => current,
      refreshApiKey: async () => {
        refreshes += 1;
        await delay(20);
        current = sandbox.apiKey;
        return current;
      },
    });
    const [email, phone] = await Promise.all([own.checkEmail(ID.email.low), own.checkPhone(ID.phone.low)]);
    own.close();
    expect([email.riskLevel, phone.riskLevel]).toEqual(['low', 'low']);
    expect(refreshes).toBe(1);
  });

  it('without refreshApiKey an invalid key fails after one request', async () => {
    const own = fastClient(sandbox, { apiKey: async () => 'bad-key' });
    await expect(own.checkEmail(ID.email.low)).rejects.toMatchObject({ type: 'INVALID_API_KEY' });
    own.close();
    expect(sandbox.stats().requests).toBe(1);
  });
});

describe('onCall hook', () => {
  it('a throwing hook does not break the call', async () => {
    const own = fastClient(sandbox, {
      onCall: () => {
        throw new Error('metrics down');
      },
    });
    await expect(own.checkEmail(ID.email.low)).resolves.toMatchObject({ riskLevel: 'low' });
    own.close();
  });
});
