/**
 * `POST /hooks/supabase` (docs/api.md, docs/verdict.md, docs/supabase.md): Supabase's before-user-created HTTP hook, against the Hono
 * app over real deps (dynalite store, sandbox Defastra over HTTP), with Supabase's documented payload and
 * deliveries signed as Supabase Auth signs them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  supabaseEventSchema,
  supabaseRunOnceKey,
  supabaseScreenInput,
} from '../../functions/supabase-hook/event.js';
import { SANDBOX_IDENTITIES } from '../../shared/defastra/sandbox/index.js';
import * as z from '../../shared/validation/zod.js';
import {
  delivery,
  fixture,
  type HookTarget,
  hookTarget,
  NO_VELOCITY,
  nowSec,
  type Payload,
  payload,
  SECRET,
} from './support.js';

const { email: EMAIL, phone: PHONE } = SANDBOX_IDENTITIES;
const USER_MESSAGE = 'Sign-ups like this one are not accepted. Contact support.';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
const json = async (response: Response): Promise<any> => JSON.parse(await response.text());

const expectError = async (response: Response, status: number, code: string) => {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = await json(response);
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  return body.error.message as string;
};

describe('POST /hooks/supabase', () => {
  let h: HookTarget;

  beforeAll(async () => {
    h = await hookTarget({ policy: { cache_hours: 0, user_message: USER_MESSAGE, ...NO_VELOCITY } });
  });
  afterAll(() => h.close());
  afterEach(() => h.t.sandbox.clearFaults());

  /** Sends a delivery; `key` is what the verdict is keyed by: `metadata.uuid`, else the `webhook-id`. */
  const send = async (doc: Payload | string, id = randomUUID()) => {
    const body = typeof doc === 'string' ? doc : JSON.stringify(doc);
    const uuid = typeof doc === 'string' ? undefined : doc.metadata?.uuid;
    const key = typeof uuid === 'string' ? uuid : id;
    return { id, key, response: await h.post(body, delivery(body, { id })) };
  };

  describe('verdicts in Supabase format', () => {
    it('allow → 200 {} (application/json), verdict stored with metadata.uuid and user id', async () => {
      const doc = payload({ email: EMAIL.low });
      const { key, response } = await send(doc);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await json(response)).toEqual({});
      const verdict = await h.verdictFor(key);
      expect(verdict).toMatchObject({
        source: 'supabase',
        source_ref: doc.metadata.uuid,
        subject_ref: doc.user.id,
        decision: 'allow',
        degraded: false,
      });
    });

    it('review → 200 {} (the sign-up goes on; the verdict waits in the review queue)', async () => {
      const { key, response } = await send(payload({ email: EMAIL.medium }));
      expect(response.status).toBe(200);
      expect(await json(response)).toEqual({});
      expect((await h.verdictFor(key))?.decision).toBe('review');
    });

    it('block → 200 {"error":{"http_code":403,"message":<user_message>}} (Supabase reads a body only on 200/202)', async () => {
      const { key, response } = await send(payload({ email: EMAIL.high }));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await json(response)).toEqual({ error: { http_code: 403, message: USER_MESSAGE } });
      expect((await h.verdictFor(key))?.decision).toBe('block');
    });

    it('the answer follows the verdict action: a block decided while monitored would answer 200 {}', async () => {
      // Monitor mode comes with runtime policies; until then action = decision, and the route reads action.
      const { key, response } = await send(payload({ email: EMAIL.high }));
      const verdict = await h.verdictFor(key);
      expect(verdict).toMatchObject({ decision: 'block', action: 'block', mode: 'enforce' });
      expect((await json(response)).error.http_code).toBe(403);
    });

    it('a phone sign-up: Supabase sends E.164 digits without "+", read as international', async () => {
      const doc = fixture<Payload>('supabase/before-user-created-phone.json');
      doc.user.phone = PHONE.extreme;
      doc.metadata.uuid = randomUUID();
      const { key, response } = await send(doc);
      expect((await json(response)).error.http_code).toBe(403);
      const verdict = await h.verdictFor(key);
      expect(verdict?.phone).toMatchObject({ risk_level: 'extreme' });
      expect(verdict?.reasons.map((r) => r.code)).toEqual(['phone_risk']);
    });

    it('an anonymous sign-up (no email, no phone) → 200 {} with no Defastra call', async () => {
      h.t.sandbox.resetStats();
      const { key, response } = await send(payload({ email: '', phone: '', is_anonymous: true }));
      expect(response.status).toBe(200);
      expect((await h.verdictFor(key))?.reasons.map((r) => r.code)).toEqual(['no_identifiers']);
      expect(h.t.sandbox.stats().requests).toBe(0);
    });

    it('the documented payload as is (fixture) is accepted', async () => {
      const { response } = await send(fixture<Payload>('supabase/before-user-created.json'));
      expect(response.status).toBe(200);
    });
  });

  describe('duplicate delivery (metadata.uuid is the idempotency key)', () => {
    const count = async (key: string) => {
      const page = await h.t.deps.store.verdicts.query({ source: 'supabase', limit: 100 });
      return page.items.filter((v) => v.source_ref === key).length;
    };

    it("Supabase's retry (a new webhook-id, the same body): the same verdict, one Defastra call, one verdict", async () => {
      const doc = payload({ email: EMAIL.high });
      const body = JSON.stringify(doc);
      const before = h.t.sandbox.stats().byEndpoint.email;
      const first = await h.post(body, delivery(body, { id: randomUUID() }));
      // Supabase Auth signs every attempt under a new webhook-id, a little later.
      const second = await h.post(body, delivery(body, { id: randomUUID(), t: nowSec() + 1 }));
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      const firstBody = await json(first);
      expect(firstBody.error.http_code).toBe(403);
      expect(await json(second)).toEqual(firstBody);
      expect(h.t.sandbox.stats().byEndpoint.email - before).toBe(1);
      expect(await count(doc.metadata.uuid as string)).toBe(1);
    });

    it('the same webhook-id and body again: the same answer, one verdict', async () => {
      const doc = payload({ email: EMAIL.medium });
      const body = JSON.stringify(doc);
      const id = randomUUID();
      expect((await h.post(body, delivery(body, { id }))).status).toBe(200);
      expect((await h.post(body, delivery(body, { id, t: nowSec() + 1 }))).status).toBe(200);
      expect(await count(doc.metadata.uuid as string)).toBe(1);
    });

    it('the same metadata.uuid with another body → 422 idempotency_key_reused', async () => {
      const uuid = randomUUID();
      expect((await send(payload({ email: EMAIL.low }, { uuid }))).response.status).toBe(200);
      const { response } = await send(payload({ email: EMAIL.medium }, { uuid }));
      await expectError(response, 422, 'idempotency_key_reused');
    });

    it('without a metadata.uuid, the webhook-id is the key and the source_ref', async () => {
      const doc = payload({ email: EMAIL.low });
      delete doc.metadata.uuid;
      const { id, key, response } = await send(doc);
      expect(key).toBe(id);
      expect(response.status).toBe(200);
      expect((await h.verdictFor(id))?.source_ref).toBe(id);
    });
  });

  describe('signature (401 unauthorized, our error shape)', () => {
    const body = JSON.stringify(payload({ email: EMAIL.low }));

    it.each([
      ['no webhook headers', () => ({ 'Content-Type': 'application/json' })],
      [
        'another secret',
        () => delivery(body, { secrets: ['v1,whsec_b3RoZXItc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU='] }),
      ],
      ['a timestamp 301 s old', () => delivery(body, { t: nowSec() - 301 })],
      ['a timestamp 301 s ahead', () => delivery(body, { t: nowSec() + 301 })],
      ['a garbage signature', () => ({ ...delivery(body), 'webhook-signature': 'v1,bm90IGEgc2lnbmF0dXJl' })],
      [
        'a bearer token instead',
        () => ({ 'Content-Type': 'application/json', Authorization: `Bearer ${SECRET}` }),
      ],
    ])('refuses %s, before any Defastra call', async (_case, headers) => {
      const before = h.t.sandbox.stats().requests;
      await expectError(await h.post(body, headers()), 401, 'unauthorized');
      expect(h.t.sandbox.stats().requests).toBe(before);
    });

    it('refuses a body changed after signing and a signature moved to another webhook-id', async () => {
      const signed = delivery(body);
      await expectError(await h.post(body.replace(EMAIL.low, EMAIL.high), signed), 401, 'unauthorized');
      await expectError(await h.post(body, { ...signed, 'webhook-id': randomUUID() }), 401, 'unauthorized');
    });

    it('logs why, never the headers or the secret', async () => {
      h.telemetry.lines.length = 0;
      await h.post(body, delivery(body, { t: nowSec() - 1000 }));
      expect(h.telemetry.lines).toEqual(
        expect.arrayContaining([expect.stringMatching(/"level":"warn".*"reason":"stale"/)]),
      );
      expect(h.telemetry.lines.join('\n')).not.toContain(SECRET.slice(9));
    });

    it('accepts every active secret during a rotation (signatures joined by ", ")', async () => {
      const rotating = await hookTarget({
        secrets: ['v1,whsec_b2xkLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Ng==', SECRET],
      });
      try {
        const text = JSON.stringify(payload({ email: EMAIL.low }));
        expect((await rotating.post(text, delivery(text))).status).toBe(200);
        const both = delivery(text, {
          secrets: ['v1,whsec_bmV3LXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc=', SECRET],
        });
        expect((await rotating.post(text, both)).status).toBe(200);
      } finally {
        await rotating.close();
      }
    });

    it('refuses everything when no secret is usable', async () => {
      const none = await hookTarget({ secrets: [] });
      try {
        const text = JSON.stringify(payload({ email: EMAIL.low }));
        await expectError(await none.post(text, delivery(text)), 401, 'unauthorized');
        expect(none.telemetry.lines.some((line) => line.includes('no usable secret'))).toBe(true);
      } finally {
        await none.close();
      }
    });
  });

  describe('contract order: 404/405, 413, 401, 415, 400', () => {
    it('405 with Allow: POST for other methods, 404 for other paths', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const response = await h.request({ method });
        await expectError(response, 405, 'method_not_allowed');
        expect(response.headers.get('allow')).toBe('POST');
      }
      const body = JSON.stringify(payload({ email: EMAIL.low }));
      await expectError(
        await h.request({ method: 'POST', body, headers: delivery(body) }, '/hooks/supabase/x'),
        404,
        'not_found',
      );
    });

    it('413 for a body over 256 KiB, signed or not', async () => {
      const big = JSON.stringify({ ...payload({ email: EMAIL.low }), padding: 'x'.repeat(256 * 1024) });
      await expectError(await h.post(big, delivery(big)), 413, 'payload_too_large');
      await expectError(await h.post(big, { 'Content-Type': 'application/json' }), 413, 'payload_too_large');
    });

    it('415 after a good signature, 401 before', async () => {
      const body = JSON.stringify(payload({ email: EMAIL.low }));
      await expectError(
        await h.post(body, { ...delivery(body), 'Content-Type': 'text/plain' }),
        415,
        'unsupported_media_type',
      );
      await expectError(await h.post(body, { 'Content-Type': 'text/plain' }), 401, 'unauthorized');
    });

    it('400 invalid_json for a signed body that does not parse', async () => {
      await expectError((await send('{"user": {"email": ')).response, 400, 'invalid_json');
    });

    it.each([
      ['user.email', { metadata: {}, user: { email: 42 } }],
      ['user.phone', { metadata: {}, user: { phone: 33600000001 } }],
      ['user.id', { metadata: {}, user: { id: 7 } }],
      ['user.id', { metadata: {}, user: { id: 'x'.repeat(256) } }],
      ['metadata.ip_address', { metadata: { ip_address: ['203.0.113.7'] }, user: {} }],
      ['metadata.name', { metadata: { name: 'send-email' }, user: { email: 'jane@example.com' } }],
      ['user', { metadata: {}, user: 'jane@example.com' }],
    ])('400 invalid_request naming %s', async (field, doc) => {
      const message = await expectError((await send(JSON.stringify(doc))).response, 400, 'invalid_request');
      expect(message).toContain(`"${field}"`);
      expect(message).not.toContain('jane@example.com');
    });

    it('400 for a body that is not an object', async () => {
      await expectError((await send('[]')).response, 400, 'invalid_request');
    });
  });

  describe('no raw PII in logs or stored items', () => {
    it('keeps only masked values and keyed hashes of the email, phone and IP', async () => {
      const email = 'Jane.Doe+medium@Example.com';
      const ip = '198.51.100.77';
      h.telemetry.lines.length = 0;
      const { response } = await send(payload({ email, phone: PHONE.high }, { ip_address: ip }));
      expect((await json(response)).error.http_code).toBe(403);
      const table = await h.tableText();
      const logs = h.telemetry.lines.join('\n');
      expect(logs).toContain('"message":"verdict"');
      for (const raw of [
        email,
        email.toLowerCase(),
        'jane.doe@example.com',
        PHONE.high,
        `+${PHONE.high}`,
        ip,
      ]) {
        expect(table).not.toContain(raw);
        expect(logs).not.toContain(raw);
      }
    });
  });
});

describe('POST /hooks/supabase when Defastra is slower than the budget', () => {
  it('answers inside Supabase limit with on_error.supabase (allow by default), degraded', async () => {
    const h = await hookTarget({ policy: { cache_hours: 0, budget_ms: { supabase: 300 }, ...NO_VELOCITY } });
    try {
      h.t.sandbox.setFaults({ latencyMs: 3_000 });
      const started = Date.now();
      const doc = payload({ email: EMAIL.high, phone: PHONE.high });
      const body = JSON.stringify(doc);
      const response = await h.post(body, delivery(body));
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(response.status).toBe(200);
      expect(await json(response)).toEqual({});
      const verdict = await h.verdictFor(doc.metadata.uuid as string);
      expect(verdict).toMatchObject({ decision: 'allow', degraded: true });
      expect(verdict?.email?.error?.type).toBe('TIMEOUT');
    } finally {
      await h.close();
    }
  });

  it('on_error.supabase=block refuses in Supabase format, still inside the budget', async () => {
    const h = await hookTarget({
      policy: {
        cache_hours: 0,
        budget_ms: { supabase: 300 },
        on_error: { supabase: 'block' },
        ...NO_VELOCITY,
      },
    });
    try {
      h.t.sandbox.setFaults({ latencyMs: 3_000 });
      const body = JSON.stringify(payload({ email: EMAIL.low }));
      const started = Date.now();
      const response = await h.post(body, delivery(body));
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(response.status).toBe(200);
      expect((await json(response)).error.http_code).toBe(403);
    } finally {
      await h.close();
    }
  });

  it('with the default budget (4 s), answers before Supabase gives up (5 s)', async () => {
    const h = await hookTarget();
    try {
      h.t.sandbox.setFaults({ latencyMs: 8_000 });
      const body = JSON.stringify(payload({ email: EMAIL.high }));
      const started = Date.now();
      const response = await h.post(body, delivery(body));
      const elapsed = Date.now() - started;
      expect(response.status).toBe(200);
      expect(elapsed).toBeGreaterThanOrEqual(3_900);
      expect(elapsed).toBeLessThan(5_000);
    } finally {
      await h.close();
    }
  }, 10_000);
});

describe('supabaseScreenInput', () => {
  const parse = (doc: unknown) => z.parse(supabaseEventSchema, doc);

  it('maps the documented payload: email, user id as subject, IP, the run-once key as source_ref', () => {
    const doc = fixture<Payload>('supabase/before-user-created.json');
    expect(supabaseScreenInput(parse(doc), 'wh-1')).toEqual({
      source: 'supabase',
      sourceRef: 'wh-1',
      subjectRef: 'ff7fc9ae-3b1b-4642-9241-64adb9848a03',
      email: 'jane.doe@example.org',
      phone: null,
      ip: '203.0.113.7',
    });
  });

  it('gives a digits-only phone its "+", leaves other forms as they are, and drops empty strings', () => {
    expect(supabaseScreenInput(parse({ user: { phone: '33600000001', email: '' } }), 'k')).toMatchObject({
      phone: '+33600000001',
      email: null,
    });
    expect(supabaseScreenInput(parse({ user: { phone: '+33 6 00 00 00 01' } }), 'k').phone).toBe(
      '+33 6 00 00 00 01',
    );
    expect(supabaseScreenInput(parse({ user: { phone: '0600000001' } }), 'k').phone).toBe('0600000001');
    expect(supabaseScreenInput(parse({ metadata: { ip_address: '' }, user: { id: '' } }), 'k')).toMatchObject(
      {
        ip: null,
        subjectRef: null,
      },
    );
  });
});

describe('supabaseRunOnceKey', () => {
  const parse = (doc: unknown) => z.parse(supabaseEventSchema, doc);

  it('is metadata.uuid when it has the shape of a key, else the webhook-id', () => {
    expect(
      supabaseRunOnceKey(parse({ metadata: { uuid: '8b34dcdd-1d2e-4b3c-9f00-0123456789ab' } }), 'wh'),
    ).toBe('8b34dcdd-1d2e-4b3c-9f00-0123456789ab');
    expect(supabaseRunOnceKey(parse({ metadata: {} }), 'wh')).toBe('wh');
    expect(supabaseRunOnceKey(parse({ metadata: { uuid: '' } }), 'wh')).toBe('wh');
    expect(supabaseRunOnceKey(parse({ metadata: { uuid: 'a/b' } }), 'wh')).toBe('wh');
    expect(supabaseRunOnceKey(parse({}), 'wh')).toBe('wh');
  });
});
