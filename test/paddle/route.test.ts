/**
 * `POST /hooks/paddle` on the real local server (docs/paddle.md): Paddle's `customer.created` notification, signed
 * as Paddle signs (`Paddle-Signature: ts=…;h1=…`) with the generated `PADDLE_WEBHOOK_SECRET`, deduplicated by
 * `event_id` exactly as the Stripe route (duplicate flag, 409 in progress, one Defastra call per event, 503 on a
 * retryable Defastra failure); verdicts read back through the operator API, the table and the logs scanned.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveForSource } from '../../shared/policy/decide.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { signPaddleBody } from '../../shared/webhooks/paddle.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';
import { expectNoRaw, type HookServer, NO_VELOCITY, startHookServer } from '../helpers/hook-server.js';

const PATH = '/hooks/paddle';
const BUDGET_MS = 800;

let n = 0;
/** A `customer.created` notification of a new customer (fresh event and customer ids). */
const customerCreated = (email: string | null): Doc => {
  const doc = readFixture<Doc>('paddle/customer-created.json');
  n += 1;
  doc.event_id = `evt_01h8441jx8x1q971q9ks${String(Date.now() % 1e6).padStart(6, '0')}${n}`;
  doc.notification_id = `ntf_01h8441jz6fr97hv7zem${n}`;
  doc.data.id = `ctm_01h8441jn5pcwrfhwh78j${n}`;
  doc.data.email = email;
  return doc;
};

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
const json = async (response: Response): Promise<any> => JSON.parse(await response.text());
const nowSec = () => Math.floor(Date.now() / 1000);

let h: HookServer;
beforeAll(async () => {
  h = await startHookServer({
    hook: 'paddle',
    policy: { cache_hours: 0, budget_ms: { paddle: BUDGET_MS }, ...NO_VELOCITY },
  });
});
afterAll(() => h.close());
afterEach(() => h.server.sandbox.clearFaults());

const signed = (body: string, secrets = h.secrets, ts = nowSec()) => ({
  'Content-Type': 'application/json',
  'Paddle-Signature': signPaddleBody(secrets, body, ts),
});
const deliver = (doc: Doc | string, head?: Record<string, string>) => {
  const body = typeof doc === 'string' ? doc : JSON.stringify(doc);
  return h.post(PATH, body, head ?? signed(body));
};

describe('POST /hooks/paddle: customer.created', () => {
  it.each([
    ['low', 'allow'],
    ['medium', 'review'],
    ['high', 'block'],
  ])(
    'a %s-risk customer → 200 the %s verdict with event_id and duplicate: false',
    async (level, decision) => {
      const doc = customerCreated(`paddle.${level}+${level}@example.com`);
      const response = await deliver(doc);
      expect(response.status).toBe(200);
      const answer = await json(response);
      expect(answer).toMatchObject({
        source: 'paddle',
        source_ref: doc.event_id,
        subject_ref: doc.data.id,
        decision,
        action: decision,
        degraded: false,
        event_id: doc.event_id,
        duplicate: false,
      });
      expect(await h.verdictBy('paddle', doc.event_id)).toMatchObject({ verdict_id: answer.verdict_id });
    },
  );

  it("Paddle's documented event as is is screened", async () => {
    const response = await deliver(readFixture<Doc>('paddle/customer-created.json'));
    expect(response.status).toBe(200);
    expect((await json(response)).event_id).toBe('evt_01h8441jx8x1q971q9ksksqh82');
  });

  it.each([
    ['another type', (doc: Doc) => Object.assign(doc, { event_type: 'customer.updated' })],
    ['a customer without an email', (doc: Doc) => Object.assign(doc, { data: { id: 'ctm_1', email: null } })],
  ])('%s → 200 {"ignored":true,...}, no Defastra call, no verdict', async (_case, change) => {
    const doc = change(customerCreated('paddle.ignored+low@example.com'));
    const calls = h.server.sandbox.stats().requests;
    const response = await deliver(doc);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      ignored: true,
      event_id: doc.event_id,
      event_type: doc.event_type,
    });
    expect(h.server.sandbox.stats().requests).toBe(calls);
    expect(await h.verdictBy('paddle', doc.event_id)).toBeUndefined();
  });
});

describe('POST /hooks/paddle: the signature (400 invalid_signature)', () => {
  const body = JSON.stringify(customerCreated('paddle.refused+low@example.com'));
  it.each([
    ['no Paddle-Signature', () => ({ 'Content-Type': 'application/json' })],
    ['another secret', () => signed(body, ['pdl_ntfset_not_the_secret'])],
    ['a ts 301 s old', () => signed(body, h.secrets, nowSec() - 301)],
    ['a ts 301 s ahead', () => signed(body, h.secrets, nowSec() + 301)],
    [
      'a Stripe-style header',
      () => ({ 'Content-Type': 'application/json', 'Paddle-Signature': 't=1,v1=ab' }),
    ],
  ])('refuses %s before any Defastra call', async (_case, head) => {
    const calls = h.server.sandbox.stats().requests;
    const response = await h.post(PATH, body, head());
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({
      error: { code: 'invalid_signature', message: expect.any(String) },
    });
    expect(h.server.sandbox.stats().requests).toBe(calls);
  });

  it('refuses a body changed after signing', async () => {
    const response = await h.post(PATH, body.replace('+low@', '+high@'), signed(body));
    expect(response.status).toBe(400);
  });

  it('accepts a delivery signed with two keys while Paddle rotates (several h1)', async () => {
    const text = JSON.stringify(customerCreated('paddle.rotating+low@example.com'));
    const response = await h.post(PATH, text, signed(text, ['pdl_ntfset_the_new_key', ...h.secrets]));
    expect(response.status).toBe(200);
  });
});

describe('POST /hooks/paddle: once per event_id, as Stripe', () => {
  it('a redelivery → the stored verdict with duplicate: true, one Defastra call, one verdict', async () => {
    const doc = customerCreated('paddle.again+high@example.com');
    const calls = h.server.sandbox.stats().byEndpoint.email;
    const first = await json(await deliver(doc));
    // Paddle retries later, signing anew.
    const body = JSON.stringify(doc);
    const again = await json(await h.post(PATH, body, signed(body, h.secrets, nowSec() + 1)));
    expect(again).toEqual({ ...first, duplicate: true });
    expect(h.server.sandbox.stats().byEndpoint.email - calls).toBe(1);
    expect((await h.verdicts('paddle')).filter((v) => v.source_ref === doc.event_id)).toHaveLength(1);
  });

  it('the same event_id with another body is still a duplicate (the event id alone identifies it)', async () => {
    const doc = customerCreated('paddle.same+low@example.com');
    const first = await json(await deliver(doc));
    doc.notification_id = 'ntf_another_notification';
    const again = await json(await deliver(doc));
    expect(again).toMatchObject({ verdict_id: first.verdict_id, duplicate: true });
  });

  it('a redelivery while the first is still screened → 409 in_progress with Retry-After', async () => {
    h.server.sandbox.setFaults({ latencyMs: BUDGET_MS - 200 });
    const doc = customerCreated('paddle.concurrent+medium@example.com');
    const before = h.server.sandbox.stats().requests;
    const first = deliver(doc);
    while (h.server.sandbox.stats().requests === before) await new Promise((r) => setTimeout(r, 5));
    const second = await deliver(doc);
    expect(second.status).toBe(409);
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await json(second)).error.code).toBe('in_progress');
    expect((await first).status).toBe(200);
  });

  it.each([
    ['SYSTEM_ERROR', { errorType: 'SYSTEM_ERROR' as const }],
    ['a timeout (latency beyond the budget)', { latencyMs: BUDGET_MS + 1_500 }],
  ])(
    'a retryable Defastra failure (%s) → 503 at once, nothing final stored; the retry screens',
    async (_c, faults) => {
      const doc = customerCreated('paddle.retryable+medium@example.com');
      h.server.sandbox.setFaults(faults);
      const calls = h.server.sandbox.stats().byEndpoint.email;
      const response = await deliver(doc);
      expect(response.status).toBe(503);
      expect((await json(response)).error.code).toBe('upstream_unavailable');
      expect(h.server.sandbox.stats().byEndpoint.email - calls).toBe(1); // no retry inside the request
      expect(await h.verdictBy('paddle', doc.event_id)).toBeUndefined();
      h.server.sandbox.clearFaults();
      const retry = await json(await deliver(doc));
      expect(retry).toMatchObject({ decision: 'review', degraded: false, duplicate: false });
    },
  );

  it('a non-retryable failure is decided by on_error.paddle (review), degraded, 200', async () => {
    h.server.sandbox.setFaults({ errorType: 'INSUFFICIENT_FUNDS' });
    const doc = customerCreated('paddle.funds+low@example.com');
    const answer = await json(await deliver(doc));
    expect(answer).toMatchObject({ decision: 'review', degraded: true, duplicate: false });
    expect(resolveForSource(parsePolicy({}), 'paddle').on_error.paddle).toBe('review');
  });
});

describe('POST /hooks/paddle: contract order and no raw identifiers', () => {
  it('405, 415 after a good signature and 400 before, 400 naming the field', async () => {
    const wrong = await h.request(PATH, { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const body = JSON.stringify(customerCreated('paddle.order+low@example.com'));
    expect((await h.post(PATH, body, { ...signed(body), 'Content-Type': 'text/plain' })).status).toBe(415);
    const unsigned = await h.post(PATH, body, { 'Content-Type': 'text/plain' });
    expect((await json(unsigned)).error.code).toBe('invalid_signature');
    const invalid = await deliver({ event_type: 'customer.created', data: {} });
    expect(invalid.status).toBe(400);
    expect((await json(invalid)).error.message).toContain('event_id');
  });

  it('the default budget is 5 s, under the few seconds Paddle waits before retrying', () => {
    expect(resolveForSource(parsePolicy({}), 'paddle').budget_ms.paddle).toBe(5_000);
  });

  it('keeps the email out of answers (masked), logs and the table', async () => {
    const email = 'Paddle.Private+high@Example.com';
    const answer = await (await deliver(customerCreated(email))).text();
    const raws = [email];
    expectNoRaw(answer, raws, 'the answer');
    expectNoRaw(h.lines.join('\n'), raws, 'the logs');
    expectNoRaw(await h.tableText(), raws, 'the table');
  });
});
