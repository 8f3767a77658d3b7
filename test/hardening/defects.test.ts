/**
 * The defects found in review (issue 9), each with a test that failed before its fix: redaction and caps of what
 * Defastra writes, keyed body hashes, a failed cache write after a stored verdict, Stripe's empty `v1=`, velocity
 * counts that cannot be written, `Retry-After` on 409.
 */
import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import { createStripeHookApp } from '../../functions/stripe-hook/app.js';
import type { Verdict } from '../../shared/core/verdict.js';
import type { LogFields, Telemetry } from '../../shared/observability/telemetry.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import type { Store } from '../../shared/store/ports.js';
import { createTestDeps, TEST_API_TOKEN, TEST_STRIPE_SECRET, type TestDeps } from '../helpers/deps.js';
import { customerCreated, sign } from '../stripe/fixtures/events.js';

const lines: Array<{ message: string; fields: LogFields | undefined }> = [];
const failedWrites: string[] = [];
const recording: Telemetry = {
  ...silentTelemetry,
  info: (message, fields) => lines.push({ message, fields }),
  warn: (message, fields) => lines.push({ message, fields }),
  error: (message, fields) => lines.push({ message, fields }),
  storeWriteFailed: (what) => failedWrites.push(what),
};

let t: TestDeps;
beforeAll(async () => {
  t = await createTestDeps({ overrides: { telemetry: recording } });
});
afterAll(() => t.close());
afterEach(() => {
  t.sandbox.clearFaults();
  t.sandbox.resetStats();
  lines.length = 0;
  failedWrites.length = 0;
});

let n = 0;
const email = (tag = 'low') => `defect${++n}.${process.pid}+${tag}@example.com`;
const auth = { Authorization: `Bearer ${TEST_API_TOKEN}`, 'Content-Type': 'application/json' };
const screenWith = (deps: TestDeps['deps'], body: unknown, headers: Record<string, string> = {}) =>
  createApiApp(async () => deps, recording).request('/screen', {
    method: 'POST',
    headers: { ...auth, ...headers },
    body: JSON.stringify(body),
  });

describe('what Defastra writes is redacted and capped before it is stored or returned', () => {
  it('an email and a phone in an error message are masked, the message at most 200 characters', async () => {
    t.sandbox.setFaults({
      errorType: 'SYSTEM_ERROR',
      errorMessage: `Failure for john.doe@victim.org (tel. +33 6 12 34 56 78): ${'x'.repeat(400)}`,
    });
    const res = await screenWith(t.deps, { email: email() });
    expect(res.status).toBe(200);
    const verdict = (await res.json()) as Verdict;
    const message = verdict.email?.error?.message ?? '';
    expect(message.length).toBeLessThanOrEqual(200);
    expect(message).not.toContain('john.doe');
    expect(message).toContain('j***@victim.org');
    expect(message.replace(/\D/g, '')).not.toContain('612345678');
    expect(await t.deps.store.verdicts.get(verdict.verdict_id)).toEqual(verdict);
  });

  it.each([
    ['a national number with spaces', 'Seen with 06 12 34 56 78 on two sites', '0612345678'],
    ['dots', 'Carrier lookup for 06.12.34.56.78', '0612345678'],
    ['an international number', 'Registered as +44 20 7946 0958 (UK)', '442079460958'],
    ['a US number', 'Listed at (415) 555-0132 since 2019', '4155550132'],
    ['a 00 prefix', 'Also 0033612345678 in a breach', '0033612345678'],
    ['an email', 'Linked account: Someone.Else@Example.net', 'someone.else'],
  ])('a check detail with %s is masked', async (_name, detail, secret) => {
    t.sandbox.setFaults({ checkDetail: detail });
    const res = await screenWith(t.deps, { email: email() });
    const verdict = (await res.json()) as Verdict;
    const details = (verdict.email?.checks ?? []).map((c) => c.detail).join(' ');
    expect(details.length).toBeGreaterThan(0);
    expect(details.toLowerCase().replace(/[\s.()+-]/g, '')).not.toContain(secret.replace(/[\s.()+-]/g, ''));
  });

  it('leaves dates and scores alone', async () => {
    t.sandbox.setFaults({ checkDetail: 'First seen 2019-04-12, score 38' });
    const verdict = (await (await screenWith(t.deps, { email: email() })).json()) as Verdict;
    expect(verdict.email?.checks?.[0]?.detail).toBe('First seen 2019-04-12, score 38');
  });

  it('a 450 KB detail is cut to 500 characters, so the verdict is stored instead of failing the screening', async () => {
    t.sandbox.setFaults({ checkDetail: 'y'.repeat(450 * 1024) });
    const res = await screenWith(t.deps, { email: email() });
    expect(res.status).toBe(200);
    const verdict = (await res.json()) as Verdict;
    for (const check of verdict.email?.checks ?? []) expect(check.detail.length).toBeLessThanOrEqual(500);
    expect(await t.deps.store.verdicts.get(verdict.verdict_id)).not.toBeNull();
  });
});

describe('idempotency markers', () => {
  it('store a keyed body hash: nobody who reads the table can confirm a guessed body offline', async () => {
    const body = { email: email() };
    const key = `keyed-${process.pid}-${++n}`;
    expect((await screenWith(t.deps, body, { 'Idempotency-Key': key })).status).toBe(200);
    const { Items = [] } = await t.dynalite!.client.send(
      new ScanCommand({ TableName: t.dynalite!.tableName }),
    );
    const marker = Items.find((item) => item.pk?.S === `M#api#${key}`);
    expect(marker?.body_hash?.S).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const unkeyed = createHash('sha256').update(JSON.stringify(body)).digest('base64url');
    expect(marker?.body_hash?.S).not.toBe(unkeyed);
    expect(marker?.body_hash?.S).not.toBe(createHash('sha256').update(JSON.stringify(body)).digest('hex'));
  });

  it('a cache write that fails after the verdict is stored fails nothing: 200, and a retry gets the same verdict', async () => {
    const failing: Store = {
      ...t.deps.store,
      screening: {
        ...t.deps.store.screening,
        putCachedResult: async () => {
          throw new Error('cache write failed');
        },
      },
    };
    const deps = { ...t.deps, store: failing };
    const body = { email: email('medium') };
    const key = `cache-${process.pid}-${++n}`;
    const first = await screenWith(deps, body, { 'Idempotency-Key': key });
    expect(first.status).toBe(200);
    expect(failedWrites).toContain('cache');
    const again = await screenWith(deps, body, { 'Idempotency-Key': key });
    expect(again.status).toBe(200);
    expect(((await again.json()) as Verdict).verdict_id).toBe(((await first.json()) as Verdict).verdict_id);
    expect(t.sandbox.stats().requests).toBe(1);
  });

  it('answer 409 in_progress with Retry-After while the same key is being processed', async () => {
    t.sandbox.setFaults({ latencyMs: 400 });
    const body = { email: email() };
    const key = `busy-${process.pid}-${++n}`;
    const [a, b] = await Promise.all([
      screenWith(t.deps, body, { 'Idempotency-Key': key }),
      new Promise((resolve) => setTimeout(resolve, 100)).then(() =>
        screenWith(t.deps, body, { 'Idempotency-Key': key }),
      ),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(409);
    expect(Number(b.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('velocity counts that cannot be written', () => {
  it('never block anyone: the screening goes on from Defastra, the failure is logged and counted', async () => {
    const { screening } = t.deps.store;
    const failing: Store = {
      ...t.deps.store,
      screening: {
        ...screening,
        prelude: async (request) => {
          const result = await screening.prelude({ ...request, velocity: [] });
          return { ...result, velocity: request.velocity.map(() => null) };
        },
      },
    };
    const deps = { ...t.deps, store: failing };
    for (let i = 0; i < 35; i++) {
      const res = await screenWith(deps, { email: email('low'), ip: '192.0.2.44' });
      const verdict = (await res.json()) as Verdict;
      expect(verdict.decision).toBe('allow');
    }
    expect(failedWrites.filter((what) => what === 'velocity')).toHaveLength(35);
    expect(lines.some((l) => /velocity count not written/.test(l.message))).toBe(true);
  });
});

describe('Stripe signatures', () => {
  const stripe = () => createStripeHookApp(async () => t.deps, recording);
  const deliver = (payload: string, signature: string) =>
    stripe().request('/hooks/stripe', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
      body: payload,
    });

  it('an empty v1= is a failed signature (400), never a verified one, and no verdict is made', async () => {
    const event = customerCreated({ email: email('high') });
    const payload = JSON.stringify(event);
    const res = await deliver(payload, `t=${Math.floor(Date.now() / 1000)},v1=`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_signature');
    expect(t.sandbox.stats().requests).toBe(0);
  });

  it('tries every active secret, and logs why a signature was refused', async () => {
    const event = customerCreated({ email: email() });
    const good = sign(event, TEST_STRIPE_SECRET);
    const twoSecrets = {
      ...t.deps,
      stripeWebhookSecrets: async () => ['whsec_old_rotated_away', TEST_STRIPE_SECRET],
    };
    const res = await createStripeHookApp(async () => twoSecrets, recording).request('/hooks/stripe', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': `${good.signature},v1=` },
      body: good.payload,
    });
    expect(res.status).toBe(200);

    const reasons: string[] = [];
    for (const signature of [
      '',
      'garbage',
      `t=${Math.floor(Date.now() / 1000) - 600},v1=${'a'.repeat(64)}`,
      sign(event, 'whsec_not_the_secret').signature,
    ]) {
      lines.length = 0;
      expect((await deliver(good.payload, signature)).status).toBe(400);
      const line = lines.find((l) => l.message === 'stripe signature rejected');
      reasons.push(String(line?.fields?.reason));
      expect(String(line?.fields?.hint).length).toBeGreaterThan(10);
    }
    expect(reasons).toEqual(['missing', 'malformed', 'stale', 'mismatch']);
  });
});

describe('operator conveniences', () => {
  it('a phone filter whose + arrived as a space finds the verdict (GET /verdicts?phone=+336...)', async () => {
    const verdict = (await (await screenWith(t.deps, { phone: '+33600000001' })).json()) as Verdict;
    const app = createApiApp(async () => t.deps, recording);
    const res = await app.request('/verdicts?phone=+33600000001', { headers: auth });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: Verdict[] };
    expect(page.items.map((v) => v.verdict_id)).toContain(verdict.verdict_id);
  });

  it('logs one access line per request: method, route, status, duration and verdict id, never the path or PII', async () => {
    const raw = email();
    const verdict = (await (await screenWith(t.deps, { email: raw })).json()) as Verdict;
    const access = lines.filter((l) => l.message === 'request');
    expect(access.at(-1)?.fields).toEqual({
      method: 'POST',
      route: '/screen',
      status: 200,
      duration_ms: expect.any(Number),
      verdict_id: verdict.verdict_id,
    });
    await createApiApp(async () => t.deps, recording).request(`/verdicts?email=${encodeURIComponent(raw)}`, {
      headers: auth,
    });
    expect(lines.at(-1)?.fields).toMatchObject({ method: 'GET', route: '/verdicts', status: 200 });
    expect(JSON.stringify(lines)).not.toContain(raw);
  });
});
