/**
 * Request builders for the hooks, signed as their real senders sign them: the Auth0 Action's
 * `X-Signup-Gate-Signature` (HMAC-SHA256 of `<t>.<Idempotency-Key>.<body>`), Stripe's `Stripe-Signature`
 * (`Stripe.webhooks.generateTestHeaderString`, the official library's own test helper) and Supabase Auth's
 * Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { AUTH0_SIGNATURE_HEADER, signAuth0Body } from '../../shared/webhooks/auth0.js';
import { signStandardWebhook } from '../../shared/webhooks/standard-webhooks.js';

export interface Contact {
  email?: string | null;
  phone?: string | null;
  /** The signup's client IP (velocity counts it); default 203.0.113.7. */
  ip?: string;
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

const JSON_TYPE = 'application/json';

/** A random id suffix (hex). */
export const uniqueId = (bytes = 8): string => randomBytes(bytes).toString('hex');

/** The subset of Auth0's pre-user-registration `event` the Action sends. */
export const auth0Body = (contact: Contact): string =>
  JSON.stringify({
    user: {
      ...(contact.email ? { email: contact.email } : {}),
      ...(contact.phone ? { phone_number: contact.phone } : {}),
    },
    request: {
      ip: contact.ip ?? '203.0.113.7',
      user_agent: 'signup-gate-bench',
      geoip: { countryCode: 'FR' },
    },
    connection: { name: 'Username-Password-Authentication' },
    tenant: { id: 'bench-tenant' },
  });

/** A signed `/hooks/auth0` request; `idempotencyKey` defaults to a fresh one, as the Action sends. */
export const signedAuth0 = (
  secret: string,
  contact: Contact,
  options: { idempotencyKey?: string | null; nowSec?: number } = {},
): SignedRequest => {
  const body = auth0Body(contact);
  const t = options.nowSec ?? Math.floor(Date.now() / 1000);
  const key = options.idempotencyKey === undefined ? `bench-${uniqueId()}` : options.idempotencyKey;
  return {
    body,
    headers: {
      'Content-Type': JSON_TYPE,
      [AUTH0_SIGNATURE_HEADER]: signAuth0Body(secret, body, t, key),
      ...(key ? { 'Idempotency-Key': key } : {}),
    },
  };
};

/** A `customer.created` snapshot event with a fresh event and customer id. */
export const stripeCustomerCreated = (contact: Contact, eventId = `evt_bench${uniqueId(12)}`): string =>
  JSON.stringify(
    {
      id: eventId,
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: `cus_bench${uniqueId(6)}`,
          object: 'customer',
          email: contact.email ?? null,
          phone: contact.phone ?? null,
          name: 'Bench Customer',
          livemode: false,
          metadata: {},
        },
      },
      livemode: false,
      pending_webhooks: 1,
      request: { id: `req_${uniqueId(6)}`, idempotency_key: null },
      type: 'customer.created',
    },
    null,
    2,
  );

/** Signs `payload` as Stripe does (`t=…,v1=…`). */
export const stripeSignature = (secret: string, payload: string, timestamp?: number): string =>
  Stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp === undefined ? {} : { timestamp }),
  });

/** A signed `/hooks/stripe` delivery of a `customer.created` event. */
export const signedStripe = (secret: string, contact: Contact, eventId?: string): SignedRequest => {
  const body = stripeCustomerCreated(contact, eventId);
  return {
    body,
    headers: {
      'Content-Type': JSON_TYPE,
      'Stripe-Signature': stripeSignature(secret, body),
      'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    },
  };
};

/** Supabase Auth's `before-user-created` payload for a new user. */
export const supabaseBody = (contact: Contact, userId = randomUUID()): string =>
  JSON.stringify({
    metadata: {
      uuid: randomUUID(),
      time: new Date().toISOString(),
      name: 'before-user-created',
      ip_address: contact.ip ?? '203.0.113.7',
    },
    user: {
      id: userId,
      aud: 'authenticated',
      role: '',
      email: contact.email ?? '',
      phone: contact.phone ?? '',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: {},
      identities: [],
      created_at: '0001-01-01T00:00:00Z',
      updated_at: '0001-01-01T00:00:00Z',
      is_anonymous: false,
    },
  });

/** A signed `/hooks/supabase` delivery with a fresh `webhook-id` (a UUID, as Supabase Auth sends). */
export const signedSupabase = (secret: string, contact: Contact, webhookId = randomUUID()): SignedRequest => {
  const body = supabaseBody(contact);
  return {
    body,
    headers: {
      'Content-Type': JSON_TYPE,
      ...signStandardWebhook([secret], webhookId, Math.floor(Date.now() / 1000), body),
    },
  };
};
