/**
 * `trigger stripe`: a `customer.created` snapshot event as Stripe sends it (API version, livemode false, a `cus_` id),
 * signed with the official library's test header helper (`Stripe-Signature`, docs/stripe.md).
 */
import { isRecord, type TriggerProvider, verdictIn } from './provider.js';
import { randomId } from './subject.js';

/** The API version of the events this build of the hook was written against (any version is accepted). */
const API_VERSION = '2025-10-29.clover';

export const stripeTrigger: TriggerProvider = {
  name: 'stripe',
  description: 'a customer.created event signed as Stripe signs it → /hooks/stripe',
  secret: {
    env: 'STRIPE_WEBHOOK_SECRET',
    field: 'stripe_webhook_secret',
    separator: 'comma',
    what: 'Stripe webhook signing secret',
  },
  build: async ({ subject, secret, nowSec }) => {
    const customer = {
      id: `cus_${randomId(14)}`,
      object: 'customer',
      address: null,
      balance: 0,
      created: nowSec,
      currency: null,
      default_source: null,
      delinquent: false,
      description: null,
      email: subject.email,
      invoice_prefix: randomId(8, 'ABCDEF0123456789'),
      invoice_settings: {
        custom_fields: null,
        default_payment_method: null,
        footer: null,
        rendering_options: null,
      },
      livemode: false,
      metadata: {},
      name: 'Jane Doe',
      phone: subject.phone,
      preferred_locales: [],
      shipping: null,
      tax_exempt: 'none',
      test_clock: null,
    };
    const event = {
      id: `evt_${randomId(24)}`,
      object: 'event',
      api_version: API_VERSION,
      created: nowSec,
      data: { object: customer },
      livemode: false,
      pending_webhooks: 1,
      request: { id: `req_${randomId(14)}`, idempotency_key: null },
      type: 'customer.created',
    };
    const body = JSON.stringify(event);
    // The official library's own helper for tests: the header Stripe would send, over these exact bytes.
    const { default: Stripe } = await import('stripe');
    const header = Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: secret ?? '',
      timestamp: nowSec,
    });
    return {
      path: '/hooks/stripe',
      body,
      headers: { 'Stripe-Signature': header },
      event: 'customer.created',
    };
  },
  read: (status, body) => {
    if (status !== 200 || !isRecord(body)) return undefined;
    if (body.ignored === true)
      return { effect: `Stripe's event was not screened (${String(body.event_type)})` };
    const verdict = verdictIn(body);
    if (!verdict) return undefined;
    const again = body.duplicate === true ? ' (a redelivery: the first verdict, no second check)' : '';
    return { effect: `the event is acknowledged (200)${again}`, verdict };
  },
};
