/**
 * What the local server really answers matches docs/openapi.json: every route is driven through the real local server
 * (`startLocalServer`: embedded store, sandbox Defastra, signed hooks), on success and on its main errors, and each
 * answer's status must be one the document declares for that route and method, its body valid (ajv, JSON Schema
 * 2020-12 with formats) against the schema declared for that status, and its declared headers present. Every
 * operation of the document is exercised with a 2xx at least once. (503 store_unavailable is not provoked here:
 * test/faults/store.test.ts does that; its body is the same error schema as every other error.)
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clerkTrigger } from '../../cli/trigger/clerk.js';
import { firebaseTrigger } from '../../cli/trigger/firebase.js';
import { kratosTrigger } from '../../cli/trigger/kratos.js';
import { oktaTrigger } from '../../cli/trigger/okta.js';
import { paddleTrigger } from '../../cli/trigger/paddle.js';
import type { TriggerProvider } from '../../cli/trigger/provider.js';
import { workosTrigger } from '../../cli/trigger/workos.js';
import type { ProviderHook } from '../../shared/config/hook-secrets.js';
import { signAuth0Body } from '../../shared/webhooks/auth0.js';
import { signStandardWebhook } from '../../shared/webhooks/standard-webhooks.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';

interface Responses {
  [status: string]: {
    headers?: Record<string, unknown>;
    content?: { 'application/json': { schema: { $ref: string } } };
  };
}
const doc = JSON.parse(readFileSync(join(process.cwd(), 'docs', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Responses }>>;
  components: { schemas: Record<string, object> };
};

const ajv = addFormats.default(new Ajv2020({ strict: true, allErrors: true }));
ajv.addSchema({
  $id: 'openapi',
  $defs: JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', '#/$defs/')),
});

/** Operations answered with a 2xx so far (`POST /screen`). */
const succeeded = new Set<string>();
const nowSec = () => Math.floor(Date.now() / 1000);

let s: TestServer;
beforeAll(async () => {
  // No background re-screen loop: the provisional verdict below waits for POST /verdicts/{id}/rescreen.
  s = await startTestServer({ env: { RESCREEN_INTERVAL_MS: '0' } });
});
afterAll(async () => {
  await s?.close();
});

/**
 * Sends one request to the local server and checks its answer against the document's route `pattern`; returns the
 * answer's JSON (null when it has no body).
 */
const call = async (
  method: string,
  pattern: string,
  options: {
    path?: string;
    body?: string;
    json?: unknown;
    headers?: Record<string, string>;
    auth?: boolean;
  } = {},
): Promise<{ status: number; body: unknown }> => {
  const body = options.body ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  const headers: Record<string, string> = {
    ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    ...(options.auth === false ? {} : { Authorization: `Bearer ${s.apiToken}` }),
    ...options.headers,
  };
  const res = await fetch(`${s.url}${options.path ?? pattern}`, {
    method,
    headers,
    ...(body ? { body } : {}),
  });
  const text = await res.text();
  const where = `${method} ${pattern} → ${res.status} ${text.slice(0, 300)}`;
  // A wrong method has no operation of its own: its 405 is the one every operation of the path declares.
  const operation = doc.paths[pattern]?.[method.toLowerCase()] ?? Object.values(doc.paths[pattern] ?? {})[0];
  const declared = operation?.responses[String(res.status)];
  if (!doc.paths[pattern]?.[method.toLowerCase()]) expect(res.status, where).toBe(405);
  expect(declared, `${where}: status not in the document`).toBeDefined();
  for (const name of Object.keys(declared!.headers ?? {})) {
    expect(res.headers.get(name), `${where}: header ${name}`).not.toBeNull();
  }
  const ref = declared!.content?.['application/json'].schema.$ref;
  if (!ref || method === 'HEAD') {
    expect(text, where).toBe('');
    if (res.ok) succeeded.add(`${method} ${pattern}`);
    return { status: res.status, body: null };
  }
  const json: unknown = JSON.parse(text);
  const validate = ajv.getSchema(`openapi${ref.replace('#/components/schemas/', '#/$defs/')}`)!;
  expect(validate(json), `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  if (res.ok) succeeded.add(`${method} ${pattern}`);
  return { status: res.status, body: json };
};

describe('the local server’s answers match docs/openapi.json', () => {
  it('open routes: /health and /openapi.json', async () => {
    expect((await call('GET', '/health', { auth: false })).status).toBe(200);
    expect((await call('HEAD', '/health', { auth: false })).status).toBe(200);
    expect((await call('GET', '/openapi.json', { auth: false })).status).toBe(200);
    expect((await call('POST', '/health', { auth: false })).status).toBe(405);
  });

  let verdictId: string;
  it('POST /screen and the verdict routes', async () => {
    const key = randomUUID();
    const json = { email: 'medium@example.com', phone: '+33600000001', reference: 'user-42' };
    const first = await call('POST', '/screen', { json, headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(200);
    verdictId = (first.body as { verdict_id: string }).verdict_id;
    expect((await call('POST', '/screen', { json, headers: { 'Idempotency-Key': key } })).status).toBe(200);
    const other = { ...json, reference: 'user-43' };
    expect((await call('POST', '/screen', { json: other, headers: { 'Idempotency-Key': key } })).status).toBe(
      422,
    );
    expect((await call('POST', '/screen', { json: { email: 'mailbox@mailinator.com' } })).status).toBe(200);
    expect((await call('POST', '/screen', { json, auth: false })).status).toBe(401);
    expect((await call('POST', '/screen', { json: {} })).status).toBe(400);
    expect((await call('POST', '/screen', { body: '{"email":' })).status).toBe(400);
    const plain = { 'Content-Type': 'text/plain' };
    expect((await call('POST', '/screen', { body: JSON.stringify(json), headers: plain })).status).toBe(415);
    expect((await call('POST', '/screen', { body: 'x'.repeat(300 * 1024) })).status).toBe(413);
    expect((await call('GET', '/screen')).status).toBe(405);

    const one = { path: `/verdicts/${verdictId}` };
    expect((await call('GET', '/verdicts/{id}', one)).status).toBe(200);
    expect(
      (await call('GET', '/verdicts/{id}', { path: '/verdicts/01JDX3K8Y0Q5W6Z8N2M4P6R8T0' })).status,
    ).toBe(404);
    expect((await call('GET', '/verdicts/{id}', { ...one, auth: false })).status).toBe(401);
    expect((await call('GET', '/verdicts', { path: '/verdicts?limit=1' })).status).toBe(200);
    expect((await call('GET', '/verdicts', { path: '/verdicts?review=pending' })).status).toBe(200);
    expect((await call('GET', '/verdicts', { path: '/verdicts?limit=0' })).status).toBe(400);

    const review = {
      path: `/verdicts/${verdictId}/review`,
      json: { outcome: 'approve', note: 'known customer' },
    };
    const reviewed = await call('POST', '/verdicts/{id}/review', review);
    expect(reviewed.status).toBe(200);
    expect((reviewed.body as { review: unknown }).review).not.toBeNull();
    const missing = { path: '/verdicts/01JDX3K8Y0Q5W6Z8N2M4P6R8T0/review', json: { outcome: 'reject' } };
    expect((await call('POST', '/verdicts/{id}/review', missing)).status).toBe(404);
    expect(
      (await call('POST', '/verdicts/{id}/review', { ...review, json: { outcome: 'maybe' } })).status,
    ).toBe(400);
  });

  it('lists, statistics and replay', async () => {
    const entry = { kind: 'email_domain', value: 'spam.example', action: 'block', note: 'a wave' };
    const created = await call('POST', '/lists', { json: entry });
    expect(created.status).toBe(201);
    expect((await call('POST', '/lists', { json: entry })).status).toBe(200);
    expect((await call('POST', '/lists', { json: { ...entry, value: '' } })).status).toBe(400);
    expect((await call('GET', '/lists', { path: '/lists?action=block' })).status).toBe(200);
    expect((await call('GET', '/lists', { path: '/lists?kind=nothing' })).status).toBe(400);
    const id = (created.body as { entry_id: string }).entry_id;
    expect((await call('DELETE', '/lists/{entry_id}', { path: `/lists/${id}` })).status).toBe(204);
    expect((await call('DELETE', '/lists/{entry_id}', { path: `/lists/${id}` })).status).toBe(404);

    expect((await call('GET', '/stats', { path: '/stats?bucket=hour' })).status).toBe(200);
    expect((await call('GET', '/stats', { path: '/stats?bucket=week' })).status).toBe(400);

    const candidate = { policy: { thresholds: { email: { review: 'low' } } } };
    const replayed = await call('POST', '/replay', { json: candidate });
    expect(replayed.status).toBe(200);
    expect((replayed.body as { total: number }).total).toBeGreaterThan(0);
    expect((await call('POST', '/replay', { json: { since: 'yesterday' } })).status).toBe(400);
  });

  it('POST /hooks/auth0', async () => {
    const body = JSON.stringify({ user: { email: 'low@example.com' } });
    const key = randomUUID();
    const signature = signAuth0Body(s.auth0HookSecret, body, nowSec(), key);
    const headers = { 'X-Signup-Gate-Signature': signature, 'Idempotency-Key': key };
    expect((await call('POST', '/hooks/auth0', { body, headers, auth: false })).status).toBe(200);
    const wrong = {
      ...headers,
      'X-Signup-Gate-Signature': signAuth0Body('not-the-secret', body, nowSec(), key),
    };
    expect((await call('POST', '/hooks/auth0', { body, headers: wrong, auth: false })).status).toBe(401);
  });

  it('POST /hooks/stripe', async () => {
    const send = (event: object, secret = s.stripeWebhookSecret) => {
      const body = JSON.stringify(event);
      const headers = {
        'Stripe-Signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret }),
      };
      return call('POST', '/hooks/stripe', { body, headers, auth: false });
    };
    const id = `evt_${randomUUID().replaceAll('-', '')}`;
    const created = {
      id,
      object: 'event',
      type: 'customer.created',
      data: { object: { id: 'cus_Answers1', object: 'customer', email: 'low@example.net', phone: null } },
    };
    const first = await send(created);
    expect(first.status).toBe(200);
    expect((await send(created)).body).toMatchObject({ duplicate: true });
    const ignored = { ...created, id: `${id}x`, type: 'invoice.paid', data: { object: { id: 'in_1' } } };
    expect((await send(ignored)).body).toMatchObject({ ignored: true });
    expect((await send(created, 'whsec_wrong')).status).toBe(400);
  });

  it('POST /hooks/supabase', async () => {
    const send = (email: string, secret = s.supabaseHookSecrets[0]!) => {
      const body = JSON.stringify({
        metadata: { name: 'before-user-created', uuid: randomUUID() },
        user: { email },
      });
      const headers = signStandardWebhook([secret], randomUUID(), nowSec(), body);
      return call('POST', '/hooks/supabase', { body, headers, auth: false });
    };
    expect((await send('low@example.org')).status).toBe(200);
    const blocked = await send('someone@mailinator.com');
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ error: { http_code: 403 } });
    expect((await send('low@example.org', 'v1,whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==')).status).toBe(401);
  });

  it('POST /invoke/cognito-pre-signup', async () => {
    const event = (email: string) => ({
      version: '1',
      triggerSource: 'PreSignUp_SignUp',
      userName: randomUUID(),
      request: { userAttributes: { email } },
      response: { autoConfirmUser: false },
    });
    const path = '/invoke/cognito-pre-signup';
    expect((await call('POST', path, { json: event('low@example.com') })).status).toBe(200);
    expect((await call('POST', path, { json: event('block@mailinator.com') })).status).toBe(400);
    expect((await call('POST', path, { json: event('low@example.com'), auth: false })).status).toBe(401);
  });

  it('POST /verdicts/{id}/rescreen', async () => {
    s.sandbox.setFaults({ errorType: 'SYSTEM_UNAVAILABLE' });
    const provisional = await call('POST', '/screen', {
      json: { email: `forced.${process.pid}+high@example.org` },
    });
    s.sandbox.clearFaults();
    expect(provisional.body).toMatchObject({ rescreen: { status: 'pending' } });
    const path = `/verdicts/${(provisional.body as { verdict_id: string }).verdict_id}/rescreen`;
    expect((await call('POST', '/verdicts/{id}/rescreen', { path })).status).toBe(200);
    expect((await call('POST', '/verdicts/{id}/rescreen', { path })).status).toBe(409);
    const unknown = { path: '/verdicts/01JDX3K8Y0Q5W6Z8N2M4P6R8T0/rescreen' };
    expect((await call('POST', '/verdicts/{id}/rescreen', unknown)).status).toBe(404);
  });

  it('outcomes and quality', async () => {
    const path = `/verdicts/${verdictId}/outcome`;
    expect((await call('POST', '/verdicts/{id}/outcome', { path, json: { label: 'fraud' } })).status).toBe(
      200,
    );
    expect((await call('POST', '/verdicts/{id}/outcome', { path, json: { label: 'maybe' } })).status).toBe(
      400,
    );
    const unknown = { path: '/verdicts/01JDX3K8Y0Q5W6Z8N2M4P6R8T0/outcome', json: { label: 'legit' } };
    expect((await call('POST', '/verdicts/{id}/outcome', unknown)).status).toBe(404);
    const labelled = await call('POST', '/outcomes', {
      json: { label: 'legit', email: 'medium@example.com' },
    });
    expect(labelled.status).toBe(200);
    expect((await call('POST', '/outcomes', { json: { label: 'legit' } })).status).toBe(400);
    expect((await call('GET', '/quality')).status).toBe(200);
    expect((await call('GET', '/quality', { path: '/quality?bucket=day' })).status).toBe(200);
    expect((await call('GET', '/quality', { path: '/quality?bucket=month' })).status).toBe(400);
  });

  /** Each provider hook, driven with the request `signup-gate trigger` builds and signs for it. */
  const trigger = async (hook: ProviderHook, provider: TriggerProvider, email: string, secret?: string) => {
    const request = await provider.build({
      subject: { email, phone: null },
      secret: secret ?? s.hookSecrets[hook][0],
      nowSec: nowSec(),
      ip: '198.51.100.77',
      postLogin: false,
    });
    return call('POST', `/hooks/${hook}`, {
      path: request.path,
      body: request.body,
      headers: request.headers,
      auth: false,
    });
  };
  const wrongSecret = 'd3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZy1zZWNyZXQ=';

  it('POST /hooks/okta', async () => {
    expect((await trigger('okta', oktaTrigger, 'low@example.com')).body).toMatchObject({
      commands: [{ value: { registration: 'ALLOW' } }],
    });
    expect((await trigger('okta', oktaTrigger, 'someone@mailinator.com')).body).toMatchObject({
      commands: [{ value: { registration: 'DENY' } }],
    });
    expect((await trigger('okta', oktaTrigger, 'low@example.com', wrongSecret)).status).toBe(401);
  });

  it('POST /hooks/kratos', async () => {
    expect((await trigger('kratos', kratosTrigger, 'low@example.com')).status).toBe(200);
    expect((await trigger('kratos', kratosTrigger, 'someone@mailinator.com')).status).toBe(403);
    expect((await trigger('kratos', kratosTrigger, 'low@example.com', wrongSecret)).status).toBe(401);
  });

  it('POST /hooks/paddle', async () => {
    expect((await trigger('paddle', paddleTrigger, 'low@example.com')).status).toBe(200);
    expect((await trigger('paddle', paddleTrigger, 'low@example.com', wrongSecret)).status).toBe(400);
  });

  it('POST /hooks/clerk', async () => {
    expect((await trigger('clerk', clerkTrigger, 'low@example.com')).status).toBe(200);
    const wrong = 'whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==';
    expect((await trigger('clerk', clerkTrigger, 'low@example.com', wrong)).status).toBe(401);
  });

  it('POST /hooks/firebase', async () => {
    expect((await trigger('firebase', firebaseTrigger, 'low@example.com')).status).toBe(200);
    expect((await trigger('firebase', firebaseTrigger, 'low@example.com', wrongSecret)).status).toBe(401);
  });

  it('POST /hooks/workos', async () => {
    expect((await trigger('workos', workosTrigger, 'low@example.com')).body).toMatchObject({
      payload: { verdict: 'Allow' },
    });
    expect((await trigger('workos', workosTrigger, 'someone@mailinator.com')).body).toMatchObject({
      payload: { verdict: 'Deny' },
    });
    expect((await trigger('workos', workosTrigger, 'low@example.com', wrongSecret)).status).toBe(401);
  });

  // Last: it changes the active policy.
  it('the policy lifecycle', async () => {
    const active = await call('GET', '/policy');
    expect(active.status).toBe(200);
    const first = (active.body as { version: string }).version;
    const candidate = { thresholds: { email: { review: 'low' } } };
    const put = await call('PUT', '/policy', {
      json: { policy: candidate, comment: 'stricter', expected_version: first },
    });
    expect(put.status).toBe(201);
    const conflict = { json: { policy: candidate, expected_version: first } };
    expect((await call('PUT', '/policy', conflict)).status).toBe(409);
    expect((await call('GET', '/policy/versions')).status).toBe(200);
    expect((await call('GET', '/policy/versions', { path: '/policy/versions?limit=0' })).status).toBe(400);
    const one = { path: `/policy/versions/${first}` };
    expect((await call('GET', '/policy/versions/{version}', one)).status).toBe(200);
    expect((await call('GET', '/policy/versions/{version}', { path: '/policy/versions/r999' })).status).toBe(
      404,
    );
    expect((await call('POST', '/policy/rollback', { json: { version: first } })).status).toBe(201);
    expect((await call('POST', '/policy/rollback', { json: { version: 'r999' } })).status).toBe(404);

    expect((await call('PUT', '/policy/shadow', { json: { policy: candidate } })).status).toBe(201);
    expect((await call('GET', '/policy/shadow')).status).toBe(200);
    expect((await call('DELETE', '/policy/shadow')).status).toBe(204);
    expect((await call('GET', '/policy/shadow')).status).toBe(404);
  });

  it('exercised every operation of the document with a success', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect([...succeeded].sort()).toEqual(operations.sort());
  });
});
