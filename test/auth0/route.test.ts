/**
 * `POST /hooks/auth0` (docs/api.md, docs/verdict.md, docs/auth0.md), the same cases against the Hono app in process and against
 * the real local server over HTTP, both with the sandbox Defastra and a real DynamoDB-protocol store.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_IDENTITIES } from '../../shared/defastra/sandbox/index.js';
import { AUTH0_SIGNATURE_HEADER, signAuth0Body } from '../../shared/webhooks/auth0.js';
import {
  appTarget,
  awaitFreshSecond,
  NO_VELOCITY,
  nowSec,
  serverTarget,
  signedHeaders,
  type Target,
  type TargetOptions,
} from './support.js';

const { email: EMAIL, phone: PHONE } = SANDBOX_IDENTITIES;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const event = (user: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    user,
    request: { ip: '203.0.113.7', user_agent: 'Mozilla/5.0', geoip: { countryCode: 'FR' } },
    connection: { name: 'Username-Password-Authentication' },
    client: { client_id: 'client-123' },
    tenant: { id: 'my-tenant' },
    transaction: { id: 'txn-1' },
    ...extra,
  });

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
const json = async (response: Response): Promise<any> => JSON.parse(await response.text());

const expectError = async (response: Response, status: number, code: string) => {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = await json(response);
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  return body.error.message as string;
};

const emailCalls = (target: Target) => target.sandbox.stats().byEndpoint.email;

describe.each([
  ['Hono app (app.request)', appTarget],
  ['local server (HTTP)', serverTarget],
] as const)('POST /hooks/auth0 via %s', (_name, start: (options?: TargetOptions) => Promise<Target>) => {
  let target: Target;
  let secret: string;

  beforeAll(async () => {
    target = await start({
      policy: { cache_hours: 0, user_message: 'Sign-up refused: contact support.', ...NO_VELOCITY },
    });
    secret = target.secrets[0]!;
  });
  afterAll(() => target.close());
  afterEach(() => target.sandbox.clearFaults());

  const post = (body: string, headers: Record<string, string> = signedHeaders(secret, body)) =>
    target.post(body, headers);

  describe('signature (401 unauthorized)', () => {
    it('accepts a good signature and answers the verdict plus user_message', async () => {
      const response = await post(event({ email: EMAIL.low }));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = await json(response);
      expect(body).toMatchObject({
        verdict_id: expect.stringMatching(ULID),
        source: 'auth0',
        source_ref: null,
        decision: 'allow',
        degraded: false,
        phone: null,
        policy_version: 'default-1',
        user_message: 'Sign-up refused: contact support.',
      });
      expect(body.email).toMatchObject({ masked: 'l***@example.com', risk_level: 'low', cached: false });
      expect(new Date(body.created_at).toISOString()).toBe(body.created_at);
    });

    it('rejects a signature made with another secret', async () => {
      const body = event({ email: EMAIL.low });
      await expectError(
        await post(body, signedHeaders('not-the-secret-0123456789', body)),
        401,
        'unauthorized',
      );
    });

    it('rejects a timestamp 301 s old and accepts one 299 s old', async () => {
      const body = event({ email: EMAIL.low });
      const stale = await post(body, signedHeaders(secret, body, {}, nowSec() - 301));
      expect(await expectError(stale, 401, 'unauthorized')).toMatch(/old/);
      expect((await post(body, signedHeaders(secret, body, {}, nowSec() - 299))).status).toBe(200);
    });

    it('rejects a timestamp 301 s in the future and accepts one 299 s ahead', async () => {
      const body = event({ email: EMAIL.low });
      await awaitFreshSecond();
      const future = await post(body, signedHeaders(secret, body, {}, nowSec() + 301));
      expect(await expectError(future, 401, 'unauthorized')).toMatch(/future/);
      expect((await post(body, signedHeaders(secret, body, {}, nowSec() + 299))).status).toBe(200);
    });

    it('rejects a missing header', async () => {
      const body = event({ email: EMAIL.low });
      await expectError(await post(body, { 'Content-Type': 'application/json' }), 401, 'unauthorized');
    });

    it.each([
      ['no v1', (t: number, _v1: string) => `t=${t}`],
      ['no t', (_t: number, v1: string) => `v1=${v1}`],
      ['non-numeric t', (_t: number, v1: string) => `t=yesterday,v1=${v1}`],
      ['fractional t', (t: number, v1: string) => `t=${t}.5,v1=${v1}`],
      ['two t', (t: number, v1: string) => `t=${t},t=${t},v1=${v1}`],
      ['non-hex v1', (t: number, v1: string) => `t=${t},v1=${'z'.repeat(64)},v1=${v1}`],
      ['garbage', () => 'Bearer abc.def.ghi'],
      ['empty', () => ' '],
    ])('rejects a malformed header (%s)', async (_case, make) => {
      const body = event({ email: EMAIL.low });
      const t = nowSec();
      const v1 = signAuth0Body(secret, body, t).split('v1=')[1]!;
      const headers = { 'Content-Type': 'application/json', [AUTH0_SIGNATURE_HEADER]: make(t, v1) };
      expect(await expectError(await post(body, headers), 401, 'unauthorized')).toMatch(
        /must look like|missing/,
      );
    });

    it.each([
      ['deadbeef', () => 'deadbeef'],
      ['a truncated signature', (v1: string) => v1.slice(0, 40)],
    ])(
      'says a hex v1 of the wrong length (%s) does not match, not that the format is wrong',
      async (_c, make) => {
        const body = event({ email: EMAIL.low });
        const t = nowSec();
        const v1 = signAuth0Body(secret, body, t).split('v1=')[1]!;
        const headers = {
          'Content-Type': 'application/json',
          [AUTH0_SIGNATURE_HEADER]: `t=${t},v1=${make(v1)}`,
        };
        const message = await expectError(await post(body, headers), 401, 'unauthorized');
        expect(message).toMatch(/does not match/);
        expect(message).not.toMatch(/must look like/);
      },
    );

    it('rejects a body changed after signing', async () => {
      const signed = event({ email: EMAIL.low });
      const changed = event({ email: EMAIL.high });
      await expectError(await post(changed, signedHeaders(secret, signed)), 401, 'unauthorized');
      await expectError(await post(`${signed} `, signedHeaders(secret, signed)), 401, 'unauthorized');
    });

    it('reads the header name case-insensitively', async () => {
      const body = event({ email: EMAIL.low });
      const response = await post(body, {
        'content-type': 'application/json',
        'x-signup-gate-signature': signAuth0Body(secret, body, nowSec()),
      });
      expect(response.status).toBe(200);
    });
  });

  describe('the Idempotency-Key is signed (no replay under other keys)', () => {
    it('refuses one captured signed request replayed under other keys, without a key, or with a key added', async () => {
      const key = randomUUID();
      const body = event({ email: EMAIL.medium });
      const captured = signedHeaders(secret, body, { 'Idempotency-Key': key });
      const first = await post(body, captured);
      expect(first.status).toBe(200);
      const before = emailCalls(target);
      for (const other of [randomUUID(), `${key}-2`, key.toUpperCase(), 'replayed-under-a-new-key']) {
        const replay = { ...captured, 'Idempotency-Key': other };
        const message = await expectError(await post(body, replay), 401, 'unauthorized');
        expect(message).toMatch(/does not match/);
      }
      const { 'Idempotency-Key': _dropped, ...withoutKey } = captured;
      await expectError(await post(body, withoutKey), 401, 'unauthorized');
      const keyless = signedHeaders(secret, body);
      await expectError(
        await post(body, { ...keyless, 'Idempotency-Key': randomUUID() }),
        401,
        'unauthorized',
      );
      // The original delivery still replays its own verdict; none of the above reached Defastra.
      const again = await post(body, captured);
      expect(again.status).toBe(200);
      expect((await json(again)).source_ref).toBe(key);
      expect(emailCalls(target) - before).toBe(0);
    });

    it('refuses characters moved between the key and the body (never a screening)', async () => {
      const key = randomUUID();
      const body = event({ email: 'jane.doe+medium@example.org' });
      const captured = signedHeaders(secret, body, { 'Idempotency-Key': key });
      const before = target.sandbox.stats().requests;
      const dot = body.indexOf('.');
      // "<t>.<key>.<body>" read with the boundary moved to the first dot of the body.
      const moved = { ...captured, 'Idempotency-Key': `${key}.${body.slice(0, dot)}` };
      const response = await post(body.slice(dot + 1), moved);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(target.sandbox.stats().requests).toBe(before);
    });
  });

  describe('post-login fields (docs/auth0.md)', () => {
    const postLogin = (user: Record<string, unknown>) =>
      event(user, {
        trigger: 'post-login',
        connection: { name: 'google-oauth2', strategy: 'google-oauth2' },
      });

    it('accepts trigger, user.user_id and connection.strategy and screens the user', async () => {
      const response = await post(
        postLogin({ email: EMAIL.high, user_id: 'google-oauth2|1035717959412345' }),
      );
      expect(response.status).toBe(200);
      const verdict = await json(response);
      expect(verdict).toMatchObject({
        source: 'auth0',
        decision: 'block',
        subject_ref: 'google-oauth2|1035717959412345',
      });
      expect(JSON.stringify(verdict)).not.toContain(EMAIL.high);
    });

    it('still accepts the pre-user-registration shape, with or without its trigger name; no subject_ref', async () => {
      for (const extra of [{}, { trigger: 'pre-user-registration' }]) {
        const response = await post(event({ email: EMAIL.low, user_id: 'auth0|not-yet' }, extra));
        expect(response.status).toBe(200);
        expect((await json(response)).subject_ref).toBeNull();
      }
    });

    it.each([
      ['trigger', { trigger: 'post-user-registration' }],
      ['trigger', { trigger: 7 }],
      ['user.user_id', { user: { user_id: 42 } }],
      ['user.user_id', { user: { user_id: '' } }],
      ['user.user_id', { user: { user_id: 'x'.repeat(256) } }],
      ['connection.strategy', { connection: { strategy: ['google-oauth2'] } }],
    ])('answers 400 naming %s when it is wrong', async (field, doc) => {
      const message = await expectError(await post(JSON.stringify(doc)), 400, 'invalid_request');
      expect(message).toContain(`"${field}"`);
    });
  });

  describe('contract order: 405, 413, 401, 415, 400', () => {
    it('answers 405 with Allow: POST to other methods', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const response = await target.request({ method });
        await expectError(response, 405, 'method_not_allowed');
        expect(response.headers.get('allow')).toBe('POST');
      }
    });

    it('answers 404 for other paths', async () => {
      const body = event({ email: EMAIL.low });
      const response = await target.request(
        { method: 'POST', body, headers: signedHeaders(secret, body) },
        '/hooks/auth0/extra',
      );
      await expectError(response, 404, 'not_found');
    });

    it('answers 413 for a body over 256 KiB, before checking the signature', async () => {
      const big = event({ email: EMAIL.low }, { padding: 'x'.repeat(256 * 1024) });
      await expectError(await post(big, signedHeaders(secret, big)), 413, 'payload_too_large');
      await expectError(await post(big, { 'Content-Type': 'application/json' }), 413, 'payload_too_large');
    });

    it('accepts a body just under 256 KiB (unknown Auth0 fields pass)', async () => {
      const base = event({ email: EMAIL.low }, { padding: '' });
      const body = event({ email: EMAIL.low }, { padding: 'x'.repeat(256 * 1024 - Buffer.byteLength(base)) });
      expect(Buffer.byteLength(body)).toBe(256 * 1024);
      expect((await post(body)).status).toBe(200);
    });

    it('answers 415 for a wrong content type after a good signature, 401 before', async () => {
      const body = event({ email: EMAIL.low });
      const plain = { ...signedHeaders(secret, body), 'Content-Type': 'text/plain' };
      await expectError(await post(body, plain), 415, 'unsupported_media_type');
      const unsigned = { 'Content-Type': 'text/plain' };
      await expectError(await post(body, unsigned), 401, 'unauthorized');
    });

    it('compares the media type without parameters', async () => {
      const body = event({ email: EMAIL.low });
      const headers = { ...signedHeaders(secret, body), 'Content-Type': 'Application/JSON; charset=utf-8' };
      expect((await post(body, headers)).status).toBe(200);
    });

    it('answers 400 invalid_json for a body that does not parse', async () => {
      const body = '{"user": {"email": ';
      await expectError(await post(body), 400, 'invalid_json');
    });

    it.each([
      ['user.email', { user: { email: 42 } }],
      ['user.phone_number', { user: { phone_number: 33600000001 } }],
      ['user.username', { user: { username: ['a'] } }],
      ['request.ip', { request: { ip: 7 } }],
      ['request.geoip.countryCode', { request: { geoip: { countryCode: false } } }],
      ['connection.name', { connection: { name: {} } }],
      ['client.client_id', { client: { client_id: 1 } }],
      ['tenant.id', { tenant: { id: true } }],
      ['transaction.id', { transaction: { id: 1.5 } }],
      ['user', { user: 'jane@example.com' }],
    ])('answers 400 invalid_request naming %s when its type is wrong', async (field, doc) => {
      const message = await expectError(await post(JSON.stringify(doc)), 400, 'invalid_request');
      expect(message).toContain(`"${field}"`);
      expect(message).not.toContain('jane@example.com');
    });

    it('answers 400 invalid_request for a body that is not an object', async () => {
      await expectError(await post('[]'), 400, 'invalid_request');
      await expectError(await post('"jane@example.com"'), 400, 'invalid_request');
    });

    it('answers 400 for a malformed Idempotency-Key', async () => {
      const body = event({ email: EMAIL.low });
      const headers = signedHeaders(secret, body, { 'Idempotency-Key': 'has spaces in it' });
      await expectError(await post(body, headers), 400, 'invalid_request');
    });
  });

  describe('screening', () => {
    it('accepts a full Auth0 event with many unknown fields and nulls', async () => {
      const body = JSON.stringify({
        user: { email: EMAIL.medium, phone_number: null, username: null, name: 'J', app_metadata: {} },
        request: { ip: '203.0.113.7', method: 'POST', body: {}, geoip: { countryCode: 'FR', latitude: 1 } },
        connection: { id: 'con_1', name: 'db', strategy: 'auth0', metadata: {} },
        transaction: { locale: 'en', prompt: [], response_type: ['code'] },
        security_context: { ja3: '', ja4: '' },
        custom_domain: null,
      });
      const response = await post(body);
      expect(response.status).toBe(200);
      const verdict = await json(response);
      expect(verdict.decision).toBe('review');
      expect(verdict.reasons.map((r: { code: string }) => r.code)).toEqual(['email_risk']);
    });

    it.each([
      ['allow', { email: EMAIL.low, phone_number: `+${PHONE.low}` }, []],
      ['review', { email: EMAIL.medium }, ['email_risk']],
      ['block', { email: EMAIL.high }, ['email_risk']],
      ['block', { phone_number: `+${PHONE.extreme}` }, ['phone_risk']],
    ])('decides %s for %j', async (decision, user, reasons) => {
      const response = await post(event(user));
      const verdict = await json(response);
      expect(response.status).toBe(200);
      expect(verdict.decision).toBe(decision);
      expect(verdict.reasons.map((r: { code: string }) => r.code)).toEqual(reasons);
      expect(verdict.user_message).toBe('Sign-up refused: contact support.');
    });

    it('allows an event with neither email nor phone, with reason no_identifiers and no Defastra call', async () => {
      target.sandbox.resetStats();
      for (const body of [event({ username: 'jane' }), '{}']) {
        const verdict = await json(await post(body));
        expect(verdict).toMatchObject({ decision: 'allow', degraded: false, email: null, phone: null });
        expect(verdict.reasons.map((r: { code: string }) => r.code)).toEqual(['no_identifiers']);
      }
      expect(target.sandbox.stats().requests).toBe(0);
    });

    it('never returns or logs the raw email or phone', async () => {
      const email = 'Jane.Doe+high@Example.com';
      const phone = `+${PHONE.medium}`;
      const response = await post(event({ email, phone_number: phone }));
      const text = await response.text();
      expect(response.status).toBe(200);
      for (const raw of [email, email.toLowerCase(), phone, PHONE.medium]) {
        expect(text).not.toContain(raw);
        for (const line of target.telemetry.lines) expect(line).not.toContain(raw);
      }
      const verdict = JSON.parse(text);
      expect(verdict.email.masked).toBe('j***@example.com');
      expect(verdict.phone.masked).toMatch(/^\+33\*+02$/);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the same verdict for the same key and body, with one Defastra call', async () => {
      const key = randomUUID();
      const body = event({ email: EMAIL.medium });
      const before = emailCalls(target);
      const first = await json(await post(body, signedHeaders(secret, body, { 'Idempotency-Key': key })));
      const second = await json(await post(body, signedHeaders(secret, body, { 'Idempotency-Key': key })));
      expect(first.source_ref).toBe(key);
      expect(second).toEqual(first);
      expect(emailCalls(target) - before).toBe(1);
    });

    it('answers 422 for the same key with another body', async () => {
      const key = randomUUID();
      const body = event({ email: EMAIL.low });
      expect((await post(body, signedHeaders(secret, body, { 'Idempotency-Key': key }))).status).toBe(200);
      const other = event({ email: EMAIL.medium });
      const response = await post(other, signedHeaders(secret, other, { 'Idempotency-Key': key }));
      await expectError(response, 422, 'idempotency_key_reused');
    });

    it('screens again without a key (source_ref null each time)', async () => {
      const body = event({ email: EMAIL.low });
      const before = emailCalls(target);
      const a = await json(await post(body));
      const b = await json(await post(body));
      expect(a.verdict_id).not.toBe(b.verdict_id);
      expect([a.source_ref, b.source_ref]).toEqual([null, null]);
      expect(emailCalls(target) - before).toBe(2);
    });
  });

  describe('Defastra failures', () => {
    it('applies on_error.auth0 (allow by default) with degraded true for a SYSTEM_ERROR', async () => {
      target.sandbox.setFaults({ errorType: 'SYSTEM_ERROR' });
      const verdict = await json(await post(event({ email: EMAIL.low })));
      expect(verdict).toMatchObject({ decision: 'allow', degraded: true });
      expect(verdict.reasons.map((r: { code: string }) => r.code)).toEqual(['defastra_error']);
      expect(verdict.email.error.type).toBe('SYSTEM_ERROR');
    });

    it('applies on_error.auth0 for an identity that always fails', async () => {
      const verdict = await json(await post(event({ email: EMAIL.errors.INSUFFICIENT_FUNDS })));
      expect(verdict).toMatchObject({ decision: 'allow', degraded: true });
      expect(verdict.email.error.type).toBe('INSUFFICIENT_FUNDS');
    });
  });
});

describe.each([
  ['Hono app (app.request)', appTarget],
  ['local server (HTTP)', serverTarget],
] as const)(
  'POST /hooks/auth0 policy and secrets via %s',
  (_name, start: (options?: TargetOptions) => Promise<Target>) => {
    it('accepts every active secret during a rotation', async () => {
      const target = await start({ secrets: ['old-secret-0123456789abcdef', 'new-secret-0123456789abcdef'] });
      try {
        for (const secret of ['old-secret-0123456789abcdef', 'new-secret-0123456789abcdef']) {
          const body = event({ username: 'jane' });
          expect((await target.post(body, signedHeaders(secret, body))).status).toBe(200);
        }
        const body = event({ username: 'jane' });
        expect((await target.post(body, signedHeaders('retired-secret-0123456789', body))).status).toBe(401);
        const t = nowSec();
        const both = `t=${t},v1=${'0'.repeat(64)},v1=${signAuth0Body('new-secret-0123456789abcdef', body, t).split('v1=')[1]}`;
        const headers = { 'Content-Type': 'application/json', [AUTH0_SIGNATURE_HEADER]: both };
        expect((await target.post(body, headers)).status).toBe(200);
      } finally {
        await target.close();
      }
    });

    it('uses budget_ms.auth0 and on_error.auth0 when Defastra is slower than the budget', async () => {
      const target = await start({
        policy: { cache_hours: 0, budget_ms: { auth0: 300 }, on_error: { auth0: 'review' }, ...NO_VELOCITY },
      });
      try {
        target.sandbox.setFaults({ latencyMs: 3_000 });
        const body = event({ email: EMAIL.low, phone_number: `+${PHONE.low}` });
        const started = Date.now();
        const response = await target.post(body, signedHeaders(target.secrets[0]!, body));
        const elapsed = Date.now() - started;
        const verdict = await json(response);
        expect(response.status).toBe(200);
        expect(elapsed).toBeLessThan(2_000);
        expect(verdict).toMatchObject({ decision: 'review', degraded: true });
        expect(verdict.email.error.type).toBe('TIMEOUT');
        expect(verdict.phone.error.type).toBe('TIMEOUT');
        expect(verdict.reasons.map((r: { code: string }) => r.code)).toEqual([
          'defastra_error',
          'defastra_error',
        ]);
      } finally {
        await target.close();
      }
    });

    it('uses the source override of user_message and thresholds for auth0', async () => {
      const target = await start({
        policy: {
          ...NO_VELOCITY,
          cache_hours: 0,
          user_message: 'base message',
          sources: { auth0: { user_message: 'auth0 message', thresholds: { email: { block: 'medium' } } } },
        },
      });
      try {
        const body = event({ email: EMAIL.medium });
        const verdict = await json(await target.post(body, signedHeaders(target.secrets[0]!, body)));
        expect(verdict).toMatchObject({ decision: 'block', user_message: 'auth0 message' });
      } finally {
        await target.close();
      }
    });

    it('refuses every request when no secret is active', async () => {
      const target = await start({ secrets: [] });
      try {
        const body = event({ username: 'jane' });
        // An empty AUTH0_HOOK_SECRET means "generated" for the local server; the app target really has none.
        const response = await target.post(body, signedHeaders('any-secret-0123456789', body));
        expect(response.status).toBe(401);
      } finally {
        await target.close();
      }
    });
  },
);
