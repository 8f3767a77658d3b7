/** Runtime allow and block lists (docs/lists.md) on the real local server: routes, validation, and their effect on screening. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ListEntry } from '../../shared/api/lists.js';
import { SANDBOX_IDENTITIES as ID } from '../../shared/defastra/sandbox/identities.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type ErrorAnswerBody, type Operator, operator } from '../helpers/operator.js';

let server: TestServer;
let api: Operator;
beforeAll(async () => {
  // Velocity off: these tests screen many addresses of few domains on purpose.
  server = await startTestServer({
    policy: { velocity: { ip: { review: null, block: null }, mailbox: { review: null, block: null } } },
  });
  api = operator(server.url, server.apiToken);
});
afterAll(() => server.close());
afterEach(() => {
  server.sandbox.clearFaults();
  server.sandbox.resetStats();
});

let n = 0;
const fresh = (tag = 'low', domain = 'example.com') => `lists${++n}.${process.pid}+${tag}@${domain}`;
const add = (body: Record<string, unknown>) =>
  api.request<ListEntry & ErrorAnswerBody>('POST', '/lists', body);

describe('POST /lists', () => {
  it('blocks an email at once with no Defastra call; deleting the entry screens it again', async () => {
    const email = fresh('low');
    const created = await add({
      kind: 'email',
      value: ` ${email.toUpperCase()} `,
      action: 'block',
      note: 'chargeback',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'email',
      action: 'block',
      note: 'chargeback',
      created_by: 'local',
      expires_at: null,
      masked: expect.stringMatching(/^l\*\*\*@example\.com$/),
    });
    expect(JSON.stringify(created.body)).not.toContain(email.split('@')[0]);

    server.sandbox.resetStats();
    const blocked = await api.screen({ email });
    expect(blocked.decision).toBe('block');
    expect(blocked.reasons).toEqual([
      {
        code: 'blocklist',
        message: `the email is on the block list (runtime entry ${created.body.entry_id})`,
      },
    ]);
    expect(blocked.email).toEqual({ masked: created.body.masked, listed: 'block' });
    expect(server.sandbox.stats().requests).toBe(0);

    expect((await api.request('DELETE', `/lists/${created.body.entry_id}`)).status).toBe(204);
    const again = await api.screen({ email });
    expect(again.decision).toBe('allow');
    expect(again.email?.risk_level).toBe('low');
    expect(server.sandbox.stats().requests).toBe(1);
  });

  it('answers 200 with the existing entry for the same kind, value and action', async () => {
    const email = fresh();
    const first = await add({ kind: 'email', value: email, action: 'allow' });
    const second = await add({ kind: 'email', value: email.toUpperCase(), action: 'allow', note: 'again' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const block = await add({ kind: 'email', value: email, action: 'block' });
    expect(block.status).toBe(201);
  });

  it('matches an email domain and its subdomains, and allow wins over block', async () => {
    const domain = `shop${process.pid}.example`;
    const blockDomain = await add({
      kind: 'email_domain',
      value: `@${domain.toUpperCase()}`,
      action: 'block',
    });
    expect(blockDomain.body.masked).toBe(domain);
    const sub = await api.screen({ email: fresh('low', `mail.${domain}`) });
    expect(sub.decision).toBe('block');
    expect(sub.reasons[0]?.message).toBe(
      `the email's domain is on the block list (runtime entry ${blockDomain.body.entry_id})`,
    );
    const vip = fresh('high', domain);
    await add({ kind: 'email', value: vip, action: 'allow' });
    server.sandbox.resetStats();
    const allowed = await api.screen({ email: vip });
    expect(allowed.decision).toBe('allow');
    expect(allowed.reasons.map((r) => r.code)).toEqual(['allowlist']);
    expect(server.sandbox.stats().requests).toBe(0);
  });

  it('blocks by phone (normalised) and by client IP (an IPv6 entry covers its /64)', async () => {
    const phone = await add({ kind: 'phone', value: '+33 6 00 00 00 02', action: 'block' });
    expect(phone.body.masked).toBe('+33*******02');
    expect((await api.screen({ phone: '+33600000002' })).decision).toBe('block');

    const ip = await add({ kind: 'ip', value: '2001:db8:aa:bb::1', action: 'block' });
    expect(ip.body.masked).toBe('2001:db8:*:*::/64');
    const fromIp = await api.screen({ email: fresh('low'), ip: '2001:db8:aa:bb:ffff::9' });
    expect(fromIp.decision).toBe('block');
    expect(fromIp.reasons[0]?.message).toBe(
      `the client IP is on the block list (runtime entry ${ip.body.entry_id})`,
    );
    expect((await api.screen({ email: fresh('low'), ip: '2001:db8:aa:cc::1' })).decision).toBe('allow');
  });

  it('stops applying an entry once it expires', async () => {
    const email = fresh();
    const expires = new Date(Date.now() + 1500).toISOString();
    const entry = await add({ kind: 'email', value: email, action: 'block', expires_at: expires });
    expect(entry.body.expires_at).toBe(expires);
    expect((await api.screen({ email })).decision).toBe('block');
    // Expiry has one-second resolution (DynamoDB TTL is in epoch seconds): wait past the second it falls in.
    const past = Math.ceil(Date.parse(expires) / 1000) * 1000 + 50;
    await new Promise((resolve) => setTimeout(resolve, past - Date.now()));
    expect((await api.screen({ email })).decision).toBe('allow');
  });

  it.each([
    ['an unknown kind', { kind: 'name', value: 'x', action: 'block' }, /kind/],
    ['an invalid email', { kind: 'email', value: 'not-an-email', action: 'block' }, /value.*email/],
    ['an invalid phone', { kind: 'phone', value: '0612', action: 'block' }, /value.*phone/],
    ['an invalid IP', { kind: 'ip', value: '300.1.1.1', action: 'block' }, /value.*ip/],
    ['an invalid domain', { kind: 'email_domain', value: 'bad domain', action: 'allow' }, /value/],
    ['an unknown action', { kind: 'email', value: 'a@example.com', action: 'deny' }, /action/],
    [
      'a note over 500 characters',
      { kind: 'email', value: 'a@example.com', action: 'block', note: 'x'.repeat(501) },
      /note/,
    ],
    [
      'a date that is not ISO',
      { kind: 'email', value: 'a@example.com', action: 'block', expires_at: 'tomorrow' },
      /expires_at/,
    ],
    [
      'a date in the past',
      { kind: 'email', value: 'a@example.com', action: 'block', expires_at: '2020-01-01T00:00:00Z' },
      /future/,
    ],
    ['an unknown field', { kind: 'email', value: 'a@example.com', action: 'block', colour: 'red' }, /colour/],
  ])('refuses %s with 400 naming the field, without echoing the value', async (_name, body, message) => {
    const res = await add(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.message).toMatch(message);
    expect(res.body.error.message).not.toContain('a@example.com');
  });

  it('refuses malformed JSON, a wrong media type and a missing token', async () => {
    expect((await api.request('POST', '/lists', '{"kind":')).status).toBe(400);
    const text = await fetch(`${server.url}/lists`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.apiToken}`, 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(text.status).toBe(415);
    const anonymous = await fetch(`${server.url}/lists`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
  });
});

describe('GET /lists and DELETE /lists/{id}', () => {
  it('lists newest first, filters by kind and action, and pages with next_cursor', async () => {
    for (let i = 0; i < 3; i++) await add({ kind: 'ip', value: `198.51.100.${i + 1}`, action: 'allow' });
    const page = await api.request<{ items: ListEntry[]; next_cursor: string | null }>(
      'GET',
      '/lists?kind=ip&action=allow&limit=2',
    );
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items.map((e) => e.masked)).toEqual(['198.51.*.*', '198.51.*.*']);
    expect(page.body.items[0]!.entry_id > page.body.items[1]!.entry_id).toBe(true);
    const next = await api.request<{ items: ListEntry[] }>(
      'GET',
      `/lists?kind=ip&action=allow&limit=2&cursor=${encodeURIComponent(page.body.next_cursor!)}`,
    );
    expect(next.body.items.length).toBeGreaterThanOrEqual(1);
    expect(
      (await api.request('GET', `/lists?kind=email&cursor=${encodeURIComponent(page.body.next_cursor!)}`))
        .status,
    ).toBe(400);
    expect((await api.request('GET', '/lists?kind=name')).status).toBe(400);
    expect((await api.request('GET', '/lists?limit=0')).status).toBe(400);
  });

  it('answers 404 for an unknown or malformed id, and 405 with Allow for other methods', async () => {
    expect((await api.request('DELETE', '/lists/01JDX3K8Y0Q5W6Z8N2M4P6R8T0')).status).toBe(404);
    expect((await api.request('DELETE', '/lists/not-an-id')).status).toBe(404);
    const put = await api.request('PUT', '/lists');
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    const getOne = await api.request('GET', '/lists/01JDX3K8Y0Q5W6Z8N2M4P6R8T0');
    expect(getOne.status).toBe(405);
    expect(getOne.headers.get('allow')).toBe('DELETE');
  });

  it('applies a policy-file domain allow list and a runtime email block together: the block wins', async () => {
    const other = await startTestServer({ policy: { allow: { email_domains: ['trusted.example'] } } });
    try {
      const client = operator(other.url, other.apiToken);
      const email = `ceo${process.pid}@trusted.example`;
      await client.request('POST', '/lists', { kind: 'email', value: email, action: 'block' });
      const verdict = await client.screen({ email, phone: `+${ID.phone.extreme}` });
      expect(verdict.decision).toBe('block');
      expect(verdict.reasons.map((r) => r.code)).toEqual(['blocklist']);
      const colleague = await client.screen({ email: `cto${process.pid}@trusted.example` });
      expect(colleague.decision).toBe('allow');
      expect(colleague.reasons.map((r) => r.code)).toEqual(['allowlist']);
    } finally {
      await other.close();
    }
  });
});
