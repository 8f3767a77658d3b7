/**
 * `POST /hooks/clerk` on the real local server (docs/clerk.md): Clerk's `user.created`, delivered as Svix delivers it
 * (`svix-id`, `svix-timestamp`, `svix-signature`, signed by the `standardwebhooks` library with the generated
 * `CLERK_WEBHOOK_SECRET`), deduplicated by `svix-id`; verdicts read back through the operator API, the table and the
 * logs scanned. The verdict keeps the Clerk user id as `subject_ref`: enforcement bans that user.
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveForSource } from '../../shared/policy/decide.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';
import { expectNoRaw, type HookServer, NO_VELOCITY, startHookServer } from '../helpers/hook-server.js';

const PATH = '/hooks/clerk';
const BUDGET_MS = 800;

/** A `user.created` of a new user (fresh ids) with a primary email, and a phone when given. */
const userCreated = (email: string, extra: { phone?: string; ip?: string } = {}): Doc => {
  const doc = readFixture<Doc>('clerk/user-created.json');
  const suffix = randomUUID().replace(/-/g, '').slice(0, 20);
  doc.data.id = `user_${suffix}`;
  doc.data.email_addresses[0].email_address = email;
  if (extra.phone) {
    doc.data.phone_numbers = [
      { id: `idn_phone_${suffix}`, phone_number: extra.phone, object: 'phone_number' },
    ];
    doc.data.primary_phone_number_id = `idn_phone_${suffix}`;
  }
  if (extra.ip) doc.event_attributes = { http_request: { client_ip: extra.ip, user_agent: 'Mozilla/5.0' } };
  return doc;
};

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
const json = async (response: Response): Promise<any> => JSON.parse(await response.text());
const nowSec = () => Math.floor(Date.now() / 1000);
const newSvixId = () => `msg_${randomUUID().replace(/-/g, '').slice(0, 27)}`;

let h: HookServer;
beforeAll(async () => {
  h = await startHookServer({
    hook: 'clerk',
    policy: { cache_hours: 0, budget_ms: { clerk: BUDGET_MS }, ...NO_VELOCITY },
  });
});
afterAll(() => h.close());
afterEach(() => h.server.sandbox.clearFaults());

/** Svix's headers for `body`, every secret signing (space-separated `v1,` signatures). */
const svix = (body: string, id = newSvixId(), secrets = h.secrets, t = nowSec()) => ({
  'Content-Type': 'application/json',
  'svix-id': id,
  'svix-timestamp': String(t),
  'svix-signature': secrets.map((secret) => new Webhook(secret).sign(id, new Date(t * 1000), body)).join(' '),
});
const deliver = (doc: Doc | string, id = newSvixId()) => {
  const body = typeof doc === 'string' ? doc : JSON.stringify(doc);
  return { id, response: h.post(PATH, body, svix(body, id)) };
};

describe('POST /hooks/clerk: user.created', () => {
  it.each([
    ['low', 'allow'],
    ['medium', 'review'],
    ['high', 'block'],
  ])(
    'a %s-risk user → 200 the %s verdict: svix-id as source_ref, the user id as subject_ref',
    async (level, decision) => {
      const doc = userCreated(`clerk.${level}+${level}@example.com`);
      const { id, response } = deliver(doc);
      const answer = await json(await response);
      expect(answer).toMatchObject({
        source: 'clerk',
        source_ref: id,
        subject_ref: doc.data.id,
        decision,
        action: decision,
        degraded: false,
      });
      expect(await h.verdictBy('clerk', id)).toMatchObject({
        verdict_id: answer.verdict_id,
        subject_ref: doc.data.id,
      });
    },
  );

  it('screens the primary phone and the client IP when Clerk sends them', async () => {
    const doc = userCreated('clerk.phone+low@example.com', { phone: '+33600000004', ip: '198.51.100.70' });
    const answer = await json(await deliver(doc).response);
    expect(answer.phone).toMatchObject({ risk_level: 'extreme' });
    expect(answer.decision).toBe('block');
  });

  it("Clerk's documented event as is is screened", async () => {
    const { response } = deliver(readFixture<Doc>('clerk/user-created.json'));
    expect((await json(await response)).subject_ref).toBe('user_29w83sxmDNGwOuEthce5gg56FcC');
  });

  it('another event type → 200 {"ignored":true,"event_id":<svix-id>,...}, no Defastra call, no verdict', async () => {
    const doc = userCreated('clerk.ignored+low@example.com');
    doc.type = 'user.updated';
    const calls = h.server.sandbox.stats().requests;
    const { id, response } = deliver(doc);
    expect(await json(await response)).toEqual({ ignored: true, event_id: id, event_type: 'user.updated' });
    expect(h.server.sandbox.stats().requests).toBe(calls);
    expect(await h.verdictBy('clerk', id)).toBeUndefined();
  });
});

describe('POST /hooks/clerk: the Svix signature (401)', () => {
  const body = JSON.stringify(userCreated('clerk.refused+low@example.com'));
  it.each([
    ['no svix headers', () => ({ 'Content-Type': 'application/json' })],
    ['another secret', () => svix(body, newSvixId(), ['whsec_b3RoZXItY2xlcmstc2VjcmV0LTAxMjM0NTY3ODlhYg=='])],
    ['a timestamp 301 s old', () => svix(body, newSvixId(), h.secrets, nowSec() - 301)],
    [
      'the signature under webhook-* names',
      () => {
        const { 'svix-id': id, 'svix-timestamp': t, 'svix-signature': s } = svix(body);
        return {
          'Content-Type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': t,
          'webhook-signature': s,
        };
      },
    ],
  ])('refuses %s before any Defastra call', async (_case, head) => {
    const calls = h.server.sandbox.stats().requests;
    const response = await h.post(PATH, body, head());
    expect(response.status).toBe(401);
    expect(await json(response)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(h.server.sandbox.stats().requests).toBe(calls);
  });
});

describe('POST /hooks/clerk: once per svix-id', () => {
  it('Svix retrying a delivery (same svix-id and body, signed anew) → the same verdict, one Defastra call', async () => {
    const doc = userCreated('clerk.retry+high@example.com');
    const body = JSON.stringify(doc);
    const id = newSvixId();
    const calls = h.server.sandbox.stats().byEndpoint.email;
    const first = await json(await h.post(PATH, body, svix(body, id)));
    const again = await json(await h.post(PATH, body, svix(body, id, h.secrets, nowSec() + 1)));
    expect(again).toEqual(first);
    expect(h.server.sandbox.stats().byEndpoint.email - calls).toBe(1);
    expect((await h.verdicts('clerk')).filter((v) => v.source_ref === id)).toHaveLength(1);
  });

  it('the same svix-id with another body → 422 idempotency_key_reused', async () => {
    const id = newSvixId();
    expect((await deliver(userCreated('clerk.reused+low@example.com'), id).response).status).toBe(200);
    const response = await deliver(userCreated('clerk.other+low@example.com'), id).response;
    expect(response.status).toBe(422);
    expect((await json(response)).error.code).toBe('idempotency_key_reused');
  });

  it('a retry while the first is still screened → 409 in_progress (Svix retries later)', async () => {
    h.server.sandbox.setFaults({ latencyMs: BUDGET_MS - 200 });
    const body = JSON.stringify(userCreated('clerk.concurrent+medium@example.com'));
    const id = newSvixId();
    const before = h.server.sandbox.stats().requests;
    const first = h.post(PATH, body, svix(body, id));
    while (h.server.sandbox.stats().requests === before) await new Promise((r) => setTimeout(r, 5));
    const second = await h.post(PATH, body, svix(body, id));
    expect(second.status).toBe(409);
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await first).status).toBe(200);
  });
});

describe('POST /hooks/clerk: time', () => {
  it('the default budget is 10 s with on_error.clerk review', () => {
    const policy = resolveForSource(parsePolicy({}), 'clerk');
    expect(policy.budget_ms.clerk).toBe(10_000);
    expect(policy.on_error.clerk).toBe('review');
  });

  it('Defastra slower than the budget: on_error.clerk decides (review), degraded, 200', async () => {
    h.server.sandbox.setFaults({ latencyMs: 5_000 });
    const { id, response } = deliver(userCreated('clerk.slow+high@example.com'));
    expect(await json(await response)).toMatchObject({ source_ref: id, decision: 'review', degraded: true });
  });
});

describe('POST /hooks/clerk: contract order and no raw identifiers', () => {
  it('405, 415 after a good signature and 401 before, 400 naming the field', async () => {
    const wrong = await h.request(PATH, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const body = JSON.stringify(userCreated('clerk.order+low@example.com'));
    expect((await h.post(PATH, body, { ...svix(body), 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await h.post(PATH, body, { 'Content-Type': 'text/plain' })).status).toBe(401);
    const invalid = await deliver({ type: 'user.created', data: { email_addresses: 'x' } }).response;
    expect(invalid.status).toBe(400);
    expect((await json(invalid)).error.message).toContain('email_addresses');
  });

  it('keeps the email, phone and IP out of answers, logs and the table', async () => {
    const email = 'Clerk.Private+high@Example.com';
    const phone = '+33600000003';
    const ip = '198.51.100.71';
    const answer = await (await deliver(userCreated(email, { phone, ip })).response).text();
    const raws = [email, phone, ip];
    expectNoRaw(answer, raws, 'the answer');
    expectNoRaw(h.lines.join('\n'), raws, 'the logs');
    expectNoRaw(await h.tableText(), raws, 'the table');
  });
});
