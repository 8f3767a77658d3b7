/** The screening use case against the sandbox over HTTP and the in-memory store: parallelism, cache, lists, errors. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_IDENTITIES as ID } from '../../shared/defastra/sandbox/identities.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { planScreening, RetryableScreeningError, screen } from '../../shared/screening/screen.js';
import type { PreludeRequest } from '../../shared/store/ports.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

let t: TestDeps;
beforeAll(async () => {
  t = await createTestDeps({ store: 'memory' });
  // Warm the code paths and the keep-alive connections, so the timing test below measures parallelism only.
  await screen(t.deps, parsePolicy({ cache_hours: 0 }), {
    source: 'api',
    sourceRef: null,
    email: 'warm.up@example.com',
    phone: `+${ID.phone.low}`,
  });
  t.sandbox.resetStats();
});
afterAll(() => t.close());
afterEach(() => {
  t.sandbox.clearFaults();
  t.sandbox.resetStats();
});

const policy = (doc: unknown = {}) => parsePolicy(doc);
let counter = 0;
/** A fresh low-risk address each time, so the cache never interferes. */
const freshEmail = (tag = 'low') => `user${++counter}+${tag}@example.com`;

describe('screen', () => {
  it('checks email and phone in parallel: two 300 ms calls take under 500 ms, not 600', async () => {
    t.sandbox.setFaults({ latencyMs: 300 });
    const started = performance.now();
    const { verdict } = await screen(t.deps, policy({ cache_hours: 0 }), {
      source: 'api',
      sourceRef: null,
      email: freshEmail(),
      phone: `+${ID.phone.low}`,
    });
    const elapsed = performance.now() - started;
    expect(verdict.email?.risk_level).toBe('low');
    expect(verdict.phone?.risk_level).toBe('low');
    expect(t.sandbox.stats().requests).toBe(2);
    expect(elapsed).toBeLessThan(500);
  });

  it('reuses a cached result with no Defastra call and re-applies the current policy', async () => {
    const email = freshEmail('medium');
    const first = await screen(t.deps, policy(), { source: 'api', sourceRef: null, email });
    expect(first.verdict.decision).toBe('review');
    expect(first.verdict.email?.cached).toBe(false);
    t.sandbox.resetStats();
    const stricter = policy({ thresholds: { email: { block: 'medium' } } });
    const second = await screen(t.deps, stricter, {
      source: 'api',
      sourceRef: null,
      email: ` ${email.toUpperCase()} `,
    });
    expect(t.sandbox.stats().requests).toBe(0);
    expect(second.verdict.email?.cached).toBe(true);
    expect(second.verdict.email?.request_id).toBe(first.verdict.email?.request_id);
    expect(second.verdict.decision).toBe('block');
  });

  it('calls Defastra again once the cached result is older than cache_hours', async () => {
    const email = freshEmail();
    await screen(t.deps, policy(), { source: 'api', sourceRef: null, email });
    const later = { ...t.deps, now: () => Date.now() + 25 * 3_600_000 };
    t.sandbox.resetStats();
    const { verdict } = await screen(later, policy(), { source: 'api', sourceRef: null, email });
    expect(t.sandbox.stats().requests).toBe(1);
    expect(verdict.email?.cached).toBe(false);
  });

  it('shares one Defastra call among concurrent screenings of the same new identifier', async () => {
    t.sandbox.setFaults({ latencyMs: 100 });
    const email = freshEmail('medium');
    const records = await Promise.all(
      Array.from({ length: 5 }, () => screen(t.deps, policy(), { source: 'api', sourceRef: null, email })),
    );
    expect(t.sandbox.stats().requests).toBe(1);
    expect(records.map((r) => r.verdict.email?.cached).sort()).toEqual([false, true, true, true, true]);
    expect(new Set(records.map((r) => r.verdict.email?.request_id)).size).toBe(1);
    expect(records.every((r) => r.verdict.decision === 'review')).toBe(true);
  });

  it('uses the store round trip a plan started ahead instead of reading again', async () => {
    const email = freshEmail('high');
    await screen(t.deps, policy(), { source: 'api', sourceRef: null, email });
    let preludes = 0;
    const store = t.deps.store;
    const counting = {
      ...store,
      screening: {
        ...store.screening,
        prelude: (request: PreludeRequest) => {
          preludes += 1;
          return store.screening.prelude(request);
        },
      },
    };
    const deps = { ...t.deps, store: counting };
    const input = { source: 'api' as const, sourceRef: null, email, phone: `+${ID.phone.low}` };
    const plan = planScreening(deps, policy(), input);
    expect(preludes).toBe(1);
    t.sandbox.resetStats();
    const { verdict } = await screen(deps, policy(), input, { plan });
    expect(preludes).toBe(1);
    expect(verdict.email?.cached).toBe(true);
    expect(verdict.decision).toBe('block');
    expect(t.sandbox.stats().byEndpoint.email).toBe(0);
  });

  it('blocks when one identifier fails and the other blocks', async () => {
    const { verdict } = await screen(t.deps, policy({ cache_hours: 0 }), {
      source: 'auth0',
      sourceRef: null,
      email: ID.email.errors.SYSTEM_ERROR,
      phone: `+${ID.phone.extreme}`,
    });
    expect(verdict.decision).toBe('block');
    expect(verdict.degraded).toBe(true);
    expect(verdict.email?.error?.type).toBe('SYSTEM_ERROR');
    expect(verdict.reasons.map((r) => r.code).sort()).toEqual(['defastra_error', 'phone_risk']);
  });

  it('applies on_error for the source and marks the verdict degraded', async () => {
    t.sandbox.setFaults({ errorType: 'INSUFFICIENT_FUNDS' });
    const { verdict } = await screen(t.deps, policy({ cache_hours: 0 }), {
      source: 'stripe',
      sourceRef: 'evt_1',
      email: freshEmail(),
    });
    expect(verdict.decision).toBe('review');
    expect(verdict.degraded).toBe(true);
    expect(verdict.email?.error).toEqual({ type: 'INSUFFICIENT_FUNDS', message: expect.any(String) });
  });

  it('turns a deadline into a TIMEOUT error, decided by on_error', async () => {
    t.sandbox.setFaults({ latencyMs: 2_000 });
    const started = performance.now();
    const { verdict } = await screen(t.deps, policy({ cache_hours: 0, budget_ms: { auth0: 150 } }), {
      source: 'auth0',
      sourceRef: null,
      email: freshEmail(),
    });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(verdict.email?.error?.type).toBe('TIMEOUT');
    expect(verdict.decision).toBe('allow');
    expect(verdict.degraded).toBe(true);
    expect(verdict.reasons.map((r) => r.code)).toEqual(['defastra_error']);
  });

  it('throws RetryableScreeningError and stores nothing when asked to surface retryable failures', async () => {
    t.sandbox.setFaults({ errorType: 'RATE_LIMITED_5_SECONDS' });
    const ref = `evt_${++counter}`;
    await expect(
      screen(
        t.deps,
        policy({ cache_hours: 0 }),
        { source: 'stripe', sourceRef: ref, email: freshEmail() },
        {
          throwOnRetryable: true,
          retry: false,
        },
      ),
    ).rejects.toBeInstanceOf(RetryableScreeningError);
    expect(t.sandbox.stats().requests).toBe(1);
    const page = await t.deps.store.verdicts.query({ limit: 100, source: 'stripe' });
    expect(page.items.some((v) => v.source_ref === ref)).toBe(false);
  });

  it('makes no Defastra call for allow- or block-listed identifiers', async () => {
    const p = policy({
      allow: { email_domains: ['trusted.example'] },
      block: { phones: ['+33 6 00 00 00 01'] },
    });
    const allowed = await screen(t.deps, p, {
      source: 'api',
      sourceRef: null,
      email: 'ceo@mail.trusted.example',
    });
    expect(allowed.verdict.decision).toBe('allow');
    expect(allowed.verdict.email).toEqual({ masked: 'c***@mail.trusted.example', listed: 'allow' });
    // A block entry beats a domain allow entry (only an exact email or phone allow entry beats a block).
    const both = await screen(t.deps, p, {
      source: 'api',
      sourceRef: null,
      email: 'cfo@mail.trusted.example',
      phone: '+33 6 00 00 00 01',
    });
    expect(both.verdict.decision).toBe('block');
    expect(both.verdict.email).toEqual({ masked: 'c***@mail.trusted.example' });
    expect(both.verdict.phone).toMatchObject({ listed: 'block' });
    const blocked = await screen(t.deps, p, {
      source: 'api',
      sourceRef: null,
      email: freshEmail(),
      phone: `+${ID.phone.low}`,
    });
    expect(blocked.verdict.decision).toBe('block');
    expect(blocked.verdict.phone?.listed).toBe('block');
    expect(t.sandbox.stats().requests).toBe(0);
  });

  it('gives invalid identifiers no call: an invalid email reviews, an invalid phone only informs', async () => {
    const { verdict } = await screen(t.deps, policy(), {
      source: 'api',
      sourceRef: null,
      email: 'not-an-email',
      phone: '0612345678',
    });
    expect(t.sandbox.stats().requests).toBe(0);
    expect(verdict.decision).toBe('review');
    expect(verdict.reasons.map((r) => r.code).sort()).toEqual(['invalid_email', 'invalid_phone']);
    const phoneOnly = await screen(t.deps, policy(), { source: 'api', sourceRef: null, phone: '0612345678' });
    expect(phoneOnly.verdict.decision).toBe('allow');
    expect(phoneOnly.verdict.reasons.map((r) => r.code)).toEqual(['invalid_phone']);
  });

  it('uses default_country_code for national numbers', async () => {
    const { verdict } = await screen(t.deps, policy({ default_country_code: '33', cache_hours: 0 }), {
      source: 'api',
      sourceRef: null,
      phone: '06 00 00 00 04',
    });
    expect(verdict.phone?.risk_level).toBe('extreme');
    expect(verdict.decision).toBe('block');
  });

  it('answers allow with no_identifiers when there is nothing to check', async () => {
    const { verdict } = await screen(t.deps, policy(), { source: 'auth0', sourceRef: 'k1' });
    expect(verdict.decision).toBe('allow');
    expect(verdict.reasons.map((r) => r.code)).toEqual(['no_identifiers']);
    expect(verdict.email).toBeNull();
    expect(verdict.phone).toBeNull();
  });

  it('keeps raw identifiers out of the verdict, the record and the cache', async () => {
    const email = freshEmail('high');
    const phone = `+${ID.phone.medium}`;
    const record = await screen(t.deps, policy(), { source: 'api', sourceRef: 'r', email, phone });
    const text = JSON.stringify(record);
    expect(text).not.toContain(email);
    expect(text).not.toContain(email.split('@')[0]);
    expect(text).not.toContain(phone);
    expect(text).not.toContain(phone.slice(-9));
    expect(record.emailHash).toMatch(/^[0-9a-f]{64}$/);
    const { cache } = await t.deps.store.screening.prelude({
      cache: [{ kind: 'phone', hash: record.phoneHash! }],
      lists: [],
      velocity: [],
    });
    const cached = cache.get(`phone:${record.phoneHash}`);
    expect(cached).toBeDefined();
    expect(JSON.stringify(cached)).not.toContain(phone.slice(-9));
    expect(record.verdict.verdict_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});
