/**
 * The `auth0-hook` function as Lambda runs it: `handle(createAuth0HookApp(...))` fed real API Gateway v2
 * (HTTP API, payload 2.0) and Function URL events, plain and base64 bodies, lower- and mixed-case headers.
 * Deps are real and in process: dynalite store, sandbox Defastra over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth0HookApp } from '../../functions/auth0-hook/app.js';
import { SANDBOX_IDENTITIES } from '../../shared/defastra/sandbox/index.js';
import { signAuth0Body } from '../../shared/webhooks/auth0.js';
import { createTestDeps, TEST_AUTH0_SECRET, type TestDeps } from '../helpers/deps.js';
import {
  type EventInput,
  type LambdaResult,
  lambdaContext,
  lambdaEvent,
  resultJson,
} from '../helpers/lambda-events.js';
import { HOOK_PATH, NO_VELOCITY, nowSec } from './support.js';

const { email: EMAIL } = SANDBOX_IDENTITIES;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
type Json = any;

describe('auth0-hook through the Lambda handler', () => {
  let t: TestDeps;
  let invoke: (input: EventInput) => Promise<{ result: LambdaResult; body: Json }>;

  beforeAll(async () => {
    t = await createTestDeps({ policy: { cache_hours: 0, ...NO_VELOCITY } });
    const handler = handle(createAuth0HookApp(t.provider));
    invoke = async (input) => {
      const result = (await handler(
        lambdaEvent(input) as unknown as LambdaEvent,
        lambdaContext('auth0-hook'),
      )) as unknown as LambdaResult;
      return { result, body: resultJson(result) };
    };
  });
  afterAll(() => t.close());

  const signed = (
    body: string,
    names: { signature: string; type: string },
    extra: Record<string, string> = {},
  ) => ({
    [names.type]: 'application/json',
    [names.signature]: signAuth0Body(TEST_AUTH0_SECRET, body, nowSec(), extra['Idempotency-Key'] ?? null),
    ...extra,
  });
  const LOWER = { signature: 'x-signup-gate-signature', type: 'content-type' };
  const MIXED = { signature: 'X-Signup-Gate-Signature', type: 'Content-Type' };
  const body = (email: string) =>
    JSON.stringify({ user: { email }, request: { ip: '203.0.113.7' }, tenant: { id: 'my-tenant' } });

  it.each([
    ['API Gateway v2, plain body', 'apigw', false, LOWER],
    ['API Gateway v2, base64 body', 'apigw', true, LOWER],
    ['Function URL, plain body, mixed-case headers', 'url', false, MIXED],
    ['Function URL, base64 body, mixed-case headers', 'url', true, MIXED],
  ] as const)('%s → 200 with the verdict', async (_case, kind, base64, names) => {
    const text = body(EMAIL.medium);
    const { result, body: verdict } = await invoke({
      kind,
      base64,
      method: 'POST',
      path: HOOK_PATH,
      headers: signed(text, names),
      body: text,
    });
    expect(result.statusCode).toBe(200);
    expect(verdict).toMatchObject({
      source: 'auth0',
      decision: 'review',
      source_ref: null,
      user_message: 'We could not complete your sign-up.',
    });
    expect(JSON.stringify(verdict)).not.toContain(EMAIL.medium);
  });

  it('keeps the Idempotency-Key as source_ref and replays it (Function URL, mixed case)', async () => {
    const text = body(EMAIL.high);
    const key = randomUUID();
    const before = t.sandbox.stats().byEndpoint.email;
    const send = () =>
      invoke({
        kind: 'url',
        method: 'POST',
        path: HOOK_PATH,
        headers: signed(text, MIXED, { 'Idempotency-Key': key }),
        body: text,
      });
    const first = await send();
    const second = await send();
    expect(first.result.statusCode).toBe(200);
    expect(first.body).toMatchObject({ decision: 'block', source_ref: key });
    expect(second.body).toEqual(first.body);
    expect(t.sandbox.stats().byEndpoint.email - before).toBe(1);
  });

  it('401 for a wrong signature, with the contract error body', async () => {
    const text = body(EMAIL.low);
    const { result, body: error } = await invoke({
      method: 'POST',
      path: HOOK_PATH,
      headers: {
        'content-type': 'application/json',
        'x-signup-gate-signature': `t=${nowSec()},v1=${'a'.repeat(64)}`,
      },
      body: text,
    });
    expect(result.statusCode).toBe(401);
    expect(error).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('401 when a base64 body was signed as its base64 text instead of its bytes', async () => {
    const text = body(EMAIL.low);
    const encoded = Buffer.from(text).toString('base64');
    const { result } = await invoke({
      base64: true,
      method: 'POST',
      path: HOOK_PATH,
      headers: {
        'content-type': 'application/json',
        'x-signup-gate-signature': signAuth0Body(TEST_AUTH0_SECRET, encoded, nowSec()),
      },
      body: text,
    });
    expect(result.statusCode).toBe(401);
  });

  it('405 with Allow for GET', async () => {
    const { result, body: error } = await invoke({ method: 'GET', path: HOOK_PATH });
    expect(result.statusCode).toBe(405);
    const headers = Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    expect(headers.allow).toBe('POST');
    expect(error.error.code).toBe('method_not_allowed');
  });

  it('413 for a body over 256 KiB (base64 too), before the signature', async () => {
    const big = JSON.stringify({ user: { email: EMAIL.low }, padding: 'x'.repeat(256 * 1024) });
    for (const base64 of [false, true]) {
      const { result, body: error } = await invoke({
        base64,
        method: 'POST',
        path: HOOK_PATH,
        headers: { 'content-type': 'application/json' },
        body: big,
      });
      expect(result.statusCode).toBe(413);
      expect(error.error.code).toBe('payload_too_large');
    }
  });

  it('415 and 400 after a good signature', async () => {
    const text = body(EMAIL.low);
    const wrongType = await invoke({
      kind: 'url',
      method: 'POST',
      path: HOOK_PATH,
      headers: { ...signed(text, MIXED), 'Content-Type': 'text/plain' },
      body: text,
    });
    expect(wrongType.result.statusCode).toBe(415);
    const bad = JSON.stringify({ user: { email: 42 } });
    const wrongField = await invoke({
      method: 'POST',
      path: HOOK_PATH,
      headers: signed(bad, LOWER),
      body: bad,
    });
    expect(wrongField.result.statusCode).toBe(400);
    expect(wrongField.body.error.message).toContain('"user.email"');
  });

  it('stores no raw email, phone or IP (the whole table scanned), post-login subject kept', async () => {
    const email = 'Jane.Doe+medium@Example.com';
    const phone = `+${SANDBOX_IDENTITIES.phone.high}`;
    const ip = '198.51.100.77';
    const text = JSON.stringify({
      trigger: 'post-login',
      user: { email, phone_number: phone, user_id: 'google-oauth2|77' },
      request: { ip },
      connection: { name: 'google-oauth2', strategy: 'google-oauth2' },
    });
    const key = randomUUID();
    const { result, body: verdict } = await invoke({
      method: 'POST',
      path: HOOK_PATH,
      headers: signed(text, LOWER, { 'Idempotency-Key': key }),
      body: text,
    });
    expect(result.statusCode).toBe(200);
    expect(verdict).toMatchObject({ decision: 'block', source_ref: key, subject_ref: 'google-oauth2|77' });
    const { Items = [] } = await t.dynalite!.client.send(
      new ScanCommand({ TableName: t.dynalite!.tableName }),
    );
    const table = JSON.stringify(Items);
    expect(table).toContain(verdict.verdict_id);
    for (const raw of [email, email.toLowerCase(), 'jane.doe@example.com', phone, phone.slice(1), ip]) {
      expect(table).not.toContain(raw);
    }
  });

  it('no identifiers → allow with no_identifiers', async () => {
    const text = JSON.stringify({ user: { username: 'jane' } });
    const { result, body: verdict } = await invoke({
      method: 'POST',
      path: HOOK_PATH,
      headers: signed(text, LOWER),
      body: text,
    });
    expect(result.statusCode).toBe(200);
    expect(verdict.decision).toBe('allow');
    expect(verdict.reasons).toEqual([{ code: 'no_identifiers', message: expect.any(String) }]);
  });
});
