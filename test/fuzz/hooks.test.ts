/**
 * Fuzzing both hooks in process (Hono `app.request`, in-memory store, the sandbox as Defastra): random bodies
 * and headers, signed or not, never produce a 5xx, a stack trace or a file path, or an echo of a raw email; and
 * a correctly signed body altered in any single byte is always refused (401 for Auth0, 400
 * `invalid_signature` for Stripe), before any Defastra call.
 */
import fc from 'fast-check';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth0HookApp } from '../../functions/auth0-hook/app.js';
import { createStripeHookApp } from '../../functions/stripe-hook/app.js';
import { AUTH0_SIGNATURE_HEADER, signAuth0Body } from '../../shared/webhooks/auth0.js';
import { createTestDeps, TEST_AUTH0_SECRET, TEST_STRIPE_SECRET, type TestDeps } from '../helpers/deps.js';
import {
  bodyWith,
  contentType,
  expectSafeAnswer,
  garbageHeaders,
  RUNS,
  rawEmail,
  signing,
} from './arbitraries.js';

let t: TestDeps;
let auth0: ReturnType<typeof createAuth0HookApp>;
let stripe: ReturnType<typeof createStripeHookApp>;
beforeAll(async () => {
  // Retryable Defastra failures are not expected here; small budgets keep any surprise short.
  t = await createTestDeps({ store: 'memory', policy: { budget_ms: { auth0: 2_000, stripe: 2_000 } } });
  auth0 = createAuth0HookApp(t.provider);
  stripe = createStripeHookApp(t.provider);
});
afterAll(() => t.close());

const nowSec = () => Math.floor(Date.now() / 1000);
const bytesOf = (body: string | Uint8Array): Uint8Array =>
  typeof body === 'string' ? new TextEncoder().encode(body) : body;

/** Auth0-shaped events with the raw email where the Action puts it, and random extras. */
const auth0Shapes = (email: string) => [
  fc.record(
    {
      user: fc.record(
        {
          email: fc.oneof(fc.constant(email), fc.string({ maxLength: 30 }), fc.constant(null)),
          phone_number: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('+33 6 00 00 00 03')),
          username: fc.string({ maxLength: 20 }),
        },
        { requiredKeys: [] },
      ),
      request: fc.record(
        { ip: fc.string({ maxLength: 20 }), geoip: fc.jsonValue({ maxDepth: 1 }) },
        { requiredKeys: [] },
      ),
      tenant: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
];

/** Stripe-shaped events: screened, ignored and malformed types, the raw email in the customer. */
const stripeShapes = (email: string) => [
  fc.record(
    {
      id: fc.oneof(fc.stringMatching(/^evt_[A-Za-z0-9]{8,24}$/), fc.string({ maxLength: 10 })),
      object: fc.constant('event'),
      type: fc.constantFrom(
        'customer.created',
        'customer.updated',
        'checkout.session.completed',
        'invoice.paid',
        '',
        'customer.deleted',
      ),
      data: fc.oneof(
        fc.record({
          object: fc.record(
            {
              id: fc.oneof(fc.stringMatching(/^cus_[A-Za-z0-9]{6,14}$/), fc.string({ maxLength: 8 })),
              email: fc.oneof(fc.constant(email), fc.string({ maxLength: 20 }), fc.constant(null)),
              phone: fc.oneof(fc.constant('+33600000004'), fc.string({ maxLength: 12 }), fc.constant(null)),
              customer_details: fc.record({ email: fc.constant(email), phone: fc.constant(null) }),
            },
            { requiredKeys: [] },
          ),
          previous_attributes: fc.oneof(fc.constant({ email: null }), fc.constant({}), fc.constant(null)),
        }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    },
    { requiredKeys: ['id', 'type'] },
  ),
];

describe('POST /hooks/auth0', () => {
  it('never fails or leaks, signed or not, whatever the body and headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawEmail.chain((email) =>
          fc.tuple(
            fc.constant(email),
            bodyWith(email, auth0Shapes(email)),
            contentType,
            garbageHeaders(email),
            signing,
          ),
        ),
        async ([email, body, type, headers, how]) => {
          const all: Record<string, string> = { ...headers };
          if (type !== undefined) all['content-type'] = type;
          if (!/^[\x21-\x7e]{1,255}$/.test(all['idempotency-key'] ?? '')) delete all['idempotency-key'];
          const text = new TextDecoder().decode(bytesOf(body));
          if (how !== 'garbage') {
            const t0 = how === 'valid' ? nowSec() : nowSec() - 301;
            all['x-signup-gate-signature'] = signAuth0Body(
              TEST_AUTH0_SECRET,
              text,
              t0,
              all['idempotency-key'] ?? null,
            );
          }
          const res = await auth0.request('/hooks/auth0', { method: 'POST', headers: all, body });
          await expectSafeAnswer(res, [email]);
          if (how !== 'valid') expect(res.status).toBe(401);
        },
      ),
      RUNS,
    );
  });

  it('refuses a signed body altered in any single byte (401), before any Defastra call', async () => {
    const before = t.sandbox.stats().requests;
    await fc.assert(
      fc.asyncProperty(
        rawEmail,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (email, position, delta) => {
          const body = JSON.stringify({ user: { email }, request: { ip: '203.0.113.7' } });
          const signature = signAuth0Body(TEST_AUTH0_SECRET, body, nowSec());
          const bytes = new TextEncoder().encode(body);
          const i = position % bytes.length;
          bytes[i] = (bytes[i]! + delta) % 256; // never the original byte
          const res = await auth0.request('/hooks/auth0', {
            method: 'POST',
            headers: { 'content-type': 'application/json', [AUTH0_SIGNATURE_HEADER]: signature },
            body: bytes,
          });
          await expectSafeAnswer(res, [email]);
          expect(res.status).toBe(401);
        },
      ),
      RUNS,
    );
    expect(t.sandbox.stats().requests).toBe(before);
  });
});

describe('POST /hooks/stripe', () => {
  const stripeHeader = (payload: string, timestamp?: number) =>
    Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: TEST_STRIPE_SECRET,
      ...(timestamp === undefined ? {} : { timestamp }),
    });

  it('never fails or leaks, signed or not, whatever the body and headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawEmail.chain((email) =>
          fc.tuple(
            fc.constant(email),
            bodyWith(email, stripeShapes(email)),
            contentType,
            garbageHeaders(email),
            signing,
          ),
        ),
        async ([email, body, type, headers, how]) => {
          const all: Record<string, string> = { ...headers };
          if (type !== undefined) all['content-type'] = type;
          if (how !== 'garbage') {
            const text = new TextDecoder().decode(bytesOf(body));
            all['stripe-signature'] = stripeHeader(text, how === 'valid' ? undefined : nowSec() - 301);
          }
          const res = await stripe.request('/hooks/stripe', { method: 'POST', headers: all, body });
          const answer = await expectSafeAnswer(res, [email]);
          if (how !== 'valid') {
            expect(res.status).toBe(400);
            expect((answer as { error: { code: string } }).error.code).toBe('invalid_signature');
          }
        },
      ),
      RUNS,
    );
  });

  it('refuses a signed event altered in any single byte (400 invalid_signature), before any Defastra call', async () => {
    const before = t.sandbox.stats().requests;
    await fc.assert(
      fc.asyncProperty(
        rawEmail,
        fc.stringMatching(/^[A-Za-z0-9]{14}$/),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (email, id, position, delta) => {
          const payload = JSON.stringify(
            {
              id: `evt_${id}`,
              object: 'event',
              type: 'customer.created',
              data: { object: { id: `cus_${id}`, object: 'customer', email, phone: null } },
            },
            null,
            2,
          );
          const signature = stripeHeader(payload);
          const bytes = new TextEncoder().encode(payload);
          const i = position % bytes.length;
          bytes[i] = (bytes[i]! + delta) % 256; // never the original byte
          const res = await stripe.request('/hooks/stripe', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'stripe-signature': signature },
            body: bytes,
          });
          const answer = await expectSafeAnswer(res, [email]);
          expect(res.status).toBe(400);
          expect((answer as { error: { code: string } }).error.code).toBe('invalid_signature');
        },
      ),
      RUNS,
    );
    expect(t.sandbox.stats().requests).toBe(before);
  });
});
