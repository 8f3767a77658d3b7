/** Clerk's `user.created` (Svix) mapped to a screening, other types ignored, the answers. */
import { describe, expect, it } from 'vitest';
import { clerkAnswer, clerkIgnored } from '../../functions/clerk-hook/answer.js';
import { clerkEventSchema, clerkRunOnceKey, clerkScreenInput } from '../../functions/clerk-hook/event.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';
import { sampleVerdict } from '../helpers/sample-verdict.js';

const SVIX_ID = 'msg_2Xk9d8QbVwYJ6cL0mPzRtNfA1sE';
const created = (): Doc => readFixture('clerk/user-created.json');
const parse = (doc: unknown) => clerkEventSchema.parse(doc);
const phone = (id: string, number: string) => ({
  id,
  object: 'phone_number',
  phone_number: number,
  reserved_for_second_factor: false,
  default_second_factor: false,
  linked_to: [],
  verification: null,
});

describe('Clerk user.created', () => {
  it("maps Clerk's documented example: primary email, user id as subject_ref, svix-id as source_ref", () => {
    expect(clerkScreenInput(parse(created()), SVIX_ID)).toEqual({
      source: 'clerk',
      sourceRef: SVIX_ID,
      subjectRef: 'user_29w83sxmDNGwOuEthce5gg56FcC',
      email: 'example@example.org',
      phone: null,
      ip: null,
    });
    expect(clerkRunOnceKey(SVIX_ID)).toBe(SVIX_ID);
    expect(clerkRunOnceKey(undefined)).toBeNull();
  });

  it('takes the primary address and phone among several, and the client IP of the event attributes', () => {
    const doc = created();
    doc.data.email_addresses.unshift({
      id: 'idn_other',
      email_address: 'other@example.org',
      object: 'email_address',
    });
    doc.data.phone_numbers = [phone('idn_p1', '+14155550101'), phone('idn_p2', '+14155550102')];
    doc.data.primary_phone_number_id = 'idn_p2';
    doc.event_attributes = { http_request: { client_ip: '198.51.100.23', user_agent: 'Mozilla/5.0' } };
    expect(clerkScreenInput(parse(doc), SVIX_ID)).toMatchObject({
      email: 'example@example.org',
      phone: '+14155550102',
      ip: '198.51.100.23',
    });
  });

  it("falls back to the first entry without a primary id, and ignores Clerk's 0.0.0.0 placeholder IP", () => {
    const doc = created();
    doc.data.primary_email_address_id = null;
    doc.data.phone_numbers = [phone('idn_p1', '+14155550101')];
    doc.event_attributes = { http_request: { client_ip: '0.0.0.0', user_agent: 'x' } };
    expect(clerkScreenInput(parse(doc), SVIX_ID)).toMatchObject({
      email: 'example@example.org',
      phone: '+14155550101',
      ip: null,
    });
  });

  it('screens nothing when the primary id names no listed address', () => {
    const doc = created();
    doc.data.primary_email_address_id = 'idn_gone';
    expect(clerkScreenInput(parse(doc), SVIX_ID)?.email).toBeNull();
  });

  it('does not screen other types (user.updated, session.created...)', () => {
    const doc = created();
    doc.type = 'user.updated';
    expect(clerkScreenInput(parse(doc), SVIX_ID)).toBeNull();
    const session = { type: 'session.created', object: 'event', data: { id: 'sess_1', user_id: 'user_1' } };
    expect(clerkScreenInput(parse(session), SVIX_ID)).toBeNull();
  });

  it.each([
    ['no data', (d: Doc) => delete d.data],
    ['no type', (d: Doc) => delete d.type],
    ['email_addresses not a list', (d: Doc) => (d.data.email_addresses = 'example@example.org')],
    ['101 addresses', (d: Doc) => (d.data.email_addresses = Array(101).fill(d.data.email_addresses[0]))],
  ])('refuses %s', (_case, change) => {
    const doc = created();
    change(doc);
    expect(clerkEventSchema.safeParse(doc).success).toBe(false);
  });
});

describe('Clerk answers', () => {
  it('200 with the verdict; other types 200 {ignored, event_id: svix-id, event_type}', () => {
    const verdict = sampleVerdict('clerk', 'block');
    expect(clerkAnswer(verdict)).toEqual({ status: 200, body: verdict });
    const doc = created();
    doc.type = 'user.deleted';
    expect(clerkIgnored(parse(doc), SVIX_ID)).toEqual({
      status: 200,
      body: { ignored: true, event_id: SVIX_ID, event_type: 'user.deleted' },
    });
  });
});
