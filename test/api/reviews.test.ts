/** Reviews and verdict events (docs/reviews.md, docs/events.md) on the real local server: the review route, the review filter, add_to_list, events.jsonl. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListEntry } from '../../shared/api/lists.js';
import type { Verdict } from '../../shared/core/verdict.js';
import type { VerdictEvent } from '../../shared/events/events.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type ErrorAnswerBody, type Operator, operator } from '../helpers/operator.js';

let server: TestServer;
let api: Operator;
beforeAll(async () => {
  server = await startTestServer({
    policy: { velocity: { ip: { review: null, block: null }, mailbox: { review: null, block: null } } },
  });
  api = operator(server.url, server.apiToken);
});
afterAll(() => server.close());

let n = 0;
const fresh = (tag: string) => `rev${++n}.${process.pid}+${tag}@example.com`;
type Page = { items: Verdict[]; next_cursor: string | null };

const events = async (): Promise<VerdictEvent[]> => {
  await server.server.effects.drain();
  const text = await readFile(join(server.dataDir, 'events.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as VerdictEvent);
};

const review = (id: string, body: unknown) =>
  api.request<Verdict & ErrorAnswerBody>('POST', `/verdicts/${id}/review`, body);

describe('POST /verdicts/{id}/review', () => {
  it('approves a pending verdict: it leaves review=pending and a Verdict Reviewed event is appended', async () => {
    const verdict = await api.screen({ email: fresh('medium'), reference: 'user-42' });
    expect(verdict).toMatchObject({ decision: 'review', review: null, subject_ref: null });
    const pending = await api.request<Page>('GET', '/verdicts?review=pending&limit=100');
    expect(pending.body.items.map((v) => v.verdict_id)).toContain(verdict.verdict_id);

    const reviewed = await review(verdict.verdict_id, { outcome: 'approve', note: 'known customer' });
    expect(reviewed.status).toBe(200);
    expect(reviewed.body.review).toEqual({
      outcome: 'approve',
      note: 'known customer',
      reviewed_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      reviewed_by: 'local',
    });
    expect({ ...reviewed.body, review: null }).toEqual(verdict);
    expect((await api.request<Verdict>('GET', `/verdicts/${verdict.verdict_id}`)).body.review?.outcome).toBe(
      'approve',
    );

    const after = await api.request<Page>('GET', '/verdicts?review=pending&limit=100');
    expect(after.body.items.map((v) => v.verdict_id)).not.toContain(verdict.verdict_id);
    const approved = await api.request<Page>('GET', '/verdicts?review=approved&limit=100');
    expect(approved.body.items.map((v) => v.verdict_id)).toContain(verdict.verdict_id);

    const mine = (await events()).filter((e) => e.detail.verdict_id === verdict.verdict_id);
    expect(mine.map((e) => e['detail-type'])).toEqual(['Verdict Created', 'Verdict Reviewed']);
    expect(mine[1]).toMatchObject({
      source: 'signup-gate',
      id: `${verdict.verdict_id}:reviewed:${reviewed.body.review!.reviewed_at}`,
      time: reviewed.body.review!.reviewed_at,
      detail: reviewed.body,
    });
  });

  it('replaces an earlier review; any decision can be reviewed', async () => {
    const allow = await api.screen({ email: fresh('low') });
    await review(allow.verdict_id, { outcome: 'approve' });
    const second = await review(allow.verdict_id, { outcome: 'reject', note: 'chargeback later' });
    expect(second.body.review).toMatchObject({ outcome: 'reject', note: 'chargeback later' });
    const rejected = await api.request<Page>('GET', '/verdicts?review=rejected&limit=100');
    expect(rejected.body.items.map((v) => v.verdict_id)).toContain(allow.verdict_id);
    const approved = await api.request<Page>('GET', '/verdicts?review=approved&limit=100');
    expect(approved.body.items.map((v) => v.verdict_id)).not.toContain(allow.verdict_id);
  });

  it('with add_to_list, blocks the email and phone on reject, from the stored hashes', async () => {
    const email = fresh('medium');
    const phone = '+33600000001';
    const verdict = await api.screen({ email, phone });
    await review(verdict.verdict_id, { outcome: 'reject', add_to_list: true });
    const entries = await api.request<{ items: ListEntry[] }>('GET', '/lists?action=block&limit=100');
    const created = entries.body.items.filter((e) => e.note?.includes(verdict.verdict_id));
    expect(created.map((e) => e.kind).sort()).toEqual(['email', 'phone']);
    expect(created.find((e) => e.kind === 'email')?.masked).toBe(verdict.email?.masked);
    server.sandbox.resetStats();
    const again = await api.screen({ email: email.toUpperCase() });
    expect(again.decision).toBe('block');
    expect(again.reasons[0]?.code).toBe('blocklist');
    expect(server.sandbox.stats().requests).toBe(0);
  });

  it('with add_to_list on approve, allows the email from then on', async () => {
    const email = fresh('high');
    const verdict = await api.screen({ email });
    expect(verdict.decision).toBe('block');
    await review(verdict.verdict_id, { outcome: 'approve', add_to_list: true });
    expect((await api.screen({ email })).decision).toBe('allow');
  });

  it.each([
    ['an unknown outcome', { outcome: 'maybe' }, 400],
    ['a missing outcome', { note: 'x' }, 400],
    ['a note over 500 characters', { outcome: 'approve', note: 'x'.repeat(501) }, 400],
    ['add_to_list as a string', { outcome: 'approve', add_to_list: 'yes' }, 400],
    ['an unknown field', { outcome: 'approve', colour: 'red' }, 400],
  ])('refuses %s', async (_name, body, status) => {
    const verdict = await api.screen({ email: fresh('low') });
    const res = await review(verdict.verdict_id, body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe('invalid_request');
    expect((await api.request<Verdict>('GET', `/verdicts/${verdict.verdict_id}`)).body.review).toBeNull();
  });

  it('answers 404 for an unknown or malformed id, 405 for GET, 401 without a token', async () => {
    expect((await review('01JDX3K8Y0Q5W6Z8N2M4P6R8T0', { outcome: 'approve' })).status).toBe(404);
    expect((await review('nope', { outcome: 'approve' })).status).toBe(404);
    const get = await api.request('GET', '/verdicts/01JDX3K8Y0Q5W6Z8N2M4P6R8T0/review');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const anonymous = await fetch(`${server.url}/verdicts/01JDX3K8Y0Q5W6Z8N2M4P6R8T0/review`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"outcome":"approve"}',
    });
    expect(anonymous.status).toBe(401);
    expect((await api.request('GET', '/verdicts?review=maybe')).status).toBe(400);
  });
});

describe('verdict events', () => {
  it('appends Verdict Created only for the decisions in events.publish (review and block by default)', async () => {
    const allow = await api.screen({ email: fresh('low') });
    const block = await api.screen({ email: fresh('high') });
    const all = await events();
    expect(all.some((e) => e.detail.verdict_id === allow.verdict_id)).toBe(false);
    const created = all.find((e) => e.detail.verdict_id === block.verdict_id);
    expect(created).toEqual({
      id: `${block.verdict_id}:created`,
      time: block.created_at,
      'detail-type': 'Verdict Created',
      source: 'signup-gate',
      detail: block,
    });
  });

  it('never writes a raw email or phone into events.jsonl', async () => {
    const email = fresh('high');
    await api.screen({ email, phone: '+33600000004' });
    await events();
    const text = await readFile(join(server.dataDir, 'events.jsonl'), 'utf8');
    expect(text).not.toContain(email);
    expect(text).not.toContain(email.split('@')[0]);
    expect(text).not.toContain('33600000004');
  });
});
