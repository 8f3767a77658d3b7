/**
 * The optional write-back (docs/stripe.md) end to end over real HTTP: deliveries to the Stripe hook app served on a
 * port, the official `stripe` client talking to the fake Stripe API through STRIPE_API_BASE_URL, and the marker's
 * write-back state read from the store.
 */
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStripeHookApp } from '../../functions/stripe-hook/app.js';
import type { Verdict } from '../../shared/core/verdict.js';
import type { LogFields, Telemetry } from '../../shared/observability/telemetry.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { fixedPolicy } from '../../shared/policy/source.js';
import { clearStripeClients } from '../../shared/stripe/client.js';
import { createTestDeps, TEST_STRIPE_SECRET, type TestDeps } from '../helpers/deps.js';
import { type FakeStripeApi, startFakeStripeApi } from '../helpers/fake-stripe-api.js';
import {
  checkoutCompleted,
  customerCreated,
  customerId,
  type SignedDelivery,
  sign,
  uniq,
} from './fixtures/events.js';

const API_KEY = `rk_test_${uniq()}${uniq()}`;
const ALIAS = 'signup_gate_blocked_emails';
const WRITE_BACK_POLICY = { stripe: { write_back: true, block_list_alias: ALIAS } };

/** Every log line the app wrote, to check that no raw email ever reaches a log. */
const lines: Array<{ level: string; message: string; fields: LogFields | undefined }> = [];
/** The write-back failures counted (true = permanent, the alarmed kind). */
const failures: boolean[] = [];
const recording: Telemetry = {
  ...silentTelemetry,
  writeBackFailed: (permanent) => failures.push(permanent),
  debug: (message, fields) => lines.push({ level: 'debug', message, fields }),
  info: (message, fields) => lines.push({ level: 'info', message, fields }),
  warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
  error: (message, fields) => lines.push({ level: 'error', message, fields }),
};

let t: TestDeps;
let stripe: FakeStripeApi;
let server: ServerType;
let url: string;
let apiKey: string | null = API_KEY;
let apiKeyFails = false;

beforeAll(async () => {
  stripe = await startFakeStripeApi();
  t = await createTestDeps({
    policy: WRITE_BACK_POLICY,
    overrides: {
      telemetry: recording,
      stripeApiKey: async () => {
        if (apiKeyFails) throw new Error('secret unavailable');
        return apiKey;
      },
      stripeApiBaseUrl: stripe.url,
    },
  });
  const app = createStripeHookApp(t.provider);
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/stripe`;
  stripe.addValueList(ALIAS);
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.close();
  await stripe.close();
  clearStripeClients();
});
beforeEach(() => {
  stripe.resetCalls();
  stripe.clearFailures();
  t.deps.policy = fixedPolicy(parsePolicy(WRITE_BACK_POLICY));
  apiKey = API_KEY;
  apiKeyFails = false;
});
afterEach(() => {
  const text = JSON.stringify(lines);
  for (const raw of usedEmails) expect(text).not.toContain(raw);
  expect(text).not.toContain(API_KEY);
});

type HookAnswer = Verdict & { event_id: string; duplicate: boolean };

const usedEmails: string[] = [];
const email = (tag: 'low' | 'medium' | 'high') => {
  const raw = `Buyer.${uniq()}+${tag}@Example.com`;
  usedEmails.push(raw, raw.toLowerCase());
  return raw;
};

const post = (delivery: SignedDelivery) =>
  fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': delivery.signature },
    body: delivery.payload,
  });
const deliver = async (delivery: SignedDelivery): Promise<HookAnswer> => {
  const res = await post(delivery);
  expect(res.status).toBe(200);
  return (await res.json()) as HookAnswer;
};
/** A delivery whose write-back fails transiently: 503 `upstream_unavailable`, so that Stripe delivers it again. */
const deliverExpecting503 = async (delivery: SignedDelivery): Promise<void> => {
  const res = await post(delivery);
  expect(res.status).toBe(503);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_unavailable');
};
/** A fresh signature over the same event, as Stripe sends each retry. */
const redeliver = (delivery: SignedDelivery) => deliver(sign(delivery.event, TEST_STRIPE_SECRET));

/** The marker's write-back state (a done marker is only read by a claim, never taken). */
const markerWriteBack = async (eventId: string) => {
  const claim = await t.deps.store.markers.claim({
    scope: 'stripe',
    key: eventId,
    bodyHash: 'probe',
    lockMs: 1,
    expiresAt: Math.ceil(Date.now() / 1000) + 60,
    verdictId: 'probe',
  });
  expect(claim.state).toBe('done');
  return claim.state === 'done' ? claim.writeBack : undefined;
};

const newCustomer = () => {
  const id = customerId();
  stripe.addCustomer(id, { plan: 'starter' });
  return id;
};

describe('write-back', () => {
  it('tags the customer on review, with an idempotency key from the verdict id, and marks it done', async () => {
    const id = newCustomer();
    const delivery = sign(customerCreated({ id, email: email('medium') }), TEST_STRIPE_SECRET);
    const verdict = await deliver(delivery);
    expect(verdict.decision).toBe('review');
    const updates = stripe.callsTo('POST', /^\/v1\/customers\//);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      path: `/v1/customers/${id}`,
      form: { metadata: { signup_gate_decision: 'review', signup_gate_verdict_id: verdict.verdict_id } },
      idempotencyKey: `signup-gate-${verdict.verdict_id}-customer`,
      authorization: `Bearer ${API_KEY}`,
    });
    expect(stripe.customer(id)?.metadata).toEqual({
      plan: 'starter',
      signup_gate_decision: 'review',
      signup_gate_verdict_id: verdict.verdict_id,
    });
    expect(stripe.callsTo('POST', /radar/)).toHaveLength(0);
    expect(await markerWriteBack(delivery.event.id)).toBe('done');
  });

  it('tags the customer and adds the normalised email to the block list on block; the list is looked up once', async () => {
    const first = newCustomer();
    const raw1 = email('high');
    const d1 = sign(customerCreated({ id: first, email: raw1 }), TEST_STRIPE_SECRET);
    const v1 = await deliver(d1);
    expect(v1.decision).toBe('block');
    expect(stripe.customer(first)?.metadata).toMatchObject({ signup_gate_decision: 'block' });
    const items = stripe.callsTo('POST', /^\/v1\/radar\/value_list_items$/);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      form: { value_list: stripe.valueList(ALIAS)!.id, value: raw1.trim().toLowerCase() },
      idempotencyKey: `signup-gate-${v1.verdict_id}-block-list`,
    });
    expect(stripe.valueList(ALIAS)!.items.map((i) => i.value)).toContain(raw1.toLowerCase());
    expect(await markerWriteBack(d1.event.id)).toBe('done');

    // A second blocked signup (a checkout this time): the list id comes from memory.
    const second = newCustomer();
    const raw2 = email('high');
    const d2 = sign(checkoutCompleted({ customer: second, email: raw2 }), TEST_STRIPE_SECRET);
    await deliver(d2);
    expect(stripe.customer(second)?.metadata).toMatchObject({ signup_gate_decision: 'block' });
    expect(stripe.valueList(ALIAS)!.items.map((i) => i.value)).toContain(raw2.toLowerCase());
    const lookups = stripe.callsTo('GET', /^\/v1\/radar\/value_lists$/);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.query).toMatchObject({ alias: ALIAS });
  });

  it('adds a blocked checkout without a customer to the list only', async () => {
    const delivery = sign(checkoutCompleted({ customer: null, email: email('high') }), TEST_STRIPE_SECRET);
    await deliver(delivery);
    expect(stripe.callsTo('POST', /^\/v1\/customers\//)).toHaveLength(0);
    expect(stripe.callsTo('POST', /^\/v1\/radar\/value_list_items$/)).toHaveLength(1);
    expect(await markerWriteBack(delivery.event.id)).toBe('done');
  });

  it('records the write-back as pending with the verdict, so a failure before the attempt is retried', async () => {
    apiKeyFails = true; // e.g. the Stripe key secret could not be read: nothing was sent to Stripe
    const id = newCustomer();
    const delivery = sign(customerCreated({ id, email: email('medium') }), TEST_STRIPE_SECRET);
    await deliverExpecting503(delivery);
    expect(stripe.calls).toHaveLength(0);
    expect(await markerWriteBack(delivery.event.id)).toBe('pending');
    apiKeyFails = false;
    const again = await redeliver(delivery);
    expect(again.duplicate).toBe(true);
    expect(stripe.callsTo('POST', /^\/v1\/customers\//)).toHaveLength(1);
    expect(await markerWriteBack(delivery.event.id)).toBe('done');
  });

  it('writes nothing on allow', async () => {
    const delivery = sign(customerCreated({ id: newCustomer(), email: email('low') }), TEST_STRIPE_SECRET);
    expect((await deliver(delivery)).decision).toBe('allow');
    expect(stripe.calls).toHaveLength(0);
    expect(await markerWriteBack(delivery.event.id)).toBeUndefined();
  });

  it('writes nothing when the policy leaves write_back off, or without a usable API key', async () => {
    t.deps.policy = fixedPolicy(parsePolicy({ stripe: { write_back: false } }));
    await deliver(sign(customerCreated({ id: newCustomer(), email: email('high') }), TEST_STRIPE_SECRET));
    t.deps.policy = fixedPolicy(parsePolicy(WRITE_BACK_POLICY));
    apiKey = null;
    await deliver(sign(customerCreated({ id: newCustomer(), email: email('high') }), TEST_STRIPE_SECRET));
    // The deploy-time placeholder left in the secret is not a key: skipped with a warning, not sent.
    apiKey = 'PLACEHOLDER: set with aws secretsmanager put-secret-value';
    await deliver(sign(customerCreated({ id: newCustomer(), email: email('high') }), TEST_STRIPE_SECRET));
    expect(stripe.calls).toHaveLength(0);
    expect(lines.some((l) => l.level === 'warn' && /not an sk_ or rk_ key/.test(l.message))).toBe(true);
  });

  it('writes nothing back for a monitored verdict (docs/policy-lifecycle.md), whatever its decision', async () => {
    t.deps.policy = fixedPolicy(parsePolicy({ ...WRITE_BACK_POLICY, mode: 'monitor' }));
    const answer = await deliver(
      sign(customerCreated({ id: newCustomer(), email: email('high') }), TEST_STRIPE_SECRET),
    );
    expect(answer).toMatchObject({ decision: 'block', action: 'allow', mode: 'monitor' });
    expect(stripe.calls).toHaveLength(0);
    expect(await markerWriteBack(answer.event_id)).toBeUndefined();
  });

  it('answers 503 when Stripe fails (5xx), keeps the verdict and the pending marker, retries on the redelivery', async () => {
    const id = newCustomer();
    const delivery = sign(customerCreated({ id, email: email('high') }), TEST_STRIPE_SECRET);
    stripe.fail({ status: 500 });
    await deliverExpecting503(delivery);
    const stored = await t.deps.store.verdicts.query({ source: 'stripe', limit: 100 });
    const verdict = stored.items.find((v) => v.source_ref === delivery.event.id)!;
    expect(verdict).toMatchObject({ decision: 'block', subject_ref: id });
    const failed = stripe.callsTo('POST', /^\/v1\/customers\//);
    // The client's one network retry, with the same idempotency key.
    expect(failed.length).toBe(2);
    expect(new Set(failed.map((c) => c.idempotencyKey))).toEqual(
      new Set([`signup-gate-${verdict.verdict_id}-customer`]),
    );
    expect(stripe.customer(id)?.metadata).toEqual({ plan: 'starter' });
    expect(await markerWriteBack(delivery.event.id)).toBe('pending');
    expect(lines.some((l) => l.level === 'warn' && l.message === 'stripe write-back failed')).toBe(true);

    stripe.clearFailures();
    stripe.resetCalls();
    const defastraBefore = t.sandbox.stats().byEndpoint.email;
    const again = await redeliver(delivery);
    expect(again).toMatchObject({ duplicate: true, verdict_id: verdict.verdict_id, decision: 'block' });
    expect(t.sandbox.stats().byEndpoint.email).toBe(defastraBefore);
    expect(stripe.customer(id)?.metadata).toMatchObject({ signup_gate_verdict_id: verdict.verdict_id });
    expect(stripe.callsTo('POST', /^\/v1\/radar\/value_list_items$/)).toHaveLength(1);
    expect(await markerWriteBack(delivery.event.id)).toBe('done');

    // Done means done: a third delivery writes nothing.
    stripe.resetCalls();
    await redeliver(delivery);
    expect(stripe.calls).toHaveLength(0);
  });

  it('answers 200 on a permanent failure (4xx), counts it, and retries only what failed on a resend', async () => {
    const id = newCustomer();
    const delivery = sign(customerCreated({ id, email: email('high') }), TEST_STRIPE_SECRET);
    stripe.fail({ status: 400, match: /value_list_items/, type: 'invalid_request_error' });
    failures.length = 0;
    await deliver(delivery);
    expect(failures).toEqual([true]);
    expect(await markerWriteBack(delivery.event.id)).toBe('pending');
    stripe.clearFailures();
    stripe.resetCalls();
    await redeliver(delivery);
    const update = stripe.callsTo('POST', /^\/v1\/customers\//);
    expect(update).toHaveLength(1);
    expect(update[0]!.status).toBe(200);
    expect(await markerWriteBack(delivery.event.id)).toBe('done');
  });

  it('creates no list when the alias names none: warns, stays pending, and succeeds once the list exists', async () => {
    const alias = `missing_${uniq()}`;
    t.deps.policy = fixedPolicy(parsePolicy({ stripe: { write_back: true, block_list_alias: alias } }));
    const delivery = sign(customerCreated({ id: newCustomer(), email: email('high') }), TEST_STRIPE_SECRET);
    const verdict = await deliver(delivery);
    expect(verdict.decision).toBe('block');
    expect(stripe.callsTo('POST', /^\/v1\/radar\/value_lists$/)).toHaveLength(0);
    expect(stripe.callsTo('POST', /^\/v1\/radar\/value_list_items$/)).toHaveLength(0);
    expect(await markerWriteBack(delivery.event.id)).toBe('pending');
    expect(lines.some((l) => l.level === 'warn' && l.fields?.alias === alias)).toBe(true);

    const list = stripe.addValueList(alias);
    await redeliver(delivery);
    expect(list.items).toHaveLength(1);
    expect(await markerWriteBack(delivery.event.id)).toBe('done');
  });

  it('writes to the connected account of a Connect event', async () => {
    const id = newCustomer();
    const account = `acct_${uniq()}`;
    const delivery = sign(customerCreated({ id, email: email('medium') }, { account }), TEST_STRIPE_SECRET);
    await deliver(delivery);
    expect(stripe.callsTo('POST', /^\/v1\/customers\//)[0]?.stripeAccount).toBe(account);
  });
});
