/**
 * `POST /hooks/firebase` on the real local server (docs/firebase.md): requests signed as the forwarder signs them
 * (`X-Signup-Gate-Signature` over the event id sent as `Idempotency-Key` and the body) with the generated
 * `FIREBASE_HOOK_SECRET`, and the shipped forwarder itself (`integrations/firebase/forward.js`, firebase-functions
 * left out) against the route; verdicts read back through the operator API, the table and the logs scanned.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveForSource } from '../../shared/policy/decide.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { AUTH0_SIGNATURE_HEADER, signAuth0Body } from '../../shared/webhooks/auth0.js';
import { type Doc, fixtureText } from '../helpers/fixtures.js';
import { expectNoRaw, type HookServer, NO_VELOCITY, startHookServer } from '../helpers/hook-server.js';

interface ForwardModule {
  DEFAULT_TIMEOUT_MS: number;
  forwarderBody(event: unknown): Record<string, unknown>;
  screenSignup(event: unknown, options: Record<string, unknown>): Promise<undefined>;
}
const forward = (await import(
  new URL('../../integrations/firebase/forward.js', import.meta.url).href
)) as ForwardModule;

class FakeHttpsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const PATH = '/hooks/firebase';
const USER_MESSAGE = 'Sign-ups from this address are not possible.';
const BUDGET_MS = 800;

/** The forwarder's body for a new user (fresh uid and event id). */
const forwarded = (email: string | null, extra: { phone?: string; ip?: string } = {}): Doc => ({
  uid: `uid${randomUUID().replace(/-/g, '').slice(0, 25)}`,
  email,
  phone_number: extra.phone ?? null,
  ip_address: extra.ip ?? '203.0.113.9',
  event_id: `Ck${randomUUID().replace(/-/g, '')}`,
});

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
const json = async (response: Response): Promise<any> => JSON.parse(await response.text());
const nowSec = () => Math.floor(Date.now() / 1000);

let h: HookServer;
beforeAll(async () => {
  h = await startHookServer({
    hook: 'firebase',
    policy: {
      cache_hours: 0,
      user_message: USER_MESSAGE,
      budget_ms: { firebase: BUDGET_MS },
      ...NO_VELOCITY,
    },
  });
});
afterAll(() => h.close());
afterEach(() => h.server.sandbox.clearFaults());

const signed = (body: string, key: string | null, secret = h.secrets[0]!, t = nowSec()) => ({
  'Content-Type': 'application/json',
  [AUTH0_SIGNATURE_HEADER]: signAuth0Body(secret, body, t, key),
  ...(key === null ? {} : { 'Idempotency-Key': key }),
});
const send = (doc: Doc, key: string | null = doc.event_id) => {
  const body = JSON.stringify(doc);
  return h.post(PATH, body, signed(body, key));
};

describe('POST /hooks/firebase: the verdict with action and user_message', () => {
  it.each([
    ['low', 'allow'],
    ['medium', 'review'],
    ['high', 'block'],
  ])(
    'a %s-risk sign-up → 200 the %s verdict: event id as source_ref, uid as subject_ref',
    async (level, decision) => {
      const doc = forwarded(`firebase.${level}+${level}@example.com`);
      const response = await send(doc);
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({
        source: 'firebase',
        source_ref: doc.event_id,
        subject_ref: doc.uid,
        decision,
        action: decision,
        user_message: USER_MESSAGE,
      });
      expect((await h.verdictBy('firebase', doc.event_id))?.decision).toBe(decision);
    },
  );

  it("the forwarder's documented body is screened, its phone too", async () => {
    const body = fixtureText('firebase/forwarder-body.json');
    const response = await h.post(PATH, body, signed(body, 'EVENT_ID'));
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({
      source_ref: 'EVENT_ID',
      subject_ref: 'abcdefghijklmnopqrstuvwxyz',
    });
  });

  it('without an Idempotency-Key, the body event_id is the key and source_ref', async () => {
    const doc = forwarded('firebase.nokey+low@example.com');
    expect(await json(await send(doc, null))).toMatchObject({ source_ref: doc.event_id });
  });
});

describe('POST /hooks/firebase: the signature (401)', () => {
  const doc = forwarded('firebase.refused+low@example.com');
  const body = JSON.stringify(doc);
  it.each([
    ['no signature', () => ({ 'Content-Type': 'application/json' })],
    ['another secret', () => signed(body, doc.event_id, 'not-the-firebase-secret')],
    ['a timestamp 301 s old', () => signed(body, doc.event_id, h.secrets[0]!, nowSec() - 301)],
    [
      'the signature replayed under another key',
      () => ({ ...signed(body, doc.event_id), 'Idempotency-Key': 'other' }),
    ],
    ['the Auth0 hook secret', () => signed(body, doc.event_id, h.server.auth0HookSecret)],
  ])('refuses %s before any Defastra call', async (_case, head) => {
    const calls = h.server.sandbox.stats().requests;
    const response = await h.post(PATH, body, head());
    expect(response.status).toBe(401);
    expect(await json(response)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(h.server.sandbox.stats().requests).toBe(calls);
  });
});

describe('POST /hooks/firebase: once per event id', () => {
  it('the same event again → the same verdict, one Defastra call', async () => {
    const doc = forwarded('firebase.again+high@example.com');
    const calls = h.server.sandbox.stats().byEndpoint.email;
    const first = await json(await send(doc));
    expect(await json(await send(doc))).toEqual(first);
    expect(h.server.sandbox.stats().byEndpoint.email - calls).toBe(1);
  });

  it('the same event id with another body → 422; while the first is running → 409', async () => {
    const doc = forwarded('firebase.reused+low@example.com');
    expect((await send(doc)).status).toBe(200);
    const reused = await send({ ...doc, email: 'firebase.other+low@example.com' });
    expect(reused.status).toBe(422);

    h.server.sandbox.setFaults({ latencyMs: BUDGET_MS - 200 });
    const slow = forwarded('firebase.concurrent+low@example.com');
    const before = h.server.sandbox.stats().requests;
    const first = send(slow);
    while (h.server.sandbox.stats().requests === before) await new Promise((r) => setTimeout(r, 5));
    const second = await send(slow);
    expect(second.status).toBe(409);
    expect((await json(second)).error.code).toBe('in_progress');
    expect((await first).status).toBe(200);
  });
});

describe('POST /hooks/firebase: inside Google 7 s', () => {
  it("the default budget and the forwarder's timeout leave Google time", () => {
    const policy = resolveForSource(parsePolicy({}), 'firebase');
    expect(policy.budget_ms.firebase).toBeLessThan(forward.DEFAULT_TIMEOUT_MS);
    expect(forward.DEFAULT_TIMEOUT_MS).toBeLessThan(7_000);
    expect(policy.on_error.firebase).toBe('allow');
  });

  it('Defastra slower than the budget: on_error.firebase decides (allow), degraded', async () => {
    h.server.sandbox.setFaults({ latencyMs: 5_000 });
    const doc = forwarded('firebase.slow+high@example.com');
    expect(await json(await send(doc))).toMatchObject({ decision: 'allow', action: 'allow', degraded: true });
  });
});

describe('the shipped forwarder against the real route', () => {
  const event = (email: string | null, eventId = `Ev${randomUUID().replace(/-/g, '')}`) => ({
    data: { uid: `uid${randomUUID().slice(0, 8)}`, email, phoneNumber: null },
    ipAddress: '203.0.113.10',
    eventId,
  });
  const screen = (e: unknown, options: Record<string, unknown> = {}) =>
    forward.screenSignup(e, {
      url: `${h.url}${PATH}`,
      secret: h.secrets[0],
      HttpsError: FakeHttpsError,
      log: () => {},
      ...options,
    });

  it('lets allow and review proceed, stores their verdicts under the event id', async () => {
    const low = event('forwarded.low+low@example.com');
    await expect(screen(low)).resolves.toBeUndefined();
    await expect(screen(event('forwarded.medium+medium@example.com'))).resolves.toBeUndefined();
    expect((await h.verdictBy('firebase', low.eventId))?.decision).toBe('allow');
  });

  it("throws permission-denied with the policy's user_message on block", async () => {
    const error = await screen(event('forwarded.high+high@example.com')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FakeHttpsError);
    expect(error).toMatchObject({ code: 'permission-denied', message: USER_MESSAGE });
  });

  it('follows action, not decision: a monitored block proceeds', async () => {
    const e = event('forwarded.monitored+high@example.com');
    const body = JSON.stringify(forward.forwarderBody(e));
    await h.seedScreened({ source: 'firebase', key: e.eventId, body, decision: 'block', action: 'allow' });
    await expect(screen(e)).resolves.toBeUndefined();
  });

  it('with another secret: refused by the route (401), then fails open, or closed on request', async () => {
    const logged: Array<{ fields: { reason: string } }> = [];
    const e = event('forwarded.high+high@example.com');
    await expect(
      screen(e, {
        secret: 'not-the-secret',
        log: (_m: string, fields: { reason: string }) => logged.push({ fields }),
      }),
    ).resolves.toBeUndefined();
    expect(logged[0]!.fields.reason).toBe('status 401');
    const closed = await screen(e, { secret: 'not-the-secret', failClosed: true }).catch((x: unknown) => x);
    expect(closed).toMatchObject({ code: 'unavailable' });
  });
});

describe('POST /hooks/firebase: contract order and no raw identifiers', () => {
  it('405, 415 after a good signature and 401 before, 400 naming the field', async () => {
    const wrong = await h.request(PATH, { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const doc = forwarded('firebase.order+low@example.com');
    const body = JSON.stringify(doc);
    expect(
      (await h.post(PATH, body, { ...signed(body, doc.event_id), 'Content-Type': 'text/plain' })).status,
    ).toBe(415);
    expect((await h.post(PATH, body, { 'Content-Type': 'text/plain' })).status).toBe(401);
    const invalid = await send({ ...forwarded('firebase.order+low@example.com'), email: 42 });
    expect(invalid.status).toBe(400);
    expect((await json(invalid)).error.message).toContain('email');
  });

  it('keeps the email, phone and IP out of answers, logs and the table; a uid holding an email is masked', async () => {
    const email = 'Firebase.Private+high@Example.com';
    const phone = '+33600000003';
    const ip = '198.51.100.73';
    const doc = { ...forwarded(email, { phone, ip }), uid: 'custom|firebase.uid@example.net' };
    const answer = await (await send(doc)).text();
    const raws = [email, phone, ip, 'firebase.uid@example.net'];
    expectNoRaw(answer, raws, 'the answer');
    expectNoRaw(h.lines.join('\n'), raws, 'the logs');
    expectNoRaw(await h.tableText(), raws, 'the table');
  });
});
