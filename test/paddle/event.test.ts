/** Paddle notifications: `customer.created` mapped to a screening, other types ignored, the exact answers. */
import { describe, expect, it } from 'vitest';
import { paddleAnswer, paddleIgnored } from '../../functions/paddle-hook/answer.js';
import { paddleEventSchema, paddleRunOnceKey, paddleScreenInput } from '../../functions/paddle-hook/event.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';
import { sampleVerdict } from '../helpers/sample-verdict.js';

const created = (): Doc => readFixture('paddle/customer-created.json');
const parse = (doc: unknown) => paddleEventSchema.parse(doc);

describe('Paddle notifications', () => {
  it('maps customer.created: email, the customer id as subject_ref, event_id as source_ref and run-once key', () => {
    const event = parse(created());
    expect(paddleScreenInput(event)).toEqual({
      source: 'paddle',
      sourceRef: 'evt_01h8441jx8x1q971q9ksksqh82',
      subjectRef: 'ctm_01h8441jn5pcwrfhwh78jqt8hk',
      email: 'sam@example.com',
      phone: null,
      ip: null,
    });
    expect(paddleRunOnceKey(event)).toBe('evt_01h8441jx8x1q971q9ksksqh82');
  });

  it('screens no other type (customer.updated is the fixture) and no customer without an email', () => {
    expect(paddleScreenInput(parse(readFixture('paddle/customer-updated.json')))).toBeNull();
    const doc = created();
    doc.data.email = '';
    expect(paddleScreenInput(parse(doc))).toBeNull();
    delete doc.data.email;
    expect(paddleScreenInput(parse(doc))).toBeNull();
  });

  it("accepts any other type's data (a transaction's fields are not read)", () => {
    const doc = {
      event_id: 'evt_01hv8x2acma2gz1he0dq5ppvkv',
      event_type: 'transaction.completed',
      occurred_at: '2024-04-12T10:18:49.621022Z',
      notification_id: 'ntf_01hv8x2af4sp0sbrzw4y0gfpfk',
      data: { id: 'txn_01hv8wptq8987qeep44cyrewp9', items: [{ quantity: 10 }], customer_id: 'ctm_1' },
    };
    expect(paddleScreenInput(parse(doc))).toBeNull();
  });

  it.each([
    ['no event_id', (d: Doc) => delete d.event_id],
    ['an event_id with a space', (d: Doc) => (d.event_id = 'evt 1')],
    ['no event_type', (d: Doc) => delete d.event_type],
    ['a customer id of 256 characters', (d: Doc) => (d.data.id = 'c'.repeat(256))],
  ])('refuses %s', (_case, change) => {
    const doc = created();
    change(doc);
    expect(paddleEventSchema.safeParse(doc).success).toBe(false);
  });
});

describe('Paddle answers', () => {
  const event = parse(created());

  it('a screened event: 200, the verdict with event_id and duplicate, as for Stripe', () => {
    const verdict = sampleVerdict('paddle', 'block');
    expect(paddleAnswer(verdict, event, false)).toEqual({
      status: 200,
      body: { ...verdict, event_id: 'evt_01h8441jx8x1q971q9ksksqh82', duplicate: false },
    });
    expect(paddleAnswer(verdict, event, true).body.duplicate).toBe(true);
  });

  it('another type: 200 {ignored, event_id, event_type}', () => {
    const updated = parse(readFixture('paddle/customer-updated.json'));
    expect(paddleIgnored(updated)).toEqual({
      status: 200,
      body: { ignored: true, event_id: 'evt_01h845v9ynfsazmdq3wntb3dzt', event_type: 'customer.updated' },
    });
  });
});
