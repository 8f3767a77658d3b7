/**
 * The operator routes through the Lambda handler with API Gateway v2 events, as they run in AWS: the IAM principal
 * becomes `reviewed_by` and `created_by`, and a review of a Stripe verdict calls nothing at Stripe on the request (the
 * fake Stripe API, since Stripe itself cannot run here, records that no call came).
 */
import { handle } from 'hono/aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import { createStripeHookApp } from '../../functions/stripe-hook/app.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { clearStripeClients } from '../../shared/stripe/client.js';
import { createTestDeps, TEST_STRIPE_SECRET, type TestDeps } from '../helpers/deps.js';
import { type FakeStripeApi, startFakeStripeApi } from '../helpers/fake-stripe-api.js';
import { type LambdaResult, lambdaContext, lambdaEvent, resultJson } from '../helpers/lambda-events.js';

const json = <T>(result: LambdaResult): T => resultJson(result) as T;

import type { ListEntry } from '../../shared/api/lists.js';
import { fixedPolicy } from '../../shared/policy/source.js';
import { customerCreated, customerId, sign, uniq } from '../stripe/fixtures/events.js';

const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/operator/session';
const API_KEY = `rk_test_${uniq()}${uniq()}`;

let t: TestDeps;
let stripe: FakeStripeApi;
beforeAll(async () => {
  stripe = await startFakeStripeApi();
  t = await createTestDeps({
    policy: { stripe: { write_back: true } },
    overrides: { apiAuth: { kind: 'iam' }, stripeApiKey: async () => API_KEY, stripeApiBaseUrl: stripe.url },
  });
});
afterAll(async () => {
  await t.close();
  await stripe.close();
  clearStripeClients();
});
beforeEach(() => {
  t.deps.policy = fixedPolicy(parsePolicy({ stripe: { write_back: true } }));
  stripe.resetCalls();
});

const api = () => handle(createApiApp(t.provider));
const invoke = async (method: string, path: string, body?: unknown, iam = true) =>
  (await api()(
    lambdaEvent({
      method,
      path,
      iam,
      ...(body === undefined
        ? {}
        : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    }),
    lambdaContext(),
  )) as LambdaResult;

/** A Stripe verdict, screened through the Stripe hook, for a customer the fake Stripe API knows. */
const stripeVerdict = async (tag: 'medium' | 'high') => {
  const id = customerId();
  stripe.addCustomer(id, { plan: 'pro' });
  const delivery = sign(
    customerCreated({ id, email: `buyer${uniq()}+${tag}@example.com` }),
    TEST_STRIPE_SECRET,
  );
  const res = await createStripeHookApp(t.provider).request('/hooks/stripe', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': delivery.signature },
    body: delivery.payload,
  });
  expect(res.status).toBe(200);
  return { customer: id, verdict: (await res.json()) as Verdict };
};

describe('operator routes in AWS (IAM authoriser context)', () => {
  it('records the IAM principal as reviewed_by and created_by', async () => {
    const screened = json<Verdict>(
      await invoke('POST', '/screen', { email: `op${uniq()}+medium@example.com` }),
    );
    const reviewed = await invoke('POST', `/verdicts/${screened.verdict_id}/review`, {
      outcome: 'reject',
      add_to_list: true,
    });
    expect(reviewed.statusCode).toBe(200);
    expect(json<Verdict>(reviewed).review?.reviewed_by).toBe(PRINCIPAL);
    const entries = json<{ items: ListEntry[] }>(await invoke('GET', '/lists?action=block'));
    const created = entries.items.find((e) => e.note?.includes(screened.verdict_id));
    expect(created?.created_by).toBe(PRINCIPAL);
  });

  it('refuses an operator call that did not pass the IAM authoriser', async () => {
    expect((await invoke('GET', '/stats', undefined, false)).statusCode).toBe(401);
    expect(
      (await invoke('POST', '/lists', { kind: 'ip', value: '1.2.3.4', action: 'block' }, false)).statusCode,
    ).toBe(401);
  });
});

describe('a review of a Stripe verdict with write-back on', () => {
  it('is stored without any Stripe call on the request: the enforcer writes it back (docs/enforcement.md)', async () => {
    const { customer, verdict } = await stripeVerdict('medium');
    expect(verdict).toMatchObject({ decision: 'review', subject_ref: customer });
    expect(stripe.customer(customer)?.metadata).toMatchObject({ signup_gate_decision: 'review' });
    stripe.resetCalls();
    // Stripe failing makes no difference to the review either.
    stripe.fail({ status: 500 });
    const reviewed = await invoke('POST', `/verdicts/${verdict.verdict_id}/review`, { outcome: 'reject' });
    stripe.clearFailures();
    expect(reviewed.statusCode).toBe(200);
    expect(json<Verdict>(reviewed).review?.outcome).toBe('reject');
    expect(stripe.calls).toHaveLength(0);
    expect(stripe.customer(customer)?.metadata).toMatchObject({ signup_gate_decision: 'review' });
  });
});
