/** `auth0ScreenInput`: what an Auth0 event screens (docs/verdict.md, docs/auth0.md, docs/waves.md): identifiers, IP, source_ref, subject_ref. */
import { describe, expect, it } from 'vitest';
import { auth0EventSchema, auth0ScreenInput } from '../../functions/auth0-hook/event.js';
import * as z from '../../shared/validation/zod.js';

const parse = (doc: unknown) => z.parse(auth0EventSchema, doc);

describe('auth0ScreenInput', () => {
  it('a pre-user-registration event: email, phone, IP and the key; no subject (the user does not exist yet)', () => {
    const event = parse({
      user: { email: 'jane@example.com', phone_number: '+33600000001', user_id: 'auth0|spoofed' },
      request: { ip: '203.0.113.7' },
    });
    expect(auth0ScreenInput(event, 'key-1')).toEqual({
      source: 'auth0',
      sourceRef: 'key-1',
      subjectRef: null,
      email: 'jane@example.com',
      phone: '+33600000001',
      ip: '203.0.113.7',
    });
  });

  it('a post-login event: user_id becomes the subject', () => {
    const event = parse({
      trigger: 'post-login',
      user: { email: 'jane@example.com', user_id: 'google-oauth2|1035' },
      request: { ip: '2001:db8::1' },
      connection: { strategy: 'google-oauth2' },
    });
    expect(auth0ScreenInput(event, null)).toMatchObject({
      sourceRef: null,
      subjectRef: 'google-oauth2|1035',
      ip: '2001:db8::1',
    });
  });

  it('absent parts stay absent', () => {
    expect(auth0ScreenInput(parse({ trigger: 'post-login' }), null)).toEqual({
      source: 'auth0',
      sourceRef: null,
      subjectRef: null,
      email: undefined,
      phone: undefined,
      ip: null,
    });
  });
});
