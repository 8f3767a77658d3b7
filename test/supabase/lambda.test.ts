/**
 * The `supabase-hook` function as Lambda runs it: `handle(createSupabaseHookApp(...))` fed real API Gateway v2
 * (HTTP API, payload 2.0) events, plain and base64 bodies, with deliveries signed as Supabase Auth signs them.
 * Deps are real and in process: dynalite store, sandbox Defastra over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSupabaseHookApp } from '../../functions/supabase-hook/app.js';
import { SANDBOX_IDENTITIES } from '../../shared/defastra/sandbox/index.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';
import {
  type EventInput,
  type LambdaResult,
  lambdaContext,
  lambdaEvent,
  resultJson,
} from '../helpers/lambda-events.js';
import { delivery, HOOK_PATH, NO_VELOCITY, payload } from './support.js';

const { email: EMAIL } = SANDBOX_IDENTITIES;

describe('supabase-hook through the Lambda handler', () => {
  let t: TestDeps;
  let invoke: (input: EventInput) => Promise<{ result: LambdaResult; body: unknown }>;

  beforeAll(async () => {
    t = await createTestDeps({ policy: { cache_hours: 0, ...NO_VELOCITY } });
    const handler = handle(createSupabaseHookApp(t.provider));
    invoke = async (input) => {
      const result = (await handler(
        lambdaEvent(input) as unknown as LambdaEvent,
        lambdaContext('supabase-hook'),
      )) as unknown as LambdaResult;
      return { result, body: resultJson(result) };
    };
  });
  afterAll(() => t.close());

  it.each([
    ['plain body', false],
    ['base64 body', true],
  ] as const)(
    '%s: allow → 200 {}, block → 200 with the error object in Supabase format',
    async (_case, base64) => {
      for (const [email, status, expected] of [
        [EMAIL.low, 200, {}],
        [EMAIL.high, 200, { error: { http_code: 403, message: 'We could not complete your sign-up.' } }],
      ] as const) {
        const text = JSON.stringify(payload({ email }));
        const { result, body } = await invoke({
          base64,
          method: 'POST',
          path: HOOK_PATH,
          headers: delivery(text),
          body: text,
        });
        expect(result.statusCode).toBe(status);
        expect(body).toEqual(expected);
      }
    },
  );

  it('replays a retried delivery (a new webhook-id, the same metadata.uuid) without a second Defastra call', async () => {
    const text = JSON.stringify(payload({ email: EMAIL.medium }));
    const before = t.sandbox.stats().byEndpoint.email;
    for (let i = 0; i < 2; i += 1) {
      const { result } = await invoke({
        method: 'POST',
        path: HOOK_PATH,
        headers: delivery(text, { id: randomUUID() }),
        body: text,
      });
      expect(result.statusCode).toBe(200);
    }
    expect(t.sandbox.stats().byEndpoint.email - before).toBe(1);
  });

  it('401 in our error shape when the signature does not match', async () => {
    const text = JSON.stringify(payload({ email: EMAIL.low }));
    const { result, body } = await invoke({
      method: 'POST',
      path: HOOK_PATH,
      headers: { ...delivery(text), 'webhook-signature': 'v1,AAAA' },
      body: text,
    });
    expect(result.statusCode).toBe(401);
    expect(body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('401 when a base64 body was signed as its base64 text instead of its bytes', async () => {
    const text = JSON.stringify(payload({ email: EMAIL.low }));
    const { result } = await invoke({
      base64: true,
      method: 'POST',
      path: HOOK_PATH,
      headers: delivery(Buffer.from(text).toString('base64')),
      body: text,
    });
    expect(result.statusCode).toBe(401);
  });

  it('405 with Allow for GET', async () => {
    const { result } = await invoke({ method: 'GET', path: HOOK_PATH });
    expect(result.statusCode).toBe(405);
    const headers = Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    expect(headers.allow).toBe('POST');
  });
});
