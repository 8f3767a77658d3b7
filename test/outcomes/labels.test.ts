/**
 * Outcome labels on the real local server (docs/outcomes.md): one verdict by id, every verdict of an email, a phone,
 * a subject_ref or a source_ref (`POST /outcomes`), reviews counted as labels unless an outcome says otherwise, the
 * `Verdict Labelled` event, and `GET /quality` following all of it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelledAnswer, QualityAnswer } from '../../shared/api/outcomes.js';
import type { Verdict } from '../../shared/core/verdict.js';
import type { VerdictEvent } from '../../shared/events/events.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type ErrorAnswerBody, type Operator, operator } from '../helpers/operator.js';
import { customerCreated, customerId, sign } from '../stripe/fixtures/events.js';

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
const fresh = (tag: 'low' | 'medium' | 'high') => `out${++n}.${process.pid}+${tag}@example.com`;
/** A phone never used before whose last four digits pick a low risk. */
const freshPhone = () =>
  `+3361${String(++n).padStart(4, '0')}${String(process.pid % 1000).padStart(3, '0')}0001`;

const label = (id: string, body: unknown) =>
  api.request<Verdict & ErrorAnswerBody>('POST', `/verdicts/${id}/outcome`, body);
const labelAll = (body: unknown) => api.request<LabelledAnswer & ErrorAnswerBody>('POST', '/outcomes', body);
const get = async (id: string) => (await api.request<Verdict>('GET', `/verdicts/${id}`)).body;
/** GET /quality once the change feed has added the counters of the verdicts stored so far (off the request path). */
const quality = async (query = '') => {
  await server.server.effects.drain();
  return (await api.request<QualityAnswer>('GET', `/quality${query}`)).body;
};

const events = async (): Promise<VerdictEvent[]> => {
  await server.server.effects.drain();
  const text = await readFile(join(server.dataDir, 'events.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as VerdictEvent);
};

describe('POST /verdicts/{id}/outcome', () => {
  it('labels a verdict (source manual, by local), a later label replaces it, and each is a Verdict Labelled event', async () => {
    const verdict = await api.screen({ email: fresh('low') });
    const first = await label(verdict.verdict_id, { label: 'fraud', note: 'chargeback in January' });
    expect(first.status).toBe(200);
    expect(first.body.outcome).toEqual({
      label: 'fraud',
      source: 'manual',
      note: 'chargeback in January',
      labelled_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      labelled_by: 'local',
    });
    expect({ ...first.body, outcome: null }).toEqual(verdict);
    expect((await get(verdict.verdict_id)).outcome).toEqual(first.body.outcome);

    const second = await label(verdict.verdict_id, { label: 'legit' });
    expect(second.body.outcome).toMatchObject({ label: 'legit', note: null, source: 'manual' });
    expect((await get(verdict.verdict_id)).outcome?.label).toBe('legit');

    const mine = (await events()).filter(
      (e) => e['detail-type'] === 'Verdict Labelled' && e.detail.verdict_id === verdict.verdict_id,
    );
    expect(mine.map((e) => e.detail.outcome?.label)).toEqual(['fraud', 'legit']);
    expect(mine[0]?.id).toBe(`${verdict.verdict_id}:labelled:${first.body.outcome?.labelled_at}`);
  });

  it('answers 404 for an unknown or malformed id, and 400 for a bad label or note', async () => {
    expect((await label('01JDX3K8Y0Q5W6Z8N2M4P6R8T0', { label: 'fraud' })).status).toBe(404);
    expect((await label('not-a-ulid', { label: 'fraud' })).status).toBe(404);
    const verdict = await api.screen({ email: fresh('low') });
    const bad = await label(verdict.verdict_id, { label: 'spam' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('label');
    expect((await label(verdict.verdict_id, { label: 'fraud', note: 'x'.repeat(501) })).status).toBe(400);
    expect((await label(verdict.verdict_id, { label: 'fraud', extra: 1 })).status).toBe(400);
    expect((await get(verdict.verdict_id)).outcome).toBeNull();
  });
});

describe('POST /outcomes', () => {
  it('labels every stored verdict of an email (source api), and no other', async () => {
    const email = fresh('low');
    const a = await api.screen({ email });
    const b = await api.screen({ email: `  ${email.toUpperCase()} ` });
    const other = await api.screen({ email: fresh('low') });
    const answer = await labelAll({ label: 'fraud', email, note: 'account banned for spam' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ labelled: 2 });
    for (const id of [a.verdict_id, b.verdict_id]) {
      expect((await get(id)).outcome).toMatchObject({
        label: 'fraud',
        source: 'api',
        note: 'account banned for spam',
        labelled_by: 'local',
      });
    }
    expect((await get(other.verdict_id)).outcome).toBeNull();
  });

  it('labels by phone, by source_ref (the /screen reference) and by subject_ref (a Stripe customer)', async () => {
    const phone = freshPhone();
    const byPhone = await api.screen({ phone });
    expect((await labelAll({ label: 'legit', phone })).body).toEqual({ labelled: 1 });
    expect((await get(byPhone.verdict_id)).outcome?.label).toBe('legit');

    const reference = `user-${process.pid}-${++n}`;
    const byRef = await api.screen({ email: fresh('low'), reference });
    await api.screen({ email: fresh('low'), reference: `${reference}-other` });
    expect((await labelAll({ label: 'fraud', source_ref: reference })).body).toEqual({ labelled: 1 });
    expect((await get(byRef.verdict_id)).outcome?.label).toBe('fraud');
    // A source_ref is not a subject_ref.
    expect((await labelAll({ label: 'fraud', subject_ref: reference })).body).toEqual({ labelled: 0 });

    const customer = customerId();
    const delivery = sign(customerCreated({ id: customer, email: fresh('low') }), server.stripeWebhookSecret);
    const hooked = await fetch(`${server.url}/hooks/stripe`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': delivery.signature },
      body: delivery.payload,
    });
    const stripeVerdict = (await hooked.json()) as Verdict;
    expect(stripeVerdict.subject_ref).toBe(customer);
    expect((await labelAll({ label: 'fraud', subject_ref: customer })).body).toEqual({ labelled: 1 });
    expect((await get(stripeVerdict.verdict_id)).outcome?.source).toBe('api');
    // The Stripe event id is its source_ref.
    expect((await labelAll({ label: 'legit', source_ref: delivery.event.id })).body).toEqual({ labelled: 1 });
    expect((await get(stripeVerdict.verdict_id)).outcome?.label).toBe('legit');
  });

  it('labels the union of several identifiers, each verdict once; nothing matched is labelled 0', async () => {
    const email = fresh('low');
    const phone = freshPhone();
    await api.screen({ email, phone }); // matches both
    await api.screen({ email });
    await api.screen({ phone });
    expect((await labelAll({ label: 'fraud', email, phone })).body).toEqual({ labelled: 3 });
    expect((await labelAll({ label: 'fraud', email: fresh('low') })).body).toEqual({ labelled: 0 });
  });

  it('labels again without a change (no new event) when the same label is given again', async () => {
    const email = fresh('low');
    const verdict = await api.screen({ email });
    await labelAll({ label: 'fraud', email });
    const before = await get(verdict.verdict_id);
    const count = (await events()).filter((e) => e.detail.verdict_id === verdict.verdict_id).length;
    expect((await labelAll({ label: 'fraud', email })).body).toEqual({ labelled: 1 });
    expect(await get(verdict.verdict_id)).toEqual(before);
    expect((await events()).filter((e) => e.detail.verdict_id === verdict.verdict_id)).toHaveLength(count);
  });

  it('refuses a body without an identifier, with an invalid email or phone, or with a bad label', async () => {
    const none = await labelAll({ label: 'fraud', note: 'who?' });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toContain('at least one of');
    const email = await labelAll({ label: 'fraud', email: 'not an email' });
    expect(email.status).toBe(400);
    expect(email.body.error.message).toBe('body field "email": not a valid email address');
    expect(email.body.error.message).not.toContain('not an email');
    expect((await labelAll({ label: 'fraud', phone: '12' })).status).toBe(400);
    expect((await labelAll({ label: 'maybe', email: fresh('low') })).status).toBe(400);
    expect((await labelAll({ label: 'fraud', source_ref: '' })).status).toBe(400);
  });
});

describe('reviews as labels, and GET /quality', () => {
  it('counts a review as a label unless an outcome says otherwise, and quality follows every change', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const before = await quality(`?since=${since}`);
    const delta = async () => {
      const now = await quality(`?since=${since}`);
      return {
        labelled: now.labelled - before.labelled,
        blockFraud: now.by_decision.block.fraud - before.by_decision.block.fraud,
        blockLegit: now.by_decision.block.legit - before.by_decision.block.legit,
        blocks: now.by_decision.block.total - before.by_decision.block.total,
      };
    };
    const blocked = await api.screen({ email: fresh('high') });
    expect(blocked.decision).toBe('block');
    expect(await delta()).toEqual({ labelled: 0, blockFraud: 0, blockLegit: 0, blocks: 1 });

    await api.request('POST', `/verdicts/${blocked.verdict_id}/review`, { outcome: 'reject' });
    expect(await delta()).toEqual({ labelled: 1, blockFraud: 1, blockLegit: 0, blocks: 1 });

    await label(blocked.verdict_id, { label: 'legit', note: 'a real customer after all' });
    expect(await delta()).toEqual({ labelled: 1, blockFraud: 0, blockLegit: 1, blocks: 1 });

    // The outcome decides now: another review moves nothing.
    await api.request('POST', `/verdicts/${blocked.verdict_id}/review`, { outcome: 'reject' });
    expect(await delta()).toEqual({ labelled: 1, blockFraud: 0, blockLegit: 1, blocks: 1 });
    expect((await get(blocked.verdict_id)).outcome?.label).toBe('legit');
  });

  it('answers null shares for a range with nothing labelled, and 400 for a bad range or bucket', async () => {
    const empty = await quality('?since=2020-01-01&until=2020-01-02');
    expect(empty).toMatchObject({ labelled: 0, fraud_caught: null, legit_blocked: null, by_source: {} });
    const weekly = await quality('?since=2020-01-01&until=2020-01-20&bucket=week');
    expect(weekly.buckets?.map((b) => b.start)).toEqual([
      '2019-12-30T00:00:00.000Z',
      '2020-01-06T00:00:00.000Z',
      '2020-01-13T00:00:00.000Z',
    ]);
    for (const query of [
      '?bucket=hour',
      '?since=yesterday',
      '?since=2020-01-02&until=2020-01-01',
      '?source=x',
    ]) {
      expect((await api.request('GET', `/quality${query}`)).status, query).toBe(400);
    }
  });
});
