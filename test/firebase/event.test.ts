/** The Firebase forwarder's body mapped to a screening, and the route's answer with `action`. */
import { describe, expect, it } from 'vitest';
import { firebaseAnswer } from '../../functions/firebase-hook/answer.js';
import {
  firebaseEventSchema,
  firebaseRunOnceKey,
  firebaseScreenInput,
} from '../../functions/firebase-hook/event.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';
import { MESSAGE, sampleVerdict } from '../helpers/sample-verdict.js';

const body = (): Doc => readFixture('firebase/forwarder-body.json');
const parse = (doc: unknown) => firebaseEventSchema.parse(doc);

describe('the Firebase forwarder body', () => {
  it('maps email, phone, IP, the uid as subject_ref and the signed event id as source_ref', () => {
    const event = parse(body());
    const key = firebaseRunOnceKey(event, 'EVENT_ID');
    expect(key).toBe('EVENT_ID');
    expect(firebaseScreenInput(event, key)).toEqual({
      source: 'firebase',
      sourceRef: 'EVENT_ID',
      subjectRef: 'abcdefghijklmnopqrstuvwxyz',
      email: 'user@gmail.com',
      phone: '+11234567890',
      ip: '1.2.3.4',
    });
  });

  it("prefers the signed Idempotency-Key, else the body's event_id, else none", () => {
    const event = parse(body());
    expect(firebaseRunOnceKey(event, 'signed-key')).toBe('signed-key');
    expect(firebaseRunOnceKey(event, undefined)).toBe('EVENT_ID');
    expect(firebaseRunOnceKey(parse({ ...body(), event_id: null }), undefined)).toBeNull();
  });

  it('masks an email or phone number inside a custom uid, and reads nulls as absent', () => {
    const doc = { uid: 'sso|jane.doe@corp.example', email: null, phone_number: null, ip_address: null };
    const input = firebaseScreenInput(parse(doc), null);
    expect(input).toMatchObject({ source: 'firebase', sourceRef: null, email: null, phone: null, ip: null });
    expect(input.subjectRef).toMatch(/^\w\*\*\*@corp\.example$/);
    expect(input.subjectRef).not.toContain('jane');
    expect(firebaseScreenInput(parse({ uid: 'tel-+33612345678' }), null).subjectRef).not.toContain(
      '612345678',
    );
  });

  it.each([
    ['an email of the wrong type', (d: Doc) => (d.email = 1)],
    ['an event_id with a space', (d: Doc) => (d.event_id = 'EVENT ID')],
    ['a uid of 256 characters', (d: Doc) => (d.uid = 'u'.repeat(256))],
  ])('refuses %s', (_case, change) => {
    const doc = body();
    change(doc);
    expect(firebaseEventSchema.safeParse(doc).success).toBe(false);
  });
});

describe('firebaseAnswer', () => {
  it('200: the verdict, its action and the user message', () => {
    const verdict = sampleVerdict('firebase', 'block');
    expect(firebaseAnswer(verdict, MESSAGE)).toEqual({
      status: 200,
      body: { ...verdict, action: 'block', user_message: MESSAGE },
    });
  });

  it('action is the decision unless the verdict says otherwise (monitor mode)', () => {
    expect(firebaseAnswer(sampleVerdict('firebase', 'review'), MESSAGE).body.action).toBe('review');
    expect(firebaseAnswer(sampleVerdict('firebase', 'block', { action: 'allow' }), MESSAGE).body.action).toBe(
      'allow',
    );
  });
});
