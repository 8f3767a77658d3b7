/**
 * `POST /hooks/okta` on the real local server (docs/okta.md): Okta's documented registration request, the real
 * verifier against the generated `OKTA_HOOK_SECRET`, the sandbox as Defastra, verdicts read back through the
 * operator API, the table and every log line scanned for raw identifiers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveForSource } from '../../shared/policy/decide.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';
import { expectNoRaw, type HookServer, NO_VELOCITY, startHookServer } from '../helpers/hook-server.js';

const PATH = '/hooks/okta';
const USER_MESSAGE = 'Registrations like this one are not accepted here.';
/** Okta waits 3 s; the suite's budget keeps slow-Defastra cases short. */
const BUDGET_MS = 800;

const registration = (email: string, extra: { phone?: string; ip?: string } = {}): Doc => {
  const doc = readFixture<Doc>('okta/registration-self-service.json');
  doc.eventId = `okta_${randomUUID().replace(/-/g, '')}`;
  doc.data.userProfile = { ...doc.data.userProfile, email, login: email };
  if (extra.phone) doc.data.userProfile.mobilePhone = extra.phone;
  if (extra.ip) doc.data.context.request.ipAddress = extra.ip;
  return doc;
};

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
const json = async (response: Response): Promise<any> => JSON.parse(await response.text());

const ALLOW = { commands: [{ type: 'com.okta.action.update', value: { registration: 'ALLOW' } }] };
const deny = (message: string) => ({
  commands: [{ type: 'com.okta.action.update', value: { registration: 'DENY' } }],
  error: {
    errorSummary: message,
    errorCauses: [
      {
        errorSummary: message,
        reason: 'SIGNUP_GATE',
        locationType: 'body',
        location: 'data.userProfile.email',
        domain: 'end-user',
      },
    ],
  },
});

let h: HookServer;
beforeAll(async () => {
  h = await startHookServer({
    hook: 'okta',
    policy: { cache_hours: 0, user_message: USER_MESSAGE, budget_ms: { okta: BUDGET_MS }, ...NO_VELOCITY },
  });
});
afterAll(() => h.close());
afterEach(() => h.server.sandbox.clearFaults());

const headers = (secret = h.secrets[0]!) => ({ 'Content-Type': 'application/json', Authorization: secret });
const send = (doc: Doc | string, head: Record<string, string> = headers()) =>
  h.post(PATH, typeof doc === 'string' ? doc : JSON.stringify(doc), head);

describe('POST /hooks/okta: verdicts in Okta format (always 200)', () => {
  it('allow → ALLOW, the verdict stored with eventId as source_ref and no subject', async () => {
    const doc = registration('okta.low+low@example.com');
    const response = await send(doc);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json(response)).toEqual(ALLOW);
    expect(await h.verdictBy('okta', doc.eventId)).toMatchObject({
      source: 'okta',
      source_ref: doc.eventId,
      subject_ref: null,
      decision: 'allow',
      action: 'allow',
      degraded: false,
    });
  });

  it('review → ALLOW (the verdict waits in the review queue)', async () => {
    const doc = registration('okta.review+medium@example.com');
    expect(await json(await send(doc))).toEqual(ALLOW);
    expect((await h.verdictBy('okta', doc.eventId))?.decision).toBe('review');
  });

  it("block → DENY with the policy's user_message under the email field", async () => {
    const doc = registration('okta.block+high@example.com');
    const response = await send(doc);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual(deny(USER_MESSAGE));
    expect((await h.verdictBy('okta', doc.eventId))?.decision).toBe('block');
  });

  it("Okta's documented request as is is screened", async () => {
    const response = await send(readFixture<Doc>('okta/registration-self-service.json'));
    expect(response.status).toBe(200);
    expect(await h.verdictBy('okta', '04Dmt8BcT_aEgM')).toBeDefined();
  });

  it('answers after the verdict action, not its decision (a monitored block is ALLOW)', async () => {
    // Monitor mode comes with runtime policies; a verdict of that shape is stored as if screened under one.
    const doc = registration('okta.monitored+high@example.com');
    const body = JSON.stringify(doc);
    await h.seedScreened({ source: 'okta', key: doc.eventId, body, decision: 'block', action: 'allow' });
    const calls = h.server.sandbox.stats().requests;
    expect(await json(await send(body))).toEqual(ALLOW);
    expect(h.server.sandbox.stats().requests).toBe(calls);
  });
});

describe('POST /hooks/okta: the Authorization header (401)', () => {
  it.each([
    ['no Authorization header', { 'Content-Type': 'application/json' }],
    ['another value', { 'Content-Type': 'application/json', Authorization: 'not-the-secret' }],
    ['the secret as a bearer token', { 'Content-Type': 'application/json', Authorization: 'Bearer x' }],
  ])('refuses %s before any Defastra call, in our error shape', async (_case, head) => {
    const calls = h.server.sandbox.stats().requests;
    const response = await send(registration('okta.refused+low@example.com'), head);
    expect(response.status).toBe(401);
    expect(await json(response)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(h.server.sandbox.stats().requests).toBe(calls);
  });
});

describe('POST /hooks/okta: once per eventId', () => {
  it('Okta retrying the same call gets the same answer, with one Defastra call and one verdict', async () => {
    const doc = registration('okta.retry+high@example.com');
    const calls = h.server.sandbox.stats().byEndpoint.email;
    const first = await json(await send(doc));
    const second = await json(await send(doc));
    expect(second).toEqual(first);
    expect(first).toEqual(deny(USER_MESSAGE));
    expect(h.server.sandbox.stats().byEndpoint.email - calls).toBe(1);
    expect((await h.verdicts('okta')).filter((v) => v.source_ref === doc.eventId)).toHaveLength(1);
  });

  it('the same eventId with another body → 422 idempotency_key_reused', async () => {
    const doc = registration('okta.reused+low@example.com');
    expect((await send(doc)).status).toBe(200);
    doc.data.userProfile.email = 'okta.other+low@example.com';
    const response = await send(doc);
    expect(response.status).toBe(422);
    expect((await json(response)).error.code).toBe('idempotency_key_reused');
  });

  it('a retry while the first call is still screened answers on_error.okta at once (Okta denies on errors)', async () => {
    h.server.sandbox.setFaults({ latencyMs: BUDGET_MS - 200 });
    const doc = registration('okta.concurrent+high@example.com');
    const before = h.server.sandbox.stats().requests;
    const first = send(doc);
    while (h.server.sandbox.stats().requests === before) await new Promise((r) => setTimeout(r, 5));
    const second = await send(doc);
    expect(second.status).toBe(200);
    expect(await json(second)).toEqual(ALLOW); // on_error.okta defaults to allow
    expect(await json(await first)).toEqual(deny(USER_MESSAGE));
    expect(h.lines.some((line) => line.includes('okta screening failed; on_error.okta answers'))).toBe(true);
  });
});

describe('POST /hooks/okta: inside Okta 3 s', () => {
  it('the default budget_ms.okta leaves Okta time to read the answer', () => {
    expect(resolveForSource(parsePolicy({}), 'okta').budget_ms.okta).toBeLessThan(3_000);
    expect(resolveForSource(parsePolicy({}), 'okta').on_error.okta).toBe('allow');
  });

  it('Defastra slower than the budget: on_error.okta answers (ALLOW), the verdict degraded', async () => {
    h.server.sandbox.setFaults({ latencyMs: 5_000 });
    const doc = registration('okta.slow+high@example.com');
    const response = await send(doc);
    expect(await json(response)).toEqual(ALLOW);
    const verdict = await h.verdictBy('okta', doc.eventId);
    expect(verdict).toMatchObject({ decision: 'allow', degraded: true });
    expect(verdict?.email?.error?.type).toBe('TIMEOUT');
  });
});

describe('POST /hooks/okta: contract order and no raw identifiers', () => {
  it('405 with Allow: POST, 415 after a good Authorization and 401 before, 400 naming the field', async () => {
    const wrong = await h.request(PATH, { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const body = JSON.stringify(registration('okta.order+low@example.com'));
    expect((await h.post(PATH, body, { ...headers(), 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await h.post(PATH, body, { 'Content-Type': 'text/plain' })).status).toBe(401);
    const other = registration('okta.order+low@example.com');
    other.eventType = 'com.okta.import.transform';
    const invalid = await send(other);
    expect(invalid.status).toBe(400);
    expect((await json(invalid)).error.message).toContain('eventType');
    expect((await send('{"eventId":')).status).toBe(400);
  });

  it('keeps the email, phone and IP out of answers, logs and the table', async () => {
    const email = 'Okta.Private+high@Example.com';
    const phone = '+33 6 00 00 00 03';
    const ip = '198.51.100.61';
    const doc = registration(email, { phone, ip });
    const answer = await (await send(doc)).text();
    const raws = [email, 'okta.private+high@example.com', phone, '+33600000003', ip];
    expectNoRaw(answer, raws, 'the answer');
    expectNoRaw(h.lines.join('\n'), raws, 'the logs');
    expectNoRaw(await h.tableText(), raws, 'the table');
    expect(h.lines.some((line) => line.includes('"message":"verdict"'))).toBe(true);
  });
});
