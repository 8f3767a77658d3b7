/**
 * Stripe's fraud reports as ground truth (docs/outcomes.md) on the real local server: `charge.dispute.created` for
 * fraud, `radar.early_fraud_warning.created` and `review.closed` as refunded for fraud label the verdicts of the
 * charge's customer `fraud` (the customer read from the fake Stripe API with the official client), once per event;
 * other disputes and reviews, guest payments, a missing key and Stripe failures each get their answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/core/verdict.js';
import { clearStripeClients } from '../../shared/stripe/client.js';
import { type FakeStripeApi, startFakeStripeApi } from '../helpers/fake-stripe-api.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { operator } from '../helpers/operator.js';
import {
  chargeId,
  customerCreated,
  customerId,
  disputeCreated,
  earlyFraudWarningCreated,
  paymentIntentId,
  reviewClosed,
  type SignedDelivery,
  sign,
  uniq,
} from './fixtures/events.js';

const API_KEY = `sk_test_${uniq()}${uniq()}`;

let stripe: FakeStripeApi;
let server: TestServer;
let keyless: TestServer;
beforeAll(async () => {
  stripe = await startFakeStripeApi();
  [server, keyless] = await Promise.all([
    startTestServer({ env: { STRIPE_API_KEY: API_KEY, STRIPE_API_BASE_URL: stripe.url } }),
    startTestServer(),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.close(), keyless?.close()]);
  await stripe?.close();
  clearStripeClients();
});
afterEach(() => {
  stripe.clearFailures();
  stripe.resetCalls();
});

interface Answer {
  labelled?: number;
  event_id: string;
  duplicate?: boolean;
  ignored?: true;
  event_type?: string;
  error?: { code: string };
}

const deliver = async (
  to: TestServer,
  delivery: SignedDelivery,
): Promise<{ status: number; body: Answer }> => {
  const res = await fetch(`${to.url}/hooks/stripe`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': delivery.signature },
    body: delivery.payload,
  });
  return { status: res.status, body: (await res.json()) as Answer };
};
const send = (event: Record<string, unknown>, to: TestServer = server) =>
  deliver(to, sign(event, to.stripeWebhookSecret));

/** A Stripe customer with `count` screened verdicts (customer.created events), and a charge of theirs. */
const customerWithVerdicts = async (count: number, account?: string) => {
  const customer = customerId();
  const verdicts: Verdict[] = [];
  for (let i = 0; i < count; i++) {
    const delivery = sign(
      customerCreated({ id: customer, email: `fr${uniq()}+low@example.com` }),
      server.stripeWebhookSecret,
    );
    const res = await fetch(`${server.url}/hooks/stripe`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': delivery.signature },
      body: delivery.payload,
    });
    verdicts.push((await res.json()) as Verdict);
  }
  const charge = chargeId();
  stripe.addCharge(charge, customer, account ? { account } : {});
  return { customer, charge, verdicts };
};

const outcomeOf = async (verdict: Verdict) =>
  (await operator(server.url, server.apiToken).request<Verdict>('GET', `/verdicts/${verdict.verdict_id}`))
    .body.outcome;

describe('fraud reports label the customer’s verdicts', () => {
  it('charge.dispute.created (fraudulent): every verdict of the charge’s customer, source stripe', async () => {
    const { charge, verdicts } = await customerWithVerdicts(2);
    const other = await customerWithVerdicts(1);
    const event = disputeCreated({ charge });
    const answer = await send(event);
    expect(answer).toEqual({ status: 200, body: { labelled: 2, event_id: event.id, duplicate: false } });
    for (const verdict of verdicts) {
      expect(await outcomeOf(verdict)).toEqual({
        label: 'fraud',
        source: 'stripe',
        note: `charge.dispute.created ${event.id}`,
        labelled_at: expect.stringMatching(/^\d{4}-/),
        labelled_by: 'stripe',
      });
    }
    expect(await outcomeOf(other.verdicts[0]!)).toBeNull();
    const [call] = stripe.callsTo('GET', /^\/v1\/charges\//);
    expect(call?.path).toBe(`/v1/charges/${charge}`);
    expect(call?.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('radar.early_fraud_warning.created, of a connected account: read with its Stripe-Account', async () => {
    const account = `acct_1Test${uniq()}`;
    const { charge, verdicts } = await customerWithVerdicts(1, account);
    const event = earlyFraudWarningCreated({ charge }, { account });
    expect((await send(event)).body).toEqual({ labelled: 1, event_id: event.id, duplicate: false });
    expect((await outcomeOf(verdicts[0]!))?.note).toBe(`radar.early_fraud_warning.created ${event.id}`);
    expect(stripe.callsTo('GET', /^\/v1\/charges\//)[0]?.stripeAccount).toBe(account);
  });

  it('review.closed (refunded_as_fraud), also for a review of a PaymentIntent without a charge', async () => {
    const { charge, verdicts } = await customerWithVerdicts(1);
    const event = reviewClosed({ charge });
    expect((await send(event)).body).toMatchObject({ labelled: 1, duplicate: false });
    expect((await outcomeOf(verdicts[0]!))?.label).toBe('fraud');

    const later = await customerWithVerdicts(1);
    const intent = paymentIntentId();
    stripe.addPaymentIntent(intent, later.customer);
    const byIntent = reviewClosed({ charge: null, paymentIntent: intent });
    expect((await send(byIntent)).body).toMatchObject({ labelled: 1 });
    expect(stripe.callsTo('GET', /^\/v1\/payment_intents\//).map((c) => c.path)).toEqual([
      `/v1/payment_intents/${intent}`,
    ]);
    expect((await outcomeOf(later.verdicts[0]!))?.label).toBe('fraud');
  });

  it('labels once per event: a redelivery answers the same count as a duplicate and reads nothing from Stripe', async () => {
    const { charge } = await customerWithVerdicts(2);
    const delivery = sign(disputeCreated({ charge }), server.stripeWebhookSecret);
    expect((await deliver(server, delivery)).body).toMatchObject({ labelled: 2, duplicate: false });
    stripe.resetCalls();
    const again = await deliver(server, delivery);
    expect(again).toEqual({
      status: 200,
      body: { labelled: 2, event_id: delivery.event.id, duplicate: true },
    });
    expect(stripe.calls).toHaveLength(0);
  });
});

describe('fraud reports that label nothing', () => {
  it('ignores a dispute for another reason and a review closed otherwise, without calling Stripe', async () => {
    const { charge, verdicts } = await customerWithVerdicts(1);
    for (const event of [
      disputeCreated({ charge }, 'product_not_received'),
      reviewClosed({ charge }, 'approved'),
    ]) {
      expect((await send(event)).body).toEqual({ ignored: true, event_id: event.id, event_type: event.type });
    }
    expect(stripe.calls).toHaveLength(0);
    expect(await outcomeOf(verdicts[0]!)).toBeNull();
  });

  it('labels 0 for a guest payment (a charge without customer)', async () => {
    const charge = chargeId();
    stripe.addCharge(charge, null);
    const event = earlyFraudWarningCreated({ charge });
    expect((await send(event)).body).toEqual({ labelled: 0, event_id: event.id, duplicate: false });
  });

  it('ignores fraud reports when no STRIPE_API_KEY is set (the charge cannot be read)', async () => {
    const event = disputeCreated({ charge: chargeId() });
    expect((await send(event, keyless)).body).toEqual({
      ignored: true,
      event_id: event.id,
      event_type: event.type,
    });
  });

  it('answers 503 while Stripe fails (the redelivery then labels), and 200 labelled 0 when Stripe refuses', async () => {
    const { charge, verdicts } = await customerWithVerdicts(1);
    const delivery = sign(disputeCreated({ charge }), server.stripeWebhookSecret);
    stripe.fail({ status: 500, match: /^GET \/v1\/charges\//, times: 2 });
    const failed = await deliver(server, delivery);
    expect(failed.status).toBe(503);
    expect(failed.body.error?.code).toBe('upstream_unavailable');
    expect(await outcomeOf(verdicts[0]!)).toBeNull();
    expect((await deliver(server, delivery)).body).toMatchObject({ labelled: 1, duplicate: false });

    const missing = disputeCreated({ charge: chargeId() });
    expect(await send(missing)).toEqual({
      status: 200,
      body: { labelled: 0, event_id: missing.id, duplicate: false },
    });
    // Not marked done: once the cause is fixed, a resend from the Dashboard labels.
    expect((await send(missing)).body.duplicate).toBe(false);
  });
});
