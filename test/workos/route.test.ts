/**
 * `POST /hooks/workos` on the real local server (docs/workos.md): WorkOS' registration Action context, signed as
 * WorkOS signs it (`WorkOS-Signature: t=<ms>, v1=<hex>`) with the generated `WORKOS_ACTIONS_SECRET`; every answer
 * checked with the official SDK (its signature over the payload, with the secret that signed the request);
 * verdicts read back through the operator API, the table and the logs scanned.
 */
import { randomUUID } from 'node:crypto';
import { WorkOS } from '@workos-inc/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveForSource } from '../../shared/policy/decide.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { signWorkosBody } from '../../shared/webhooks/workos.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';
import { expectNoRaw, type HookServer, NO_VELOCITY, startHookServer } from '../helpers/hook-server.js';

const PATH = '/hooks/workos';
const USER_MESSAGE = 'Registration refused for this address.';
const BUDGET_MS = 800;
const OTHER_SECRET = 'workos-actions-secret-of-the-old-endpoint';
const sdk = new WorkOS({ clientId: 'client_signup_gate_tests' });

/** A registration Action context for a new user (a fresh Action id). */
const context = (email: string, ip = '203.0.113.11'): Doc => {
  const doc = readFixture<Doc>('workos/user-registration-action-context.json');
  doc.id = `01J${randomUUID().replace(/-/g, '').slice(0, 23).toUpperCase()}`;
  doc.user_data.email = email;
  doc.ip_address = ip;
  delete doc.invitation;
  return doc;
};

interface SignedAnswer {
  object: string;
  payload: { timestamp: number; verdict: 'Allow' | 'Deny'; error_message?: string };
  signature: string;
}

const nowMs = () => Date.now();

let h: HookServer;
beforeAll(async () => {
  h = await startHookServer({
    hook: 'workos',
    policy: { cache_hours: 0, user_message: USER_MESSAGE, budget_ms: { workos: BUDGET_MS }, ...NO_VELOCITY },
  });
});
afterAll(() => h.close());
afterEach(() => h.server.sandbox.clearFaults());

const signed = (body: string, secret = h.secrets[0]!, t = nowMs()) => ({
  'Content-Type': 'application/json',
  'WorkOS-Signature': signWorkosBody(secret, body, t),
});
const send = (doc: Doc | string, head?: Record<string, string>) => {
  const body = typeof doc === 'string' ? doc : JSON.stringify(doc);
  return h.post(PATH, body, head ?? signed(body));
};

/** The answer, its signature checked with the SDK's own computation for `secret`. */
const answerOf = async (response: Response, secret = h.secrets[0]!): Promise<SignedAnswer> => {
  expect(response.status).toBe(200);
  const answer = (await response.json()) as SignedAnswer;
  expect(answer.object).toBe('user_registration_action_response');
  // The SDK's own check of a WorkOS signature accepts it, for the secret that signed the request.
  const sigHeader = `t=${answer.payload.timestamp}, v1=${answer.signature}`;
  await expect(sdk.actions.verifyHeader({ payload: answer.payload, sigHeader, secret })).resolves.toBe(true);
  expect(Math.abs(answer.payload.timestamp - Date.now())).toBeLessThan(60_000);
  return answer;
};

describe('POST /hooks/workos: signed verdicts', () => {
  it('allow → Allow, the verdict stored with the Action id as source_ref', async () => {
    const doc = context('workos.low+low@example.com');
    const answer = await answerOf(await send(doc));
    expect(answer.payload).toEqual({ timestamp: expect.any(Number), verdict: 'Allow' });
    expect(await h.verdictBy('workos', doc.id)).toMatchObject({
      source: 'workos',
      source_ref: doc.id,
      subject_ref: null,
      decision: 'allow',
    });
  });

  it('review → Allow (the verdict waits for review)', async () => {
    const doc = context('workos.review+medium@example.com');
    expect((await answerOf(await send(doc))).payload.verdict).toBe('Allow');
    expect((await h.verdictBy('workos', doc.id))?.decision).toBe('review');
  });

  it("block → Deny with the policy's user_message as error_message", async () => {
    const doc = context('workos.block+high@example.com');
    const answer = await answerOf(await send(doc));
    expect(answer.payload).toEqual({
      timestamp: expect.any(Number),
      verdict: 'Deny',
      error_message: USER_MESSAGE,
    });
  });

  it("WorkOS' documented context as is (pretty-printed, with an invitation) is screened", async () => {
    const doc = readFixture<Doc>('workos/user-registration-action-context.json');
    expect((await answerOf(await send(doc))).payload.verdict).toBe('Allow');
    expect(await h.verdictBy('workos', doc.id)).toBeDefined();
  });

  it('answers after the verdict action, not its decision (a monitored block is Allow)', async () => {
    const doc = context('workos.monitored+high@example.com');
    const body = JSON.stringify(doc);
    await h.seedScreened({ source: 'workos', key: doc.id, body, decision: 'block', action: 'allow' });
    expect((await answerOf(await send(body))).payload.verdict).toBe('Allow');
  });
});

describe('POST /hooks/workos: the signature (401), and the secret that signs the answer', () => {
  const body = JSON.stringify(context('workos.refused+low@example.com'));
  it.each([
    ['no WorkOS-Signature', () => ({ 'Content-Type': 'application/json' })],
    ['another secret', () => signed(body, OTHER_SECRET)],
    ['a t 31 s old', () => signed(body, h.secrets[0]!, nowMs() - 31_000)],
    ['a t in seconds', () => signed(body, h.secrets[0]!, Math.floor(nowMs() / 1000))],
  ])('refuses %s before any Defastra call', async (_case, head) => {
    const calls = h.server.sandbox.stats().requests;
    const response = await h.post(PATH, body, head());
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(h.server.sandbox.stats().requests).toBe(calls);
  });

  it('during a rotation, the answer is signed with the secret that signed the request', async () => {
    const rotating = await startHookServer({
      hook: 'workos',
      env: { WORKOS_ACTIONS_SECRET: `${OTHER_SECRET},workos-actions-secret-new-one` },
    });
    try {
      for (const secret of [OTHER_SECRET, 'workos-actions-secret-new-one']) {
        const text = JSON.stringify(context('workos.rotation+low@example.com'));
        const response = await rotating.post(PATH, text, signed(text, secret));
        expect((await answerOf(response, secret)).payload.verdict).toBe('Allow');
      }
    } finally {
      await rotating.close();
    }
  });
});

describe('POST /hooks/workos: once per Action id', () => {
  it('the same call again → the same verdict, one Defastra call (a freshly signed answer)', async () => {
    const doc = context('workos.again+high@example.com');
    const calls = h.server.sandbox.stats().byEndpoint.email;
    const first = await answerOf(await send(doc));
    const second = await answerOf(await send(doc));
    expect(second.payload.verdict).toBe(first.payload.verdict);
    expect(h.server.sandbox.stats().byEndpoint.email - calls).toBe(1);
    expect((await h.verdicts('workos')).filter((v) => v.source_ref === doc.id)).toHaveLength(1);
  });

  it('the same id with another body → 422 idempotency_key_reused', async () => {
    const doc = context('workos.reused+low@example.com');
    await answerOf(await send(doc));
    const response = await send({ ...doc, user_data: { email: 'workos.other+low@example.com' } });
    expect(response.status).toBe(422);
  });

  it('a retry while the first is still screened answers on_error.workos at once, signed', async () => {
    h.server.sandbox.setFaults({ latencyMs: BUDGET_MS - 200 });
    const doc = context('workos.concurrent+high@example.com');
    const before = h.server.sandbox.stats().requests;
    const first = send(doc);
    while (h.server.sandbox.stats().requests === before) await new Promise((r) => setTimeout(r, 5));
    expect((await answerOf(await send(doc))).payload.verdict).toBe('Allow');
    expect((await answerOf(await first)).payload.verdict).toBe('Deny');
  });
});

describe('POST /hooks/workos: time', () => {
  it('the default budget is 4 s with on_error.workos allow', () => {
    const policy = resolveForSource(parsePolicy({}), 'workos');
    expect(policy.budget_ms.workos).toBe(4_000);
    expect(policy.on_error.workos).toBe('allow');
  });

  it('Defastra slower than the budget: on_error.workos answers (Allow), the verdict degraded', async () => {
    h.server.sandbox.setFaults({ latencyMs: 5_000 });
    const doc = context('workos.slow+high@example.com');
    expect((await answerOf(await send(doc))).payload.verdict).toBe('Allow');
    expect(await h.verdictBy('workos', doc.id)).toMatchObject({ decision: 'allow', degraded: true });
  });
});

describe('POST /hooks/workos: contract order and no raw identifiers', () => {
  it('405, 415 after a good signature and 401 before, 400 for an authentication Action', async () => {
    const wrong = await h.request(PATH, { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const body = JSON.stringify(context('workos.order+low@example.com'));
    expect((await h.post(PATH, body, { ...signed(body), 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await h.post(PATH, body, { 'Content-Type': 'text/plain' })).status).toBe(401);
    const invalid = await send({
      ...context('workos.order+low@example.com'),
      object: 'authentication_action_context',
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { message: string } }).error.message).toContain('object');
  });

  it('keeps the email and IP out of answers, logs and the table', async () => {
    const email = 'WorkOS.Private+high@Example.com';
    const ip = '198.51.100.74';
    const answer = await (await send(context(email, ip))).text();
    const raws = [email, ip];
    expectNoRaw(answer, raws, 'the answer');
    expectNoRaw(h.lines.join('\n'), raws, 'the logs');
    expectNoRaw(await h.tableText(), raws, 'the table');
  });
});
