/**
 * Fault tolerance on the Defastra side, through the apps (Hono `app.request`) with real deps: dynalite store and
 * the sandbox over HTTP with injected faults. Every failure must end in a clear verdict (the error type in
 * `email.error.type`, `degraded: true`, the policy's `on_error` decision), stored and retrievable: nothing lost.
 */
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import { createAuth0HookApp } from '../../functions/auth0-hook/app.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { createDefastraClient } from '../../shared/defastra/client.js';
import { DEFASTRA_ERROR_TYPES } from '../../shared/defastra/errors.js';
import type { AppDeps } from '../../shared/runtime/deps.js';
import { signAuth0Body } from '../../shared/webhooks/auth0.js';
import { createTestDeps, TEST_API_TOKEN, TEST_AUTH0_SECRET, type TestDeps } from '../helpers/deps.js';

/**
 * Small budgets keep the slow cases fast: a retried rate limit waits its whole window (5 s or 60 s) unless the
 * budget cuts the wait, so the budget bounds every case here.
 */
const API_BUDGET_MS = 600;
const AUTH0_BUDGET_MS = 400;
const POLICY = { budget_ms: { api: API_BUDGET_MS, auth0: AUTH0_BUDGET_MS }, cache_hours: 0 };

const auth = { Authorization: `Bearer ${TEST_API_TOKEN}` };
let n = 0;
const freshEmail = () => `fault.${process.pid}.${++n}@example.org`;

let t: TestDeps;
let api: ReturnType<typeof createApiApp>;
beforeAll(async () => {
  t = await createTestDeps({ policy: POLICY });
  api = createApiApp(t.provider);
});
afterAll(() => t.close());
afterEach(() => {
  t.sandbox.clearFaults();
  t.sandbox.resetStats();
});

const screen = async (
  app: ReturnType<typeof createApiApp>,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) => {
  const started = performance.now();
  const res = await app.request('/screen', {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { res, ms: performance.now() - started };
};

/** The verdict is stored: GET /verdicts/{id} answers it unchanged. */
const expectStored = async (verdict: Verdict, app = api) => {
  const res = await app.request(`/verdicts/${verdict.verdict_id}`, { headers: auth });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual(verdict);
};

/** A degraded verdict from `on_error.api` (review), with the email's error type. */
const expectDegraded = (verdict: Verdict, type: string) => {
  expect(verdict.email?.error?.type).toBe(type);
  expect(verdict.email?.error?.message.length).toBeGreaterThan(0);
  expect(verdict.email?.risk_level).toBeUndefined();
  expect(verdict.degraded).toBe(true);
  expect(verdict.decision).toBe('review');
  expect(verdict.reasons.map((r) => r.code)).toContain('defastra_error');
};

describe('Defastra slower than the budget', () => {
  it('answers at the budget with a TIMEOUT verdict, stored', async () => {
    t.sandbox.setFaults({ latencyMs: 5_000 });
    const { res, ms } = await screen(api, { email: freshEmail() });
    expect(res.status).toBe(200);
    const verdict = (await res.json()) as Verdict;
    expectDegraded(verdict, 'TIMEOUT');
    expect(ms).toBeGreaterThanOrEqual(API_BUDGET_MS - 50);
    expect(ms).toBeLessThan(API_BUDGET_MS + 1_500);
    await expectStored(verdict);
  });

  it('email and phone share the one budget: both TIMEOUT at once, not one after the other', async () => {
    t.sandbox.setFaults({ latencyMs: 5_000 });
    const { res, ms } = await screen(api, { email: freshEmail(), phone: '+33 6 12 34 56 78' });
    expect(ms).toBeLessThan(API_BUDGET_MS * 2);
    const verdict = (await res.json()) as Verdict;
    expect(res.status).toBe(200);
    expect(verdict.email?.error?.type).toBe('TIMEOUT');
    expect(verdict.phone?.error?.type).toBe('TIMEOUT');
    expect(verdict.degraded).toBe(true);
    await expectStored(verdict);
  });

  it('applies on_error.auth0 (allow) on the Auth0 hook, degraded, so it never looks like a clean allow', async () => {
    t.sandbox.setFaults({ latencyMs: 5_000 });
    const hook = createAuth0HookApp(t.provider);
    const body = JSON.stringify({ user: { email: freshEmail() } });
    const key = `fault-${process.pid}-${++n}`;
    const started = performance.now();
    const res = await hook.request('/hooks/auth0', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Signup-Gate-Signature': signAuth0Body(TEST_AUTH0_SECRET, body, Math.floor(Date.now() / 1000), key),
        'Idempotency-Key': key,
      },
      body,
    });
    expect(performance.now() - started).toBeLessThan(AUTH0_BUDGET_MS + 1_500);
    expect(res.status).toBe(200);
    const verdict = (await res.json()) as Verdict & { user_message: string };
    expect(verdict).toMatchObject({ decision: 'allow', degraded: true, source: 'auth0' });
    expect(verdict.email?.error?.type).toBe('TIMEOUT');
    const { user_message: _message, ...stored } = verdict;
    await expectStored(stored);
  });
});

/** Defastra saying the value itself is malformed: the same case as our own invalid value (not degraded). */
const INVALID_VALUE_TYPES = new Set(['INVALID_REQUEST_EMAIL', 'INVALID_REQUEST_PHONE']);

describe('every Defastra error type', () => {
  it('INVALID_REQUEST_EMAIL → 200, invalid_email (at least review), not degraded, stored', async () => {
    t.sandbox.setFaults({ errorType: 'INVALID_REQUEST_EMAIL' });
    const { res } = await screen(api, { email: freshEmail() });
    expect(res.status).toBe(200);
    const verdict = (await res.json()) as Verdict;
    expect(verdict.decision).toBe('review');
    expect(verdict.degraded).toBe(false);
    expect(verdict.reasons.map((r) => r.code)).toEqual(['invalid_email']);
    expect(verdict.email).toMatchObject({ invalid: true });
    await expectStored(verdict);
  });

  it.each(DEFASTRA_ERROR_TYPES.filter((type) => !INVALID_VALUE_TYPES.has(type)))(
    '%s → 200, degraded verdict with that type, stored',
    async (type) => {
      t.sandbox.setFaults({ errorType: type });
      const { res, ms } = await screen(api, { email: freshEmail() });
      expect(res.status).toBe(200);
      const verdict = (await res.json()) as Verdict;
      expectDegraded(verdict, type);
      expect(ms).toBeLessThan(API_BUDGET_MS + 1_500);
      await expectStored(verdict);
    },
  );
});

describe('broken transport', () => {
  it('a 5xx with an HTML body → BAD_RESPONSE, stored', async () => {
    t.sandbox.setFaults({ http5xx: 502 });
    const { res } = await screen(api, { email: freshEmail() });
    expect(res.status).toBe(200);
    const verdict = (await res.json()) as Verdict;
    expectDegraded(verdict, 'BAD_RESPONSE');
    expect(JSON.stringify(verdict)).not.toContain('<html');
    await expectStored(verdict);
  });

  it('a connection reset in the middle of the answer → NETWORK, stored', async () => {
    t.sandbox.setFaults({ resetMidResponse: true });
    const { res } = await screen(api, { email: freshEmail() });
    expect(res.status).toBe(200);
    const verdict = (await res.json()) as Verdict;
    expectDegraded(verdict, 'NETWORK');
    await expectStored(verdict);
  });

  it('connection refused (a closed port) → NETWORK, stored', async () => {
    // A port that was just free: listen on 0, note the port, close. Nothing listens there afterwards.
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const refused = createDefastraClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: async () => 'sandbox-key',
      backoffMs: 5,
    });
    const deps: AppDeps = { ...t.deps, defastra: refused };
    const app = createApiApp(async () => deps);
    try {
      const { res, ms } = await screen(app, { email: freshEmail() });
      expect(res.status).toBe(200);
      const verdict = (await res.json()) as Verdict;
      expectDegraded(verdict, 'NETWORK');
      expect(ms).toBeLessThan(API_BUDGET_MS + 1_500);
      await expectStored(verdict, app);
    } finally {
      refused.close();
    }
  });

  it('a failed screening with an Idempotency-Key is complete: a replay answers the same verdict, no new call', async () => {
    t.sandbox.setFaults({ http5xx: 503 });
    const key = `fault-${process.pid}-${++n}`;
    const body = { email: freshEmail() };
    const first = await screen(api, body, { 'Idempotency-Key': key });
    const verdict = (await first.res.json()) as Verdict;
    expectDegraded(verdict, 'BAD_RESPONSE');
    t.sandbox.clearFaults();
    const calls = t.sandbox.stats().requests;
    const replay = await screen(api, body, { 'Idempotency-Key': key });
    expect(replay.res.status).toBe(200);
    expect(await replay.res.json()).toEqual(verdict);
    expect(t.sandbox.stats().requests).toBe(calls);
    await expectStored(verdict);
  });
});
