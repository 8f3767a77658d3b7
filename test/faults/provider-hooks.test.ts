/**
 * The synchronous sign-up hooks whose provider refuses the sign-up on any other answer (Okta, Ory Kratos, WorkOS)
 * with the store unreachable (a stopped dynalite): instead of a 503 the provider would turn into a refusal, each
 * answers `on_error.<source>` in its own format, promptly, and logs why. The webhooks that are retried (Paddle,
 * Clerk) and the Firebase forwarder (its own fail mode) keep the contract's 503 `store_unavailable`.
 */
import { randomUUID } from 'node:crypto';
import { WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkHookApp } from '../../functions/clerk-hook/app.js';
import { createFirebaseHookApp } from '../../functions/firebase-hook/app.js';
import { createKratosHookApp } from '../../functions/kratos-hook/app.js';
import { createOktaHookApp } from '../../functions/okta-hook/app.js';
import { createPaddleHookApp } from '../../functions/paddle-hook/app.js';
import { createWorkosHookApp } from '../../functions/workos-hook/app.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { fixedPolicy } from '../../shared/policy/source.js';
import type { AppDeps } from '../../shared/runtime/deps.js';
import { deriveKey } from '../../shared/screening/hashing.js';
import { createDynamoClient } from '../../shared/store/dynamo/client.js';
import { createDynamoStore } from '../../shared/store/dynamo/store.js';
import { signAuth0Body } from '../../shared/webhooks/auth0.js';
import { signPaddleBody } from '../../shared/webhooks/paddle.js';
import { signStandardWebhook } from '../../shared/webhooks/standard-webhooks.js';
import { signWorkosBody } from '../../shared/webhooks/workos.js';
import { recordingTelemetry } from '../auth0/support.js';
import { createTestDeps, TEST_HOOK_SECRETS, TEST_PEPPER, type TestDeps } from '../helpers/deps.js';
import { startDynalite } from '../helpers/dynalite.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';

const telemetry = recordingTelemetry();
let t: TestDeps;
/** Deps whose store points at a dynalite that was stopped: every store call fails fast. */
const downWith = (policy: Record<string, unknown> = {}): AppDeps => ({
  ...t.deps,
  policy: fixedPolicy(parsePolicy(policy)),
});

beforeAll(async () => {
  t = await createTestDeps({ store: 'memory', overrides: { telemetry } });
  const dynalite = await startDynalite();
  const client = createDynamoClient({
    endpoint: dynalite.endpoint,
    region: 'local',
    maxAttempts: 1,
    connectionTimeoutMs: 300,
    requestTimeoutMs: 1_500,
  });
  const store = createDynamoStore({
    client,
    tableName: dynalite.tableName,
    cursorKey: deriveKey(TEST_PEPPER, 'cursor'),
  });
  await dynalite.close();
  t.deps.store = store;
});
afterAll(() => t.close());

const json = { 'Content-Type': 'application/json' };

const okta = (deps: AppDeps) => {
  const doc = readFixture<Doc>('okta/registration-self-service.json');
  doc.eventId = `okta_${randomUUID().slice(0, 8)}`;
  return createOktaHookApp(async () => deps).request('/hooks/okta', {
    method: 'POST',
    headers: { ...json, Authorization: TEST_HOOK_SECRETS.okta },
    body: JSON.stringify(doc),
  });
};
const kratos = (deps: AppDeps) =>
  createKratosHookApp(async () => deps).request('/hooks/kratos', {
    method: 'POST',
    headers: {
      ...json,
      Authorization: `Bearer ${TEST_HOOK_SECRETS.kratos}`,
      'Ory-Webhook-Trigger-ID': randomUUID(),
    },
    body: JSON.stringify({ ...readFixture<Doc>('kratos/signup-gate-body.json'), flow_id: randomUUID() }),
  });
const workos = (deps: AppDeps) => {
  const body = JSON.stringify({
    ...readFixture<Doc>('workos/user-registration-action-context.json'),
    id: `01J${randomUUID().slice(0, 8)}`,
  });
  return createWorkosHookApp(async () => deps).request('/hooks/workos', {
    method: 'POST',
    headers: { ...json, 'WorkOS-Signature': signWorkosBody(TEST_HOOK_SECRETS.workos, body, Date.now()) },
    body,
  });
};

describe('the store unreachable: Okta, Kratos and WorkOS answer on_error in their own format', () => {
  it('Okta: 200 ALLOW by default, DENY with on_error.okta block; the error logged', async () => {
    telemetry.lines.length = 0;
    const allowed = await okta(downWith());
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({
      commands: [{ type: 'com.okta.action.update', value: { registration: 'ALLOW' } }],
    });
    expect(telemetry.lines.some((l) => l.includes('okta screening failed; on_error.okta answers'))).toBe(
      true,
    );
    const denied = (await (await okta(downWith({ on_error: { okta: 'block' } }))).json()) as {
      commands: Array<{ value: { registration: string } }>;
    };
    expect(denied.commands[0]!.value.registration).toBe('DENY');
  });

  it('Kratos: 200 {} by default, 403 with messages with on_error.kratos block', async () => {
    const allowed = await kratos(downWith());
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({});
    const refused = await kratos(downWith({ on_error: { kratos: 'block' }, user_message: 'No.' }));
    expect(refused.status).toBe(403);
    expect(JSON.stringify(await refused.json())).toContain('"text":"No."');
  });

  it('WorkOS: a signed Allow by default, a signed Deny with on_error.workos block', async () => {
    const sdk = new WorkOS({ clientId: 'client_signup_gate_tests' });
    for (const [policy, verdict] of [
      [{}, 'Allow'],
      [{ on_error: { workos: 'block' } }, 'Deny'],
    ] as const) {
      const response = await workos(downWith(policy));
      expect(response.status).toBe(200);
      const answer = (await response.json()) as {
        payload: { timestamp: number; verdict: string };
        signature: string;
      };
      expect(answer.payload.verdict).toBe(verdict);
      const sigHeader = `t=${answer.payload.timestamp}, v1=${answer.signature}`;
      const secret = TEST_HOOK_SECRETS.workos;
      await expect(sdk.actions.verifyHeader({ payload: answer.payload, sigHeader, secret })).resolves.toBe(
        true,
      );
    }
  });
});

describe('the store unreachable: Paddle, Clerk and Firebase answer 503 store_unavailable', () => {
  it('each with Retry-After, so that the provider (or the forwarder) decides', async () => {
    const deps = downWith();
    const paddleBody = JSON.stringify(readFixture<Doc>('paddle/customer-created.json'));
    const clerkBody = JSON.stringify(readFixture<Doc>('clerk/user-created.json'));
    const firebaseBody = JSON.stringify(readFixture<Doc>('firebase/forwarder-body.json'));
    const svix = signStandardWebhook(
      [TEST_HOOK_SECRETS.clerk],
      'msg_store_down',
      Math.floor(Date.now() / 1000),
      clerkBody,
    );
    const answers = [
      await createPaddleHookApp(async () => deps).request('/hooks/paddle', {
        method: 'POST',
        headers: {
          ...json,
          'Paddle-Signature': signPaddleBody(
            [TEST_HOOK_SECRETS.paddle],
            paddleBody,
            Math.floor(Date.now() / 1000),
          ),
        },
        body: paddleBody,
      }),
      await createClerkHookApp(async () => deps).request('/hooks/clerk', {
        method: 'POST',
        headers: {
          ...json,
          'svix-id': svix['webhook-id']!,
          'svix-timestamp': svix['webhook-timestamp']!,
          'svix-signature': svix['webhook-signature']!,
        },
        body: clerkBody,
      }),
      await createFirebaseHookApp(async () => deps).request('/hooks/firebase', {
        method: 'POST',
        headers: {
          ...json,
          'Idempotency-Key': 'EVENT_ID',
          'X-Signup-Gate-Signature': signAuth0Body(
            TEST_HOOK_SECRETS.firebase,
            firebaseBody,
            Math.floor(Date.now() / 1000),
            'EVENT_ID',
          ),
        },
        body: firebaseBody,
      }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('store_unavailable');
    }
  });
});
