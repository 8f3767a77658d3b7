/**
 * The artifact scenarios of the six provider hook functions (docs/okta.md … docs/workos.md): each deployed bundle,
 * invoked as Lambda runs it through the template's own route, screens as its provider expects once its secret is
 * set, and right after the first deploy refuses or degrades as docs/deploy.md (section 3.1) says.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import { signAuth0Body } from '../../shared/webhooks/auth0.js';
import { signPaddleBody } from '../../shared/webhooks/paddle.js';
import { signWorkosBody } from '../../shared/webhooks/workos.js';
import type { Scenario, ScenarioContext } from './scenarios.js';

const nowSec = (): number => Math.floor(Date.now() / 1000);
const json = { 'content-type': 'application/json' };
const post = (ctx: ScenarioContext, path: string, body: string, headers: Record<string, string>) =>
  ctx.http({ method: 'POST', path, headers: { ...json, ...headers }, body });

// ---- Okta -----------------------------------------------------------------------------------------------------

const oktaBody = (email: string) =>
  JSON.stringify({
    eventId: `okta_${randomBytes(8).toString('hex')}`,
    eventType: 'com.okta.user.pre-registration',
    requestType: 'self.service.registration',
    data: { context: { request: { ipAddress: '203.0.113.41' } }, userProfile: { email, login: email } },
  });
const ALLOW = { commands: [{ type: 'com.okta.action.update', value: { registration: 'ALLOW' } }] };

const oktaHook: Scenario = {
  triggers: ['http'],
  async configured(ctx) {
    const secret = ctx.secret('OKTA_HOOK_SECRET_ARN');
    const allowed = await post(ctx, '/hooks/okta', oktaBody(ctx.email('low')), { authorization: secret });
    expect(allowed.status, allowed.text).toBe(200);
    expect(allowed.json).toEqual(ALLOW);
    const body = oktaBody(ctx.email('high'));
    const calls = ctx.sandbox.stats().byEndpoint.email;
    const denied = await post(ctx, '/hooks/okta', body, { authorization: secret });
    expect(denied.json.commands[0].value.registration).toBe('DENY');
    expect(denied.json.error.errorSummary).toBe(ctx.policy('okta').user_message);
    const again = await post(ctx, '/hooks/okta', body, { authorization: secret }); // Okta's retry
    expect(again.json).toEqual(denied.json);
    expect(ctx.sandbox.stats().byEndpoint.email - calls).toBe(1);
    const forged = await post(ctx, '/hooks/okta', body, { authorization: 'not-the-secret' });
    expect(forged.status).toBe(401);
  },
  async firstDeploy(ctx) {
    const body = oktaBody(ctx.email('low'));
    expect((await post(ctx, '/hooks/okta', body, { authorization: 'not-yet-copied' })).status).toBe(401);
    // With the generated secret: the Defastra key is a placeholder, on_error.okta decides.
    const signed = await post(ctx, '/hooks/okta', body, {
      authorization: ctx.secret('OKTA_HOOK_SECRET_ARN'),
    });
    expect(signed.status, signed.text).toBe(200);
    const expected = ctx.policy('okta').on_error.okta === 'block' ? 'DENY' : 'ALLOW';
    expect(signed.json.commands[0].value.registration).toBe(expected);
  },
};

// ---- Ory Kratos -----------------------------------------------------------------------------------------------

const kratosBody = (email: string) =>
  JSON.stringify({ flow_id: randomUUID(), identity: { id: null, traits: { email } }, ip: '203.0.113.42' });

const kratosHook: Scenario = {
  triggers: ['http'],
  async configured(ctx) {
    const bearer = { authorization: `Bearer ${ctx.secret('KRATOS_HOOK_SECRET_ARN')}` };
    const allowed = await post(ctx, '/hooks/kratos', kratosBody(ctx.email('low')), bearer);
    expect(allowed.status, allowed.text).toBe(200);
    expect(allowed.json).toEqual({});
    const refused = await post(ctx, '/hooks/kratos', kratosBody(ctx.email('high')), {
      ...bearer,
      'ory-webhook-trigger-id': randomUUID(),
    });
    expect(refused.status).toBe(403);
    expect(refused.json.messages[0].messages[0]).toMatchObject({
      id: 4000001,
      text: ctx.policy('kratos').user_message,
      type: 'error',
    });
    const forged = await post(ctx, '/hooks/kratos', kratosBody(ctx.email('low')), {
      authorization: 'Bearer not-it',
    });
    expect(forged.status).toBe(401);
  },
  async firstDeploy(ctx) {
    const body = kratosBody(ctx.email('low'));
    expect((await post(ctx, '/hooks/kratos', body, { authorization: 'Bearer not-yet' })).status).toBe(401);
    const signed = await post(ctx, '/hooks/kratos', body, {
      authorization: `Bearer ${ctx.secret('KRATOS_HOOK_SECRET_ARN')}`,
    });
    expect(signed.status, signed.text).toBe(ctx.policy('kratos').on_error.kratos === 'block' ? 403 : 200);
  },
};

// ---- Paddle ---------------------------------------------------------------------------------------------------

const paddleBody = (email: string) =>
  JSON.stringify({
    event_id: `evt_${randomBytes(12).toString('hex')}`,
    event_type: 'customer.created',
    occurred_at: new Date().toISOString(),
    notification_id: `ntf_${randomBytes(12).toString('hex')}`,
    data: { id: `ctm_${randomBytes(12).toString('hex')}`, email, status: 'active' },
  });
const paddleSigned = (body: string, secret: string) => ({
  'paddle-signature': signPaddleBody([secret], body, nowSec()),
});

const paddleHook: Scenario = {
  triggers: ['http'],
  async configured(ctx) {
    const secret = ctx.secret('PADDLE_WEBHOOK_SECRET_ARN');
    const body = paddleBody(ctx.email('high'));
    const first = await post(ctx, '/hooks/paddle', body, paddleSigned(body, secret));
    expect(first.status, first.text).toBe(200);
    expect(first.json).toMatchObject({
      source: 'paddle',
      decision: 'block',
      degraded: false,
      duplicate: false,
    });
    const again = await post(ctx, '/hooks/paddle', body, paddleSigned(body, secret)); // Paddle redelivers
    expect(again.json).toMatchObject({ verdict_id: first.json.verdict_id, duplicate: true });
    ctx.shared.verdicts.push({ id: first.json.verdict_id, decision: 'block' });
    const forged = await post(ctx, '/hooks/paddle', body, paddleSigned(body, 'pdl_ntfset_not_it'));
    expect(forged.status).toBe(400);
    expect(forged.json.error.code).toBe('invalid_signature');
  },
  async firstDeploy(ctx) {
    // The secret key is still the placeholder: every delivery is refused, the reason logged.
    const body = paddleBody(ctx.email('low'));
    const answer = await post(ctx, '/hooks/paddle', body, paddleSigned(body, `pdl_ntfset_${randomUUID()}`));
    expect(answer.status).toBe(400);
    expect(answer.logs).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'paddle signature rejected', reason: 'no_secrets' }),
    );
  },
};

// ---- Clerk ----------------------------------------------------------------------------------------------------

const clerkBody = (email: string) =>
  JSON.stringify({
    type: 'user.created',
    object: 'event',
    timestamp: Date.now(),
    data: {
      id: `user_${randomBytes(12).toString('hex')}`,
      object: 'user',
      primary_email_address_id: 'idn_primary',
      email_addresses: [{ id: 'idn_primary', object: 'email_address', email_address: email }],
      phone_numbers: [],
    },
  });
const svix = (body: string, secret: string, id = `msg_${randomBytes(10).toString('hex')}`) => {
  const t = nowSec();
  return {
    'svix-id': id,
    'svix-timestamp': String(t),
    'svix-signature': new Webhook(secret).sign(id, new Date(t * 1000), body),
  };
};

const clerkHook: Scenario = {
  triggers: ['http'],
  async configured(ctx) {
    const secret = ctx.secret('CLERK_WEBHOOK_SECRET_ARN');
    const body = clerkBody(ctx.email('medium'));
    const headers = svix(body, secret);
    const first = await post(ctx, '/hooks/clerk', body, headers);
    expect(first.status, first.text).toBe(200);
    expect(first.json).toMatchObject({ source: 'clerk', source_ref: headers['svix-id'], decision: 'review' });
    expect(first.json.subject_ref).toMatch(/^user_/);
    const again = await post(ctx, '/hooks/clerk', body, headers); // Svix retries
    expect(again.json.verdict_id).toBe(first.json.verdict_id);
    ctx.shared.verdicts.push({ id: first.json.verdict_id, decision: 'review' });
    const forged = await post(
      ctx,
      '/hooks/clerk',
      body,
      svix(body, `whsec_${randomBytes(32).toString('base64')}`),
    );
    expect(forged.status).toBe(401);
  },
  async firstDeploy(ctx) {
    const body = clerkBody(ctx.email('low'));
    const answer = await post(
      ctx,
      '/hooks/clerk',
      body,
      svix(body, `whsec_${randomBytes(32).toString('base64')}`),
    );
    expect(answer.status).toBe(401);
    expect(answer.json.error.code).toBe('unauthorized');
  },
};

// ---- Firebase -------------------------------------------------------------------------------------------------

const firebaseBody = (email: string, eventId: string) =>
  JSON.stringify({
    uid: `uid${randomBytes(8).toString('hex')}`,
    email,
    phone_number: null,
    ip_address: '203.0.113.43',
    event_id: eventId,
  });
const firebaseSigned = (body: string, secret: string, key: string) => ({
  'x-signup-gate-signature': signAuth0Body(secret, body, nowSec(), key),
  'idempotency-key': key,
});

const firebaseHook: Scenario = {
  triggers: ['http'],
  async configured(ctx) {
    const secret = ctx.secret('FIREBASE_HOOK_SECRET_ARN');
    const key = `Ev${randomBytes(10).toString('hex')}`;
    const body = firebaseBody(ctx.email('high'), key);
    const blocked = await post(ctx, '/hooks/firebase', body, firebaseSigned(body, secret, key));
    expect(blocked.status, blocked.text).toBe(200);
    expect(blocked.json).toMatchObject({
      source: 'firebase',
      source_ref: key,
      decision: 'block',
      action: 'block',
      user_message: ctx.policy('firebase').user_message,
    });
    ctx.shared.verdicts.push({ id: blocked.json.verdict_id, decision: 'block' });
    const forged = await post(ctx, '/hooks/firebase', body, firebaseSigned(body, 'not-the-secret', key));
    expect(forged.status).toBe(401);
  },
  async firstDeploy(ctx) {
    const key = `Ev${randomBytes(10).toString('hex')}`;
    const body = firebaseBody(ctx.email('low'), key);
    expect((await post(ctx, '/hooks/firebase', body, firebaseSigned(body, 'not-yet', key))).status).toBe(401);
    const signed = await post(
      ctx,
      '/hooks/firebase',
      body,
      firebaseSigned(body, ctx.secret('FIREBASE_HOOK_SECRET_ARN'), key),
    );
    expect(signed.status, signed.text).toBe(200);
    expect(signed.json).toMatchObject({ decision: ctx.policy('firebase').on_error.firebase, degraded: true });
  },
};

// ---- WorkOS ---------------------------------------------------------------------------------------------------

const workosBody = (email: string) =>
  JSON.stringify({
    id: `01J${randomBytes(12).toString('hex').toUpperCase()}`,
    object: 'user_registration_action_context',
    user_data: { object: 'user_data', email, first_name: 'Jane', last_name: 'Doe' },
    ip_address: '203.0.113.44',
    user_agent: 'Mozilla/5.0',
  });

const workosHook: Scenario = {
  triggers: ['http'],
  async configured(ctx) {
    const secret = ctx.secret('WORKOS_ACTIONS_SECRET_ARN');
    for (const [level, verdict] of [
      ['low', 'Allow'],
      ['high', 'Deny'],
    ] as const) {
      const body = workosBody(ctx.email(level));
      const answer = await post(ctx, '/hooks/workos', body, {
        'workos-signature': signWorkosBody(secret, body, Date.now()),
      });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json).toMatchObject({
        object: 'user_registration_action_response',
        payload: { verdict },
        signature: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    }
    const body = workosBody(ctx.email('low'));
    const forged = await post(ctx, '/hooks/workos', body, {
      'workos-signature': signWorkosBody('not-the-secret', body, Date.now()),
    });
    expect(forged.status).toBe(401);
  },
  async firstDeploy(ctx) {
    const body = workosBody(ctx.email('low'));
    const answer = await post(ctx, '/hooks/workos', body, {
      'workos-signature': signWorkosBody(randomUUID(), body, Date.now()),
    });
    expect(answer.status).toBe(401);
  },
};

/** The provider hooks' scenarios by function name. */
export const PROVIDER_SCENARIOS: Record<string, Scenario> = {
  'okta-hook': oktaHook,
  'kratos-hook': kratosHook,
  'paddle-hook': paddleHook,
  'clerk-hook': clerkHook,
  'firebase-hook': firebaseHook,
  'workos-hook': workosHook,
};
