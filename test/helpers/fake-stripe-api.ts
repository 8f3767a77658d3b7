/**
 * Test helper: a small Stripe API on node:http for the write-back and the fraud reports, driven by the official client
 * through `STRIPE_API_BASE_URL`. It plays `GET /v1/radar/value_lists?alias=...`, `POST /v1/radar/value_list_items`,
 * `POST /v1/customers/{id}`, `GET /v1/charges/{id}` and `GET /v1/payment_intents/{id}` with form-encoded bodies,
 * answers with objects shaped like Stripe's, keeps a connected account's charges apart (`Stripe-Account`), honours
 * `Idempotency-Key` (a replay returns the first answer), records every call and can be told to fail.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

type Json = Record<string, unknown>;

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The form body decoded into nested objects (`metadata[a]=b` → `{ metadata: { a: 'b' } }`). */
  form: Json;
  /** The raw form body. */
  body: string;
  idempotencyKey: string | undefined;
  stripeAccount: string | undefined;
  authorization: string | undefined;
  /** The status the fake answered. */
  status: number;
}

export interface FailureRule {
  /** HTTP status to answer (e.g. 500, 429, 400). */
  status: number;
  /** Only calls whose `METHOD /path` matches (default: every call). */
  match?: RegExp;
  /** How many calls fail before the rule switches itself off (default: until `clearFailures()`). */
  times?: number;
  /** Stripe error type in the body (default `api_error` for 5xx, `invalid_request_error` otherwise). */
  type?: string;
  code?: string;
}

export interface FakeValueList {
  id: string;
  alias: string;
  name: string;
  item_type: string;
  items: Array<{ id: string; value: string; created: number }>;
}

export interface FakeStripeApi {
  /** e.g. http://127.0.0.1:41234 (no trailing slash): the value of STRIPE_API_BASE_URL. */
  url: string;
  /** Every call so far, oldest first. */
  calls: RecordedCall[];
  /** Calls matching `METHOD /path` (the path without the query). */
  callsTo(method: string, pathPattern: RegExp): RecordedCall[];
  addCustomer(id: string, metadata?: Record<string, string>): void;
  /** A charge (of `account`, a connected account, when given) and the customer it belongs to (null: a guest). */
  addCharge(
    id: string,
    customer: string | null,
    options?: { account?: string; paymentIntent?: string },
  ): void;
  /** A PaymentIntent and the customer it belongs to. */
  addPaymentIntent(id: string, customer: string | null): void;
  customer(id: string): Json | undefined;
  /** Creates a value list (what an operator does once in the Dashboard). */
  addValueList(alias: string, itemType?: string): FakeValueList;
  valueList(alias: string): FakeValueList | undefined;
  /** Makes calls fail until the rule runs out or `clearFailures()`. */
  fail(rule: FailureRule): void;
  /** Delays every answer by this many ms (0 to stop), to exercise the client's timeout. */
  setLatency(ms: number): void;
  clearFailures(): void;
  /** Forgets calls (not customers or lists). */
  resetCalls(): void;
  close(): Promise<void>;
}

const newId = (prefix: string): string => `${prefix}_${randomBytes(8).toString('hex')}`;
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Decodes Stripe's form encoding, including bracketed keys (`a[b]=c`, `a[0]=c`). */
export const decodeForm = (body: string): Json => {
  const out: Json = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split('[').map((part, index) => (index === 0 ? part : part.replace(/\]$/, '')));
    let target = out;
    parts.forEach((part, index) => {
      if (index === parts.length - 1) {
        target[part] = value;
        return;
      }
      const next = target[part];
      if (typeof next !== 'object' || next === null) target[part] = {};
      target = target[part] as Json;
    });
  }
  return out;
};

const readBody = (request: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

const header = (request: http.IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const stripeError = (type: string, message: string, code?: string): Json => ({
  error: { type, message, ...(code ? { code } : {}) },
});

const customerObject = (id: string, metadata: Record<string, string>): Json => ({
  id,
  object: 'customer',
  address: null,
  balance: 0,
  created: nowSeconds(),
  currency: null,
  default_source: null,
  delinquent: false,
  description: null,
  discount: null,
  email: null,
  invoice_prefix: 'FAKE0001',
  invoice_settings: {
    custom_fields: null,
    default_payment_method: null,
    footer: null,
    rendering_options: null,
  },
  livemode: false,
  metadata: { ...metadata },
  name: null,
  next_invoice_sequence: 1,
  phone: null,
  preferred_locales: [],
  shipping: null,
  tax_exempt: 'none',
  test_clock: null,
});

/** A charge shaped like Stripe's own object (card payment, succeeded), with the fields the fraud reports read. */
const chargeObject = (id: string, customer: string | null, paymentIntent: string | null): Json => ({
  id,
  object: 'charge',
  amount: 4200,
  amount_captured: 4200,
  amount_refunded: 0,
  application: null,
  application_fee: null,
  application_fee_amount: null,
  balance_transaction: newId('txn'),
  billing_details: {
    address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
    email: null,
    name: null,
    phone: null,
  },
  captured: true,
  created: nowSeconds(),
  currency: 'eur',
  customer,
  description: null,
  disputed: true,
  failure_code: null,
  failure_message: null,
  fraud_details: {},
  livemode: false,
  metadata: {},
  outcome: {
    network_status: 'approved_by_network',
    reason: null,
    risk_level: 'normal',
    seller_message: 'Payment complete.',
    type: 'authorized',
  },
  paid: true,
  payment_intent: paymentIntent,
  payment_method: newId('pm'),
  payment_method_details: { card: { brand: 'visa', country: 'FR', last4: '4242' }, type: 'card' },
  receipt_email: null,
  refunded: false,
  review: null,
  status: 'succeeded',
});

const paymentIntentObject = (id: string, customer: string | null): Json => ({
  id,
  object: 'payment_intent',
  amount: 4200,
  currency: 'eur',
  customer,
  latest_charge: null,
  livemode: false,
  metadata: {},
  status: 'succeeded',
});

const valueListObject = (list: FakeValueList): Json => ({
  id: list.id,
  object: 'radar.value_list',
  alias: list.alias,
  created: nowSeconds(),
  created_by: 'signup-gate tests',
  item_type: list.item_type,
  list_items: {
    object: 'list',
    data: [],
    has_more: list.items.length > 0,
    url: `/v1/radar/value_list_items?value_list=${list.id}`,
  },
  livemode: false,
  metadata: {},
  name: list.name,
});

/** Starts the fake on 127.0.0.1 with a random port. */
export const startFakeStripeApi = async (): Promise<FakeStripeApi> => {
  const calls: RecordedCall[] = [];
  const customers = new Map<string, Record<string, string>>();
  /** Charges by `<account>\n<id>` (the platform's account is empty). */
  const charges = new Map<string, { customer: string | null; paymentIntent: string | null }>();
  const intents = new Map<string, string | null>();
  const lists = new Map<string, FakeValueList>();
  const replays = new Map<string, { body: string; status: number; payload: Json }>();
  let rules: FailureRule[] = [];
  let latencyMs = 0;

  const takeFailure = (signature: string): FailureRule | undefined => {
    const rule = rules.find((r) => !r.match || r.match.test(signature));
    if (!rule) return undefined;
    if (rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) rules = rules.filter((r) => r !== rule);
    }
    return rule;
  };

  const route = (
    method: string,
    path: string,
    query: URLSearchParams,
    form: Json,
    account: string,
  ): [number, Json] => {
    const chargePath = /^\/v1\/charges\/([^/]+)$/.exec(path);
    if (method === 'GET' && chargePath) {
      const id = decodeURIComponent(chargePath[1]!);
      const charge = charges.get(`${account}\n${id}`);
      if (!charge) {
        return [404, stripeError('invalid_request_error', `No such charge: '${id}'`, 'resource_missing')];
      }
      return [200, chargeObject(id, charge.customer, charge.paymentIntent)];
    }
    const intentPath = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (method === 'GET' && intentPath) {
      const id = decodeURIComponent(intentPath[1]!);
      if (!intents.has(id)) {
        return [
          404,
          stripeError('invalid_request_error', `No such payment_intent: '${id}'`, 'resource_missing'),
        ];
      }
      return [200, paymentIntentObject(id, intents.get(id) ?? null)];
    }
    if (method === 'GET' && path === '/v1/radar/value_lists') {
      const alias = query.get('alias');
      const data = [...lists.values()]
        .filter((l) => alias === null || l.alias === alias)
        .map(valueListObject);
      return [200, { object: 'list', data, has_more: false, url: '/v1/radar/value_lists' }];
    }
    if (method === 'POST' && path === '/v1/radar/value_list_items') {
      const listId = typeof form.value_list === 'string' ? form.value_list : '';
      const value = typeof form.value === 'string' ? form.value : '';
      const list = [...lists.values()].find((l) => l.id === listId);
      if (!list) {
        return [
          404,
          stripeError('invalid_request_error', `No such value list: '${listId}'`, 'resource_missing'),
        ];
      }
      if (!value) return [400, stripeError('invalid_request_error', 'Missing required param: value.')];
      const item = { id: newId('rsli'), value, created: nowSeconds() };
      list.items.push(item);
      return [
        200,
        {
          id: item.id,
          object: 'radar.value_list_item',
          created: item.created,
          created_by: 'signup-gate tests',
          livemode: false,
          value,
          value_list: list.id,
        },
      ];
    }
    const customerPath = /^\/v1\/customers\/([^/]+)$/.exec(path);
    if (method === 'POST' && customerPath) {
      const id = decodeURIComponent(customerPath[1]!);
      const metadata = customers.get(id);
      if (!metadata) {
        return [404, stripeError('invalid_request_error', `No such customer: '${id}'`, 'resource_missing')];
      }
      const update = (form.metadata ?? {}) as Record<string, string>;
      for (const [key, value] of Object.entries(update)) {
        if (value === '') delete metadata[key];
        else metadata[key] = value;
      }
      return [200, customerObject(id, metadata)];
    }
    return [404, stripeError('invalid_request_error', `Unrecognized request URL (${method}: ${path}).`)];
  };

  const server = http.createServer(async (request, response) => {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://fake.stripe');
    const method = request.method ?? 'GET';
    const form = decodeForm(method === 'GET' ? '' : body);
    const idempotencyKey = header(request, 'idempotency-key');
    const authorization = header(request, 'authorization');
    const record: RecordedCall = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      form,
      body,
      idempotencyKey,
      stripeAccount: header(request, 'stripe-account'),
      authorization,
      status: 0,
    };
    calls.push(record);
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (response.destroyed) return;
    const send = (status: number, payload: Json, extra: Record<string, string> = {}) => {
      record.status = status;
      response.writeHead(status, {
        'content-type': 'application/json',
        'request-id': newId('req'),
        'stripe-version': header(request, 'stripe-version') ?? '',
        ...extra,
      });
      response.end(JSON.stringify(payload));
    };

    if (!authorization || !/^Bearer (sk|rk)_(test|live)_\S+$/.test(authorization)) {
      send(401, stripeError('authentication_error', 'Invalid API Key provided.'));
      return;
    }
    const failure = takeFailure(`${method} ${url.pathname}`);
    if (failure) {
      const type = failure.type ?? (failure.status >= 500 ? 'api_error' : 'invalid_request_error');
      send(failure.status, stripeError(type, 'Injected failure from the fake Stripe API.', failure.code));
      return;
    }
    if (method === 'POST' && idempotencyKey) {
      const replayKey = `${header(request, 'stripe-account') ?? ''}\n${idempotencyKey}`;
      const earlier = replays.get(replayKey);
      if (earlier) {
        if (earlier.body !== body) {
          send(
            400,
            stripeError(
              'idempotency_error',
              'Keys for idempotent requests can only be used with the same parameters they were first used with.',
            ),
          );
          return;
        }
        send(earlier.status, earlier.payload, { 'idempotent-replayed': 'true' });
        return;
      }
      const [status, payload] = route(
        method,
        url.pathname,
        url.searchParams,
        form,
        record.stripeAccount ?? '',
      );
      // Stripe saves the result of a request that ran (not of one that failed validation before running).
      if (status < 500) replays.set(replayKey, { body, status, payload });
      send(status, payload);
      return;
    }
    const [status, payload] = route(method, url.pathname, url.searchParams, form, record.stripeAccount ?? '');
    send(status, payload);
  });

  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (method, pathPattern) => calls.filter((c) => c.method === method && pathPattern.test(c.path)),
    addCustomer: (id, metadata = {}) => {
      customers.set(id, { ...metadata });
    },
    addCharge: (id, customer, options = {}) => {
      charges.set(`${options.account ?? ''}\n${id}`, {
        customer,
        paymentIntent: options.paymentIntent ?? null,
      });
    },
    addPaymentIntent: (id, customer) => {
      intents.set(id, customer);
    },
    customer: (id) => {
      const metadata = customers.get(id);
      return metadata ? customerObject(id, metadata) : undefined;
    },
    addValueList: (alias, itemType = 'email') => {
      const list: FakeValueList = { id: newId('rsl'), alias, name: alias, item_type: itemType, items: [] };
      lists.set(alias, list);
      return list;
    },
    valueList: (alias) => lists.get(alias),
    fail: (rule) => {
      rules.push({ ...rule });
    },
    clearFailures: () => {
      rules = [];
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    resetCalls: () => {
      calls.length = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
