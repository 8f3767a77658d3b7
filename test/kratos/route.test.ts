/**
 * `POST /hooks/kratos` on the real local server (docs/kratos.md): the body our Jsonnet template renders, the real
 * verifier against the generated `KRATOS_HOOK_SECRET` (Kratos' `api_key` auth: `Authorization: Bearer <secret>`), the
 * sandbox as Defastra, verdicts read back through the operator API, the table and every log line scanned.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KRATOS_MESSAGE_ID } from '../../functions/kratos-hook/answer.js';
import { resolveForSource } from '../../shared/policy/decide.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';
import { expectNoRaw, type HookServer, NO_VELOCITY, startHookServer } from '../helpers/hook-server.js';

const PATH = '/hooks/kratos';
const USER_MESSAGE = 'This address cannot be used to register.';
const BUDGET_MS = 800;

const hookBody = (email: string, extra: { phone?: string; ip?: string; id?: string } = {}): Doc => {
  const doc = readFixture<Doc>('kratos/signup-gate-body.json');
  doc.flow_id = randomUUID();
  doc.identity.traits = { email, ...(extra.phone ? { phone: extra.phone } : {}) };
  if (extra.ip) doc.ip = extra.ip;
  if (extra.id) doc.identity.id = extra.id;
  return doc;
};

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
const json = async (response: Response): Promise<any> => JSON.parse(await response.text());

const interrupted = (message: string) => ({
  messages: [
    {
      instance_ptr: '#/traits/email',
      messages: [{ id: KRATOS_MESSAGE_ID, text: message, type: 'error' }],
    },
  ],
});

let h: HookServer;
beforeAll(async () => {
  h = await startHookServer({
    hook: 'kratos',
    policy: { cache_hours: 0, user_message: USER_MESSAGE, budget_ms: { kratos: BUDGET_MS }, ...NO_VELOCITY },
  });
});
afterAll(() => h.close());
afterEach(() => h.server.sandbox.clearFaults());

const headers = (trigger: string | null = randomUUID(), secret = h.secrets[0]!) => ({
  'Content-Type': 'application/json',
  Authorization: `Bearer ${secret}`,
  ...(trigger === null ? {} : { 'Ory-Webhook-Trigger-ID': trigger }),
});
const send = (doc: Doc | string, head: Record<string, string> = headers()) =>
  h.post(PATH, typeof doc === 'string' ? doc : JSON.stringify(doc), head);

describe('POST /hooks/kratos: verdicts in Kratos format', () => {
  it('allow → 200 {}, the verdict stored with flow_id as source_ref', async () => {
    const doc = hookBody('kratos.low+low@example.com');
    const response = await send(doc);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json(response)).toEqual({});
    expect(await h.verdictBy('kratos', doc.flow_id)).toMatchObject({
      source: 'kratos',
      source_ref: doc.flow_id,
      subject_ref: null,
      decision: 'allow',
      degraded: false,
    });
  });

  it('review → 200 {}; a stored identity id is the subject_ref', async () => {
    const id = randomUUID();
    const doc = hookBody('kratos.review+medium@example.com', { id });
    expect(await json(await send(doc))).toEqual({});
    expect(await h.verdictBy('kratos', doc.flow_id)).toMatchObject({ decision: 'review', subject_ref: id });
  });

  it("block → 403 with Kratos' messages: the policy's user_message on the email field", async () => {
    const doc = hookBody('kratos.block+high@example.com');
    const response = await send(doc);
    expect(response.status).toBe(403);
    expect(await json(response)).toEqual(interrupted(USER_MESSAGE));
    expect((await h.verdictBy('kratos', doc.flow_id))?.decision).toBe('block');
  });

  it('the rendered fixture as is is screened', async () => {
    const response = await send(readFixture<Doc>('kratos/signup-gate-body.json'));
    expect(response.status).toBe(200);
    expect(await h.verdictBy('kratos', '9f4ab6a4-3c8e-4b0e-9d3e-1c2b7a6f5e40')).toBeDefined();
  });

  it('answers after the verdict action, not its decision (a monitored block is 200 {})', async () => {
    const doc = hookBody('kratos.monitored+high@example.com');
    const body = JSON.stringify(doc);
    const trigger = randomUUID();
    await h.seedScreened({ source: 'kratos', key: trigger, body, decision: 'block', action: 'allow' });
    const response = await send(body, headers(trigger));
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({});
  });
});

describe('POST /hooks/kratos: the bearer token (401)', () => {
  it.each([
    ['no Authorization header', { 'Content-Type': 'application/json' }],
    ['another token', { 'Content-Type': 'application/json', Authorization: 'Bearer not-the-secret' }],
    ['the secret without Bearer', { 'Content-Type': 'application/json', Authorization: 'x' }],
  ])('refuses %s before any Defastra call', async (_case, head) => {
    const calls = h.server.sandbox.stats().requests;
    const response = await send(hookBody('kratos.refused+low@example.com'), head);
    expect(response.status).toBe(401);
    expect(await json(response)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(h.server.sandbox.stats().requests).toBe(calls);
  });

  it('refuses the raw secret as the header value too', async () => {
    const response = await send(hookBody('kratos.raw+low@example.com'), {
      'Content-Type': 'application/json',
      Authorization: h.secrets[0]!,
    });
    expect(response.status).toBe(401);
  });
});

describe('POST /hooks/kratos: once per hook execution (Ory-Webhook-Trigger-ID)', () => {
  it('Kratos retrying one execution gets the same answer, one Defastra call, one verdict', async () => {
    const doc = hookBody('kratos.retry+high@example.com');
    const head = headers();
    const calls = h.server.sandbox.stats().byEndpoint.email;
    const first = await send(doc, head);
    const second = await send(doc, head);
    expect(first.status).toBe(403);
    expect(second.status).toBe(403);
    expect(await json(second)).toEqual(await json(first));
    expect(h.server.sandbox.stats().byEndpoint.email - calls).toBe(1);
    expect((await h.verdicts('kratos')).filter((v) => v.source_ref === doc.flow_id)).toHaveLength(1);
  });

  it('the same flow submitted again (a new execution) is screened again', async () => {
    const doc = hookBody('kratos.again+low@example.com');
    expect((await send(doc)).status).toBe(200);
    doc.identity.traits.email = 'kratos.again+high@example.com';
    expect((await send(doc)).status).toBe(403);
    expect((await h.verdicts('kratos')).filter((v) => v.source_ref === doc.flow_id)).toHaveLength(2);
  });

  it('without a trigger id every call is screened', async () => {
    const doc = hookBody('kratos.untracked+low@example.com');
    const calls = h.server.sandbox.stats().byEndpoint.email;
    expect((await send(doc, headers(null))).status).toBe(200);
    expect((await send(doc, headers(null))).status).toBe(200);
    expect(h.server.sandbox.stats().byEndpoint.email - calls).toBe(2);
  });

  it('the same trigger id with another body → 422 idempotency_key_reused', async () => {
    const trigger = randomUUID();
    expect((await send(hookBody('kratos.reused+low@example.com'), headers(trigger))).status).toBe(200);
    const response = await send(hookBody('kratos.other+low@example.com'), headers(trigger));
    expect(response.status).toBe(422);
    expect((await json(response)).error.code).toBe('idempotency_key_reused');
  });

  it('a retry while the first is still screened answers on_error.kratos at once (200 {})', async () => {
    h.server.sandbox.setFaults({ latencyMs: BUDGET_MS - 200 });
    const doc = hookBody('kratos.concurrent+high@example.com');
    const head = headers();
    const before = h.server.sandbox.stats().requests;
    const first = send(doc, head);
    while (h.server.sandbox.stats().requests === before) await new Promise((r) => setTimeout(r, 5));
    const second = await send(doc, head);
    expect(second.status).toBe(200);
    expect(await json(second)).toEqual({});
    expect((await first).status).toBe(403);
  });
});

describe('POST /hooks/kratos: time', () => {
  it('the default budget_ms.kratos is 4 s and on_error.kratos allow', () => {
    const policy = resolveForSource(parsePolicy({}), 'kratos');
    expect(policy.budget_ms.kratos).toBe(4_000);
    expect(policy.on_error.kratos).toBe('allow');
  });

  it('Defastra slower than the budget: on_error.kratos answers (200 {}), the verdict degraded', async () => {
    h.server.sandbox.setFaults({ latencyMs: 5_000 });
    const doc = hookBody('kratos.slow+high@example.com');
    const response = await send(doc);
    expect(response.status).toBe(200);
    const verdict = await h.verdictBy('kratos', doc.flow_id);
    expect(verdict).toMatchObject({ decision: 'allow', degraded: true });
    expect(verdict?.email?.error?.type).toBe('TIMEOUT');
  });
});

describe('POST /hooks/kratos: contract order and no raw identifiers', () => {
  it('405, 415 after a good token and 401 before, 400 naming the field', async () => {
    const wrong = await h.request(PATH, { method: 'PUT' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const body = JSON.stringify(hookBody('kratos.order+low@example.com'));
    expect((await h.post(PATH, body, { ...headers(), 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await h.post(PATH, body, { 'Content-Type': 'text/plain' })).status).toBe(401);
    const invalid = await send({ identity: { traits: { email: 'kratos.order+low@example.com' } } });
    expect(invalid.status).toBe(400);
    expect((await json(invalid)).error.message).toContain('flow_id');
  });

  it('keeps the email, phone and IP out of answers, logs and the table', async () => {
    const email = 'Kratos.Private+high@Example.com';
    const phone = '+33 6 00 00 00 03';
    const ip = '198.51.100.62';
    const answer = await (await send(hookBody(email, { phone, ip }))).text();
    const raws = [email, phone, '+33600000003', ip];
    expectNoRaw(answer, raws, 'the answer');
    expectNoRaw(h.lines.join('\n'), raws, 'the logs');
    expectNoRaw(await h.tableText(), raws, 'the table');
  });
});
