/**
 * Monitor mode end to end on the real local server (docs/policy-lifecycle.md): the shipped Auth0 Actions, the Supabase
 * hook and the Cognito trigger all follow the verdict's `action`, so a high-risk signup that enforce mode refuses goes
 * through once an operator switches the policy to monitor at runtime, while its verdict keeps the decision `block`.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/core/verdict.js';
import { SANDBOX_IDENTITIES } from '../../shared/defastra/sandbox/index.js';
import { signStandardWebhook } from '../../shared/webhooks/standard-webhooks.js';
import { auth0Event, captureLogs, fixture, NO_VELOCITY, nowSec, recordingApi } from '../auth0/support.js';
import { cognitoEvent } from '../cognito/support.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type Operator, operator } from '../helpers/operator.js';

type OnExecute = (event: unknown, api: unknown) => Promise<void>;
const load = (file: string) =>
  createRequire(import.meta.url)(fileURLToPath(new URL(`../../integrations/auth0/${file}`, import.meta.url)));
const preRegistration = (load('pre-user-registration.js') as { onExecutePreUserRegistration: OnExecute })
  .onExecutePreUserRegistration;
const postLogin = (load('post-login.js') as { onExecutePostLogin: OnExecute }).onExecutePostLogin;

const USER_MESSAGE = 'Not this time.';
const HIGH = SANDBOX_IDENTITIES.email.high;

let server: TestServer;
let api: Operator;
beforeAll(async () => {
  server = await startTestServer({ policy: { cache_hours: 0, user_message: USER_MESSAGE, ...NO_VELOCITY } });
  api = operator(server.url, server.apiToken);
});
afterAll(() => server.close());

const setMode = async (mode: 'enforce' | 'monitor') => {
  const answer = await api.request('PUT', '/policy', {
    policy: { cache_hours: 0, user_message: USER_MESSAGE, ...NO_VELOCITY, mode },
    comment: `${mode} mode`,
  });
  expect(answer.status).toBe(201);
};

const verdict = async (id: string) => (await api.request<Verdict>('GET', `/verdicts/${id}`)).body;

const runPreRegistration = async () => {
  const { api: actionApi, calls } = recordingApi();
  const secrets = {
    SIGNUP_GATE_URL: `${server.url}/hooks/auth0`,
    SIGNUP_GATE_SECRET: server.auth0HookSecret,
  };
  const logs = await captureLogs(() => preRegistration(auth0Event({ email: HIGH }, secrets), actionApi));
  const id = /verdict=([0-9A-Z]{26})/.exec(logs.join('\n'))?.[1];
  return { calls, id: id! };
};

const runPostLogin = async () => {
  const calls: unknown[] = [];
  const actionApi = {
    access: { deny: (reason: string) => void calls.push(['access.deny', reason]) },
    user: {
      setAppMetadata: (key: string, value: unknown) => void calls.push(['user.setAppMetadata', key, value]),
    },
  };
  const event = fixture<Record<string, Record<string, unknown>>>('auth0/post-login.json');
  const secrets = {
    SIGNUP_GATE_URL: `${server.url}/hooks/auth0`,
    SIGNUP_GATE_SECRET: server.auth0HookSecret,
  };
  await captureLogs(() => postLogin({ ...event, user: { ...event.user, email: HIGH }, secrets }, actionApi));
  return calls;
};

const supabase = async () => {
  const base = fixture<{ metadata: Record<string, unknown>; user: Record<string, unknown> }>(
    'supabase/before-user-created.json',
  );
  const body = JSON.stringify({
    metadata: { ...base.metadata, uuid: randomUUID() },
    user: { ...base.user, id: randomUUID(), email: HIGH },
  });
  const response = await fetch(`${server.url}/hooks/supabase`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...signStandardWebhook(server.supabaseHookSecrets, randomUUID(), nowSec(), body),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as unknown };
};

const cognito = async () => {
  const event = cognitoEvent('PreSignUp_SignUp', { email: HIGH });
  const answer = await api.request<{ error?: { code: string; message: string } }>(
    'POST',
    '/invoke/cognito-pre-signup',
    event,
  );
  return { status: answer.status, body: answer.body, event };
};

describe('enforce mode (the default): every provider refuses a high-risk signup', () => {
  it('the pre-user-registration Action denies it', async () => {
    const { calls, id } = await runPreRegistration();
    expect(calls).toEqual([['access.deny', 'signup_gate_block', USER_MESSAGE]]);
    expect(await verdict(id)).toMatchObject({ decision: 'block', action: 'block', mode: 'enforce' });
  });

  it('the post-login Action denies it and flags the user', async () => {
    const calls = await runPostLogin();
    expect(calls).toContainEqual(['access.deny', USER_MESSAGE]);
  });

  it('Supabase gets its refusal and Cognito a rejected sign-up', async () => {
    expect(await supabase()).toMatchObject({ status: 200, body: { error: { http_code: 403 } } });
    expect(await cognito()).toMatchObject({ status: 400, body: { error: { code: 'signup_rejected' } } });
  });
});

describe('switched to monitor mode at runtime: every provider lets it through, the verdict keeps its decision', () => {
  beforeAll(() => setMode('monitor'));

  it('the pre-user-registration Action lets it through, recording the verdict and its allow action only', async () => {
    const { calls, id } = await runPreRegistration();
    expect(calls).toEqual([
      ['user.setAppMetadata', 'signup_gate', { decision: 'block', action: 'allow', verdict_id: id }],
    ]);
    expect(await verdict(id)).toMatchObject({
      decision: 'block',
      action: 'allow',
      mode: 'monitor',
      policy_version: 'r1',
      reasons: [expect.objectContaining({ code: 'email_risk' })],
    });
  });

  it('the post-login Action does not deny, and records the allow action (so later logins are not denied)', async () => {
    const calls = await runPostLogin();
    expect(calls.some((call) => Array.isArray(call) && call[0] === 'access.deny')).toBe(false);
    expect(calls).toEqual([
      ['user.setAppMetadata', 'signup_gate', expect.objectContaining({ decision: 'block', action: 'allow' })],
    ]);
  });

  it('Supabase gets 200 {} (the user is created)', async () => {
    expect(await supabase()).toEqual({ status: 200, body: {} });
  });

  it('Cognito gets the event back unchanged', async () => {
    const { status, body, event } = await cognito();
    expect(status).toBe(200);
    expect(body).toEqual(event);
  });

  it('back to enforce: refused again', async () => {
    await setMode('enforce');
    expect((await runPreRegistration()).calls).toContainEqual([
      'access.deny',
      'signup_gate_block',
      USER_MESSAGE,
    ]);
    expect(await supabase()).toMatchObject({ status: 200, body: { error: { http_code: 403 } } });
  });
});
