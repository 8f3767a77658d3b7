/**
 * `POST /hooks/stripe` over real HTTP through the local server (`npm start`'s code): signature checks and their
 * order, which events are screened, dedupe by event id, and each Defastra failure class via sandbox faults.
 */
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/core/verdict.js';
import { SANDBOX_IDENTITIES as ID } from '../../shared/defastra/sandbox/identities.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import {
  checkoutCompleted,
  customerCreated,
  customerId,
  customerUpdated,
  invoicePaid,
  type SignedDelivery,
  sign,
  uniq,
} from './fixtures/events.js';

const SECRET_A = `whsec_${uniq()}${uniq()}`;
const SECRET_B = `whsec_${uniq()}${uniq()}`;
/** Small enough that the latency fault below passes it; large enough for a loaded CI machine. */
const BUDGET_MS = 1_500;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: { STRIPE_WEBHOOK_SECRET: `${SECRET_A},${SECRET_B}` },
    policy: { budget_ms: { stripe: BUDGET_MS } },
  });
});
afterAll(() => server.close());
afterEach(() => {
  server.sandbox.clearFaults();
});

type HookAnswer = Verdict & { event_id: string; duplicate: boolean };
interface Ignored {
  ignored: true;
  event_id: string;
  event_type: string;
}
interface ErrorAnswer {
  error: { code: string; message: string };
}

const JSON_UTF8 = 'application/json; charset=utf-8';

const post = (body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${server.url}/hooks/stripe`, {
    method: 'POST',
    headers: {
      'Content-Type': JSON_UTF8,
      'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      ...headers,
    },
    body,
  });

const deliver = (delivery: SignedDelivery, headers: Record<string, string> = {}): Promise<Response> =>
  post(delivery.payload, { 'Stripe-Signature': delivery.signature, ...headers });

const errorOf = async (res: Response) => ((await res.json()) as ErrorAnswer).error;

const email = (tag = 'low') => `stripe${uniq()}+${tag}@example.com`;
/** A phone never used before (so never cached), whose last four digits choose the sandbox's answer. */
const phone = (level: 'low' | 'medium' | 'high' = 'low') =>
  `+336${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}${ID.phone[level].slice(-4)}`;
const stats = () => server.sandbox.stats().byEndpoint;

describe('signature (400 invalid_signature)', () => {
  it('accepts a delivery signed with the active secret', async () => {
    const res = await deliver(sign(customerCreated({ email: email() }), SECRET_A));
    expect(res.status).toBe(200);
  });

  it.each([
    [
      'a tampered signature',
      (d: SignedDelivery) => d.signature.replace(/v1=([0-9a-f])/, (_m, c) => `v1=${c === '0' ? '1' : '0'}`),
    ],
    [
      'a signature made with another secret',
      (d: SignedDelivery) => sign(d.event, 'whsec_not_ours_at_all').signature,
    ],
    ['no v1 scheme', (d: SignedDelivery) => d.signature.replace('v1=', 'v0=')],
    ['garbage', () => 'not a stripe signature'],
  ])('rejects %s', async (_name, mutate) => {
    const delivery = sign(customerCreated({ email: email() }), SECRET_A);
    const res = await post(delivery.payload, { 'Stripe-Signature': mutate(delivery) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'invalid_signature', message: expect.any(String) },
    });
  });

  it('rejects a timestamp older than 300 s, and accepts one just inside', async () => {
    const now = Math.floor(Date.now() / 1000);
    const stale = await deliver(sign(customerCreated({ email: email() }), SECRET_A, now - 301));
    expect(stale.status).toBe(400);
    expect((await errorOf(stale)).code).toBe('invalid_signature');
    const fresh = await deliver(sign(customerCreated({ email: email() }), SECRET_A, now - 290));
    expect(fresh.status).toBe(200);
  });

  it('rejects a delivery without the header', async () => {
    const delivery = sign(customerCreated({ email: email() }), SECRET_A);
    const res = await post(delivery.payload);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('invalid_signature');
  });

  it('rejects a body altered after signing, even when only re-serialised', async () => {
    const delivery = sign(customerCreated({ email: email() }), SECRET_A);
    const altered = delivery.payload.replace('"livemode": false', '"livemode": true');
    expect(altered).not.toBe(delivery.payload);
    const res1 = await post(altered, { 'Stripe-Signature': delivery.signature });
    expect(res1.status).toBe(400);
    const compact = JSON.stringify(JSON.parse(delivery.payload));
    const res2 = await post(compact, { 'Stripe-Signature': delivery.signature });
    expect(res2.status).toBe(400);
    expect((await errorOf(res2)).code).toBe('invalid_signature');
  });

  it('accepts both secrets during a rotation, and a header carrying both signatures', async () => {
    for (const secret of [SECRET_A, SECRET_B]) {
      const res = await deliver(sign(customerCreated({ email: email() }), secret));
      expect(res.status).toBe(200);
    }
    // Stripe signs with the old and the new secret while a roll is in progress: `t=..,v1=<old>,v1=<new>`.
    const event = customerCreated({ email: email() });
    const t = Math.floor(Date.now() / 1000);
    const payload = JSON.stringify(event, null, 2);
    const old = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_retired', timestamp: t });
    const current = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET_B, timestamp: t });
    const header = `${old},v1=${current.split('v1=')[1]}`;
    const res = await post(payload, { 'Stripe-Signature': header });
    expect(res.status).toBe(200);
  });

  it('never lets the signature check be skipped with an empty body', async () => {
    const res = await post('', { 'Stripe-Signature': `t=${Math.floor(Date.now() / 1000)},v1=00` });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('invalid_signature');
  });
});

describe('check order (docs/api.md)', () => {
  it('answers 405 with Allow on GET', async () => {
    const res = await fetch(`${server.url}/hooks/stripe`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await errorOf(res)).code).toBe('method_not_allowed');
  });

  it('answers 413 before looking at the signature', async () => {
    const event = customerCreated({ email: email() }, {});
    (event.data as Record<string, unknown>).padding = 'x'.repeat(300 * 1024);
    const signed = sign(event, SECRET_A);
    const unsigned = await post(signed.payload, { 'Stripe-Signature': 'bogus' });
    expect(unsigned.status).toBe(413);
    expect((await errorOf(unsigned)).code).toBe('payload_too_large');
    const valid = await deliver(signed);
    expect(valid.status).toBe(413);
  });

  it('answers 415 only after a good signature', async () => {
    const delivery = sign(customerCreated({ email: email() }), SECRET_A);
    const good = await deliver(delivery, { 'Content-Type': 'text/plain' });
    expect(good.status).toBe(415);
    expect((await errorOf(good)).code).toBe('unsupported_media_type');
    const bad = await post(delivery.payload, { 'Content-Type': 'text/plain', 'Stripe-Signature': 'nope' });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe('invalid_signature');
  });

  it('accepts application/json without parameters too', async () => {
    const res = await deliver(sign(customerCreated({ email: email() }), SECRET_A), {
      'Content-Type': 'application/json',
    });
    expect(res.status).toBe(200);
  });

  it('answers 400 invalid_json for a signed body that is not JSON', async () => {
    const payload = '{"id": "evt_broken", ';
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET_A });
    const res = await post(payload, { 'Stripe-Signature': signature });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('invalid_json');
  });

  it.each([
    ['no id', { type: 'customer.created', data: { object: {} } }],
    ['no type', { id: 'evt_x', data: { object: {} } }],
    ['no data.object', { id: 'evt_x', type: 'customer.created', data: {} }],
    ['an array', [1, 2]],
    ['a thin event notification', { id: 'evt_x', object: 'v2.core.event', type: 'v1.customer.created' }],
  ])('answers 400 invalid_request for a signed event with %s', async (_name, body) => {
    const res = await deliver(sign(body as Record<string, unknown>, SECRET_A));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('invalid_request');
  });
});

describe('which events are screened', () => {
  it('screens customer.created (email and phone) with the event id as source_ref', async () => {
    const raw = email('medium');
    const delivery = sign(customerCreated({ email: raw, phone: phone('low') }), SECRET_A);
    const before = stats();
    const res = await deliver(delivery);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(raw.split('@')[0]);
    const body = JSON.parse(text) as HookAnswer;
    expect(body).toMatchObject({
      source: 'stripe',
      source_ref: delivery.event.id,
      event_id: delivery.event.id,
      duplicate: false,
      decision: 'review',
      degraded: false,
      email: { risk_level: 'medium', cached: false },
      phone: { risk_level: 'low' },
    });
    expect(body.verdict_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(stats().email - before.email).toBe(1);
    expect(stats().phone - before.phone).toBe(1);
  });

  it('screens customer.updated when the email changed', async () => {
    const delivery = sign(
      customerUpdated({ email: email('high') }, { email: 'old-address@example.com' }),
      SECRET_A,
    );
    const res = await deliver(delivery);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ decision: 'block', duplicate: false, phone: null });
  });

  it('screens customer.updated when the phone changed (also from null)', async () => {
    const delivery = sign(customerUpdated({ phone: phone('high') }, { phone: null }), SECRET_A);
    const res = await deliver(delivery);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ decision: 'block', email: null, phone: { risk_level: 'high' } });
  });

  it('ignores customer.updated without an email or phone change, calling nobody', async () => {
    const before = stats();
    const delivery = sign(
      customerUpdated({ email: email('high') }, { name: 'Old Name', metadata: {} }),
      SECRET_A,
    );
    const res = await deliver(delivery);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ignored: true,
      event_id: delivery.event.id,
      event_type: 'customer.updated',
    } satisfies Ignored);
    expect(stats()).toEqual(before);
  });

  it('screens checkout.session.completed from customer_details', async () => {
    const delivery = sign(
      checkoutCompleted({ email: email('low'), phone: phone('medium'), customer: customerId() }),
      SECRET_A,
    );
    const res = await deliver(delivery);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      decision: 'review',
      source_ref: delivery.event.id,
      email: { risk_level: 'low' },
      phone: { risk_level: 'medium' },
    });
  });

  it('ignores an unrelated type such as invoice.paid', async () => {
    const delivery = sign(invoicePaid(), SECRET_A);
    const res = await deliver(delivery);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ignored: true,
      event_id: delivery.event.id,
      event_type: 'invoice.paid',
    });
  });

  it.each([
    ['customer.created', () => customerCreated({})],
    ['checkout.session.completed', () => checkoutCompleted({ customer: customerId() })],
  ])('ignores a %s carrying neither email nor phone', async (type, build) => {
    const delivery = sign(build(), SECRET_A);
    const res = await deliver(delivery);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ignored: true, event_id: delivery.event.id, event_type: type });
  });

  it('stores the verdict, findable by email without the raw value being returned', async () => {
    const raw = email('high');
    const delivery = sign(customerCreated({ email: raw }), SECRET_A);
    const body = (await (await deliver(delivery)).json()) as HookAnswer;
    const list = await fetch(`${server.url}/verdicts?email=${encodeURIComponent(raw)}`, {
      headers: { Authorization: `Bearer ${server.apiToken}` },
    });
    const page = (await list.json()) as { items: Verdict[] };
    expect(page.items.map((v) => v.verdict_id)).toEqual([body.verdict_id]);
    expect(page.items[0]).not.toHaveProperty('event_id');
  });
});

describe('dedupe by event id', () => {
  it('answers a repeated delivery with the stored verdict and no Defastra call', async () => {
    const delivery = sign(customerCreated({ email: email('medium'), phone: phone('low') }), SECRET_A);
    const first = (await (await deliver(delivery)).json()) as HookAnswer;
    const before = stats();
    // Stripe re-signs each attempt: a new timestamp and signature over the same body.
    const again = sign(delivery.event, SECRET_B, Math.floor(Date.now() / 1000) - 5);
    const res = await deliver(again);
    expect(res.status).toBe(200);
    const second = (await res.json()) as HookAnswer;
    expect(second.duplicate).toBe(true);
    expect(second.verdict_id).toBe(first.verdict_id);
    expect({ ...second, duplicate: false }).toEqual(first);
    expect(stats()).toEqual(before);
  });

  it('makes exactly one Defastra call per identifier for 10 concurrent deliveries', async () => {
    server.sandbox.setFaults({ latencyMs: 150 });
    const delivery = sign(customerCreated({ email: email('low'), phone: phone('medium') }), SECRET_A);
    const before = stats();
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(delivery)));
    const bodies = await Promise.all(answers.map((r) => r.json() as Promise<HookAnswer | ErrorAnswer>));
    const statuses = answers.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    const ok = bodies.filter((b): b is HookAnswer => 'verdict_id' in b);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ok.map((b) => b.verdict_id)).size).toBe(1);
    expect(ok.filter((b) => !b.duplicate)).toHaveLength(1);
    for (const b of bodies) if ('error' in b) expect(b.error.code).toBe('in_progress');
    expect(stats().email - before.email).toBe(1);
    expect(stats().phone - before.phone).toBe(1);
    // Once done, a late delivery is a plain duplicate.
    const late = (await (await deliver(delivery)).json()) as HookAnswer;
    expect(late).toMatchObject({ duplicate: true, verdict_id: ok[0]!.verdict_id });
  });

  it('treats the same body under another event id as another event', async () => {
    const event = customerCreated({ email: email() });
    const a = (await (await deliver(sign(event, SECRET_A))).json()) as HookAnswer;
    const b = (await (await deliver(sign({ ...event, id: `${event.id}b` }, SECRET_A))).json()) as HookAnswer;
    expect(b.duplicate).toBe(false);
    expect(b.verdict_id).not.toBe(a.verdict_id);
  });
});

describe('Defastra failures', () => {
  const verdictsFor = async (raw: string) => {
    const res = await fetch(`${server.url}/verdicts?email=${encodeURIComponent(raw)}`, {
      headers: { Authorization: `Bearer ${server.apiToken}` },
    });
    return ((await res.json()) as { items: Verdict[] }).items;
  };

  it.each([
    ['SYSTEM_ERROR', { errorType: 'SYSTEM_ERROR' as const }],
    ['RATE_LIMITED_5_SECONDS', { errorType: 'RATE_LIMITED_5_SECONDS' as const }],
    ['a timeout (latency beyond the budget)', { latencyMs: BUDGET_MS + 1_500 }],
    ['a 502 HTML page (bad response)', { http5xx: 502 }],
  ])('answers 503 upstream_unavailable at once on %s, storing nothing final', async (_name, faults) => {
    const raw = email('medium');
    const delivery = sign(customerCreated({ email: raw }), SECRET_A);
    server.sandbox.setFaults(faults);
    const before = stats();
    const started = Date.now();
    const res = await deliver(delivery);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { code: 'upstream_unavailable', message: expect.any(String) },
    });
    // No retry inside the request: one attempt, and no waiting beyond the budget.
    expect(stats().email - before.email).toBe(1);
    expect(elapsed).toBeLessThan(BUDGET_MS + 1_000);
    expect(await verdictsFor(raw)).toEqual([]);

    server.sandbox.clearFaults();
    const retry = await deliver(sign(delivery.event, SECRET_A));
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ duplicate: false, decision: 'review', degraded: false });
    expect(await verdictsFor(raw)).toHaveLength(1);
  });

  it.each([['INSUFFICIENT_FUNDS'], ['INVALID_API_KEY']] as const)(
    'answers 200 with the on_error.stripe verdict, degraded, on %s',
    async (errorType) => {
      const delivery = sign(customerCreated({ email: email('low') }), SECRET_A);
      server.sandbox.setFaults({ errorType });
      const res = await deliver(delivery);
      expect(res.status).toBe(200);
      const body = (await res.json()) as HookAnswer;
      expect(body).toMatchObject({
        decision: 'review',
        degraded: true,
        duplicate: false,
        email: { error: { type: errorType } },
      });
      expect(body.reasons.map((r) => r.code)).toContain('defastra_error');
      // That verdict is final: a redelivery replays it.
      server.sandbox.clearFaults();
      const again = (await (await deliver(sign(delivery.event, SECRET_A))).json()) as HookAnswer;
      expect(again).toMatchObject({ duplicate: true, verdict_id: body.verdict_id, degraded: true });
    },
  );
});
