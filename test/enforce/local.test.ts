/**
 * Enforcement on the real local server (docs/enforcement.md): verdicts screened through the hooks, reviewed through the
 * operator API, carried out at local stand-ins of the providers by the enforcer on the change feed, never on the
 * review's request; recorded on the verdict and published as `Verdict Enforced`.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/core/verdict.js';
import { silentTelemetry, type Telemetry } from '../../shared/observability/telemetry.js';
import { signStandardWebhook } from '../../shared/webhooks/standard-webhooks.js';
import { NO_VELOCITY, nowSec, signedHeaders } from '../auth0/support.js';
import { cognitoEvent } from '../cognito/support.js';
import { type FakeStripeApi, startFakeStripeApi } from '../helpers/fake-stripe-api.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type Operator, operator } from '../helpers/operator.js';
import {
  type Auth0StandIn,
  type CognitoStandIn,
  type SupabaseStandIn,
  startAuth0StandIn,
  startCognitoStandIn,
  startSupabaseStandIn,
} from '../helpers/provider-stand-ins.js';
import { customerCreated, customerId, sign, uniq } from '../stripe/fixtures/events.js';

const STRIPE_KEY = `rk_test_${uniq()}${uniq()}`;
const failures: string[] = [];
const telemetry: Telemetry = { ...silentTelemetry, enforcementFailed: (source) => failures.push(source) };

let auth0: Auth0StandIn;
let supabase: SupabaseStandIn;
let cognito: CognitoStandIn;
let stripe: FakeStripeApi;
let server: TestServer;
let api: Operator;
const saved = { ...process.env };

beforeAll(async () => {
  [auth0, supabase, cognito, stripe] = await Promise.all([
    startAuth0StandIn(),
    startSupabaseStandIn(),
    startCognitoStandIn(),
    startFakeStripeApi(),
  ]);
  // The Cognito client signs with the default credential chain, as a developer's shell would provide it.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret',
  });
  server = await startTestServer({
    // Supabase is screened but not enforced here.
    policy: {
      cache_hours: 0,
      ...NO_VELOCITY,
      enforce: { auth0: true, cognito: true },
      stripe: { write_back: true },
    },
    env: {
      AUTH0_DOMAIN: auth0.url,
      AUTH0_CLIENT_ID: auth0.clientId,
      AUTH0_CLIENT_SECRET: auth0.clientSecret,
      SUPABASE_URL: supabase.url,
      SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
      COGNITO_ENDPOINT: cognito.url,
      STRIPE_API_KEY: STRIPE_KEY,
      STRIPE_API_BASE_URL: stripe.url,
    },
    telemetry,
  });
  api = operator(server.url, server.apiToken);
});
afterAll(async () => {
  await server?.close();
  await Promise.all([auth0, supabase, cognito, stripe].map((s) => s?.close()));
  process.env = saved;
});

const settled = () => server.server.enforcement.drain();
const get = async (id: string) => (await api.request<Verdict>('GET', `/verdicts/${id}`)).body;
const review = async (id: string, outcome: 'approve' | 'reject') => {
  const answer = await api.request<Verdict>('POST', `/verdicts/${id}/review`, { outcome });
  expect(answer.status).toBe(200);
  return answer.body;
};

/** A signup through the Auth0 hook, and the user the pre-registration Action creates with the verdict id. */
const auth0Signup = async (level: 'medium' | 'high') => {
  const body = JSON.stringify({
    user: { email: `u${uniq()}+${level}@example.com` },
    request: { ip: '203.0.113.9' },
  });
  const res = await fetch(`${server.url}/hooks/auth0`, {
    method: 'POST',
    headers: signedHeaders(server.auth0HookSecret, body, { 'Idempotency-Key': randomUUID() }),
    body,
  });
  const verdict = (await res.json()) as Verdict;
  const userId = `auth0|${uniq()}`;
  auth0.addUser({ user_id: userId, app_metadata: { signup_gate: { verdict_id: verdict.verdict_id } } });
  return { verdict, userId };
};

describe('an operator review, carried out at the provider off the request', () => {
  it('Auth0: reject blocks the user, approve unblocks it; each recorded and published', async () => {
    const { verdict, userId } = await auth0Signup('medium');
    expect(verdict.decision).toBe('review');
    const rejected = await review(verdict.verdict_id, 'reject');
    // The review's answer does not wait for the provider.
    expect(rejected.enforcement).toBeNull();
    await settled();
    expect(auth0.user(userId)?.blocked).toBe(true);
    expect((await get(verdict.verdict_id)).enforcement).toMatchObject({ status: 'done', action: 'block' });

    await review(verdict.verdict_id, 'approve');
    await settled();
    expect(auth0.user(userId)?.blocked).toBe(false);
    expect((await get(verdict.verdict_id)).enforcement).toMatchObject({
      status: 'undone',
      action: 'unblock',
    });

    await server.server.events.drain();
    const events = (await readFile(join(server.dataDir, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { 'detail-type': string; detail: Verdict });
    const enforced = events.filter(
      (e) => e['detail-type'] === 'Verdict Enforced' && e.detail.verdict_id === verdict.verdict_id,
    );
    expect(enforced.map((e) => e.detail.enforcement?.status)).toEqual(['done', 'undone']);
  });

  it('Cognito: reject disables the user in the pool the trigger ran for', async () => {
    const userName = randomUUID();
    const event = cognitoEvent('PreSignUp_SignUp', { email: `c${uniq()}+medium@example.com` }, userName);
    cognito.addUser(event.userPoolId, userName);
    const invoked = await api.request('POST', '/invoke/cognito-pre-signup', event);
    expect(invoked.status).toBe(200);
    const [verdict] = (await api.request<{ items: Verdict[] }>('GET', '/verdicts?source=cognito')).body.items;
    expect(verdict).toMatchObject({ subject_ref: userName, decision: 'review' });
    // The pool is kept for enforcement only, never returned.
    expect(JSON.stringify(verdict)).not.toContain(event.userPoolId);
    await review(verdict!.verdict_id, 'reject');
    await settled();
    expect(cognito.enabledOf(event.userPoolId, userName)).toBe(false);
  });

  it('Stripe with write-back: the review reaches the customer from the enforcer, not from the review route', async () => {
    const id = customerId();
    stripe.addCustomer(id, { plan: 'pro' });
    const delivery = sign(
      customerCreated({ id, email: `b${uniq()}+medium@example.com` }),
      server.stripeWebhookSecret,
    );
    const res = await fetch(`${server.url}/hooks/stripe`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': delivery.signature },
      body: delivery.payload,
    });
    const verdict = (await res.json()) as Verdict;
    await review(verdict.verdict_id, 'reject');
    await settled();
    expect(stripe.customer(id)?.metadata).toEqual({
      plan: 'pro',
      signup_gate_decision: 'block',
      signup_gate_verdict_id: verdict.verdict_id,
    });
    await review(verdict.verdict_id, 'approve');
    await settled();
    expect(stripe.customer(id)?.metadata).toMatchObject({ signup_gate_decision: 'allow' });
  });

  it('Supabase with enforce.supabase off: nothing at the provider, nothing recorded', async () => {
    const userId = randomUUID();
    supabase.addUser(userId);
    const text = JSON.stringify({
      metadata: { uuid: randomUUID(), time: new Date().toISOString(), name: 'before-user-created' },
      user: { id: userId, email: `s${uniq()}+medium@example.com` },
    });
    const res = await fetch(`${server.url}/hooks/supabase`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...signStandardWebhook(server.supabaseHookSecrets, randomUUID(), nowSec(), text),
      },
      body: text,
    });
    expect(res.status).toBe(200);
    const [verdict] = (await api.request<{ items: Verdict[] }>('GET', '/verdicts?source=supabase')).body
      .items;
    await review(verdict!.verdict_id, 'reject');
    await settled();
    expect(supabase.calls).toHaveLength(0);
    expect((await get(verdict!.verdict_id)).enforcement).toBeNull();
  });
});

describe('failures', () => {
  it('a transient failure is retried, then done; a permanent one is failed and counted', async () => {
    const first = await auth0Signup('medium');
    auth0.fail({ status: 503, match: /^PATCH /, times: 1 });
    await review(first.verdict.verdict_id, 'reject');
    await settled();
    expect(
      auth0
        .callsTo('PATCH', /./)
        .slice(-2)
        .map((c) => c.status),
    ).toEqual([503, 200]);
    expect((await get(first.verdict.verdict_id)).enforcement?.status).toBe('done');
    expect(failures).toEqual([]);

    const second = await auth0Signup('medium');
    auth0.fail({ status: 403, match: /^PATCH /, times: 1 });
    await review(second.verdict.verdict_id, 'reject');
    await settled();
    expect((await get(second.verdict.verdict_id)).enforcement).toMatchObject({
      status: 'failed',
      action: 'block',
      error: 'http_403',
    });
    expect(auth0.user(second.userId)?.blocked).toBeUndefined();
    expect(failures).toEqual(['auth0']);
  });
});
