/** The write-back's Stripe client (base URL parsing, one client per key, short timeout) and write-back planning. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import {
  clearStripeClients,
  getStripeClient,
  parseStripeBaseUrl,
  STRIPE_MAX_NETWORK_RETRIES,
  STRIPE_TIMEOUT_MS,
} from '../../shared/stripe/client.js';
import { idempotencyKey, performWriteBack, planWriteBack } from '../../shared/stripe/write-back.js';
import { type FakeStripeApi, startFakeStripeApi } from '../helpers/fake-stripe-api.js';

describe('parseStripeBaseUrl', () => {
  it.each([
    ['http://127.0.0.1:12111', { host: '127.0.0.1', port: 12111, protocol: 'http' }],
    ['https://stripe-proxy.internal', { host: 'stripe-proxy.internal', port: 443, protocol: 'https' }],
    ['http://localhost/', { host: 'localhost', port: 80, protocol: 'http' }],
    ['http://[::1]:8080', { host: '::1', port: 8080, protocol: 'http' }],
  ])('parses %s', (url, expected) => {
    expect(parseStripeBaseUrl(url)).toEqual(expected);
  });

  it.each([
    ['not a url', /not a valid URL/],
    ['ftp://example.com', /http or https/],
    ['http://127.0.0.1:12111/v1', /origin only/],
    ['http://127.0.0.1:12111/?x=1', /origin only/],
  ])('rejects %s', (url, message) => {
    expect(() => parseStripeBaseUrl(url)).toThrow(message);
  });
});

describe('getStripeClient', () => {
  let fake: FakeStripeApi;
  beforeAll(async () => {
    fake = await startFakeStripeApi();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    clearStripeClients();
    fake.resetCalls();
    fake.setLatency(0);
  });

  it('keeps one client per key', async () => {
    const a = await getStripeClient('sk_test_a', fake.url);
    expect(await getStripeClient('sk_test_a', fake.url)).toBe(a);
    expect(await getStripeClient('sk_test_b', fake.url)).not.toBe(a);
  });

  it('uses a short timeout and one network retry by default', async () => {
    expect(STRIPE_TIMEOUT_MS).toBeLessThanOrEqual(5_000);
    expect(STRIPE_MAX_NETWORK_RETRIES).toBe(1);
    const client = await getStripeClient('sk_test_defaults', fake.url);
    expect(client.getMaxNetworkRetries()).toBe(1);
  });

  it('sends requests to STRIPE_API_BASE_URL, form-encoded, with the key', async () => {
    fake.addCustomer('cus_Client1');
    const client = await getStripeClient('sk_test_client', fake.url);
    const customer = await client.customers.update('cus_Client1', { metadata: { k: 'v' } });
    expect(customer).toMatchObject({ id: 'cus_Client1', object: 'customer', metadata: { k: 'v' } });
    expect(fake.calls[0]).toMatchObject({
      method: 'POST',
      path: '/v1/customers/cus_Client1',
      body: 'metadata[k]=v',
      form: { metadata: { k: 'v' } },
      authorization: 'Bearer sk_test_client',
    });
  });

  it('gives up quickly when Stripe does not answer', async () => {
    fake.setLatency(2_000);
    const client = await getStripeClient('sk_test_slow', fake.url, { timeoutMs: 200, maxNetworkRetries: 0 });
    const started = Date.now();
    await expect(client.radar.valueLists.list({ alias: 'x' })).rejects.toMatchObject({
      type: 'StripeConnectionError',
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('never throws from performWriteBack, even when Stripe is unreachable', async () => {
    const client = await getStripeClient('sk_test_unreachable', 'http://127.0.0.1:9', {
      maxNetworkRetries: 0,
    });
    const outcome = await performWriteBack(
      {
        verdict: { verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0', decision: 'block', action: 'block' },
        customerId: 'cus_Gone',
        email: 'someone@example.com',
      },
      { stripe: client, blockListAlias: 'signup_gate_blocked_emails', telemetry: silentTelemetry },
    );
    expect(outcome).toMatchObject({ status: 'failed', step: 'customer', reason: 'StripeConnectionError' });
  });
});

describe('planWriteBack', () => {
  const verdict = (decision: 'allow' | 'review' | 'block') => ({
    verdict_id: 'V1',
    decision,
    action: decision,
  });

  it.each([
    ['allow', 'cus_1', 'a@example.com', null],
    ['review', 'cus_1', 'a@example.com', { customer: true, blockList: false, listValue: null }],
    ['review', null, 'a@example.com', null],
    ['block', 'cus_1', ' A@Example.COM ', { customer: true, blockList: true, listValue: 'a@example.com' }],
    ['block', null, 'a@example.com', { customer: false, blockList: true, listValue: 'a@example.com' }],
    ['block', null, 'not-an-email', null],
    ['block', 'cus_1', null, { customer: true, blockList: false, listValue: null }],
  ] as const)('%s with customer %s and email %s → %j', (decision, customerId, email, expected) => {
    expect(planWriteBack({ verdict: verdict(decision), customerId, email })).toEqual(expected);
  });

  it('plans nothing for a monitored verdict: its action is allow, whatever the decision', () => {
    const monitored = { verdict_id: 'V1', decision: 'block', action: 'allow' } as const;
    expect(planWriteBack({ verdict: monitored, customerId: 'cus_1', email: 'a@example.com' })).toBeNull();
  });

  it('derives stable idempotency keys from the verdict id', () => {
    expect(idempotencyKey('01ABC', 'customer')).toBe('signup-gate-01ABC-customer');
    expect(idempotencyKey('01ABC', 'block-list')).toBe('signup-gate-01ABC-block-list');
  });
});
