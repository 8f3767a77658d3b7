/**
 * The Stripe hook through Hono's Lambda adapter (`handle()`, as `functions/stripe-hook/handler.ts` uses it):
 * API Gateway v2 and Function URL event shapes, plain and base64 bodies, header names in any case, and the
 * signature verified over the decoded raw body, byte for byte.
 */
import { handle } from 'hono/aws-lambda';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeHookApp } from '../../functions/stripe-hook/app.js';
import { createTestDeps, TEST_STRIPE_SECRET, type TestDeps } from '../helpers/deps.js';
import { type LambdaResult, lambdaContext, lambdaEvent, resultJson } from '../helpers/lambda-events.js';
import { customerCreated, invoicePaid, sign, uniq } from './fixtures/events.js';

let t: TestDeps;
let handler: ReturnType<typeof handle>;
beforeAll(async () => {
  t = await createTestDeps();
  handler = handle(createStripeHookApp(t.provider));
});
afterAll(() => t.close());

const invoke = async (input: Parameters<typeof lambdaEvent>[0]): Promise<LambdaResult> =>
  (await handler(lambdaEvent(input), lambdaContext('stripe-hook'))) as LambdaResult;

const email = (tag = 'low') => `lambda${uniq()}+${tag}@example.com`;

describe.each([
  ['API Gateway v2', 'apigw' as const],
  ['Function URL', 'url' as const],
])('through handle() with %s events', (_name, kind) => {
  it.each([
    ['a plain body', false],
    ['a base64 body', true],
  ])('verifies and screens %s', async (_body, base64) => {
    // Non-ASCII text: any re-encoding of the body on the way would break the signature.
    const event = customerCreated({ email: email('medium') });
    (event.data as { object: Record<string, unknown> }).object.name = 'Zoë Ångström 🚀';
    const delivery = sign(event, TEST_STRIPE_SECRET);
    const result = await invoke({
      kind,
      method: 'POST',
      path: '/hooks/stripe',
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': delivery.signature },
      body: delivery.payload,
      base64,
    });
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toMatch(/^application\/json/);
    expect(resultJson(result)).toMatchObject({
      event_id: event.id,
      source: 'stripe',
      source_ref: event.id,
      decision: 'review',
      duplicate: false,
    });
  });

  it('accepts the signature header in any case', async () => {
    for (const name of ['stripe-signature', 'STRIPE-SIGNATURE', 'Stripe-Signature']) {
      const delivery = sign(invoicePaid(), TEST_STRIPE_SECRET);
      const result = await invoke({
        kind,
        method: 'POST',
        path: '/hooks/stripe',
        headers: { 'content-TYPE': 'application/json', [name]: delivery.signature },
        body: delivery.payload,
        base64: true,
      });
      expect(result.statusCode).toBe(200);
      expect(resultJson(result)).toMatchObject({ ignored: true, event_type: 'invoice.paid' });
    }
  });

  it('rejects a base64 body whose decoded bytes differ from what was signed', async () => {
    const delivery = sign(customerCreated({ email: email() }), TEST_STRIPE_SECRET);
    const result = await invoke({
      kind,
      method: 'POST',
      path: '/hooks/stripe',
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': delivery.signature },
      body: `${delivery.payload}\n`,
      base64: true,
    });
    expect(result.statusCode).toBe(400);
    expect(resultJson(result)).toEqual({
      error: { code: 'invalid_signature', message: expect.any(String) },
    });
  });

  it('would reject the still-encoded base64 text: the adapter must decode first', () => {
    const delivery = sign(customerCreated({ email: email() }), TEST_STRIPE_SECRET);
    const encoded = Buffer.from(delivery.payload).toString('base64');
    expect(() => Stripe.webhooks.constructEvent(encoded, delivery.signature, TEST_STRIPE_SECRET)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });

  it('answers a duplicate delivery from the store', async () => {
    const delivery = sign(customerCreated({ email: email('high') }), TEST_STRIPE_SECRET);
    const request = {
      kind,
      method: 'POST',
      path: '/hooks/stripe',
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': delivery.signature },
      body: delivery.payload,
    };
    const first = resultJson(await invoke(request)) as { verdict_id: string };
    const second = resultJson(await invoke({ ...request, base64: true })) as {
      verdict_id: string;
      duplicate: boolean;
    };
    expect(second).toMatchObject({ duplicate: true, verdict_id: first.verdict_id });
  });

  it('answers 405 on GET and 404 elsewhere', async () => {
    const get = await invoke({ kind, method: 'GET', path: '/hooks/stripe' });
    expect(get.statusCode).toBe(405);
    expect(get.headers?.allow).toBe('POST');
    const other = await invoke({ kind, method: 'POST', path: '/hooks/other', body: '{}' });
    expect(other.statusCode).toBe(404);
  });
});
