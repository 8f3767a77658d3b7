/**
 * `firebaseVerifier`: the forwarder signs like the Auth0 Actions (`X-Signup-Gate-Signature` over the event id
 * sent as `Idempotency-Key` and the body), checked by the same functions; the signed key is the delivery id.
 */
import { describe, expect, it } from 'vitest';
import { signAuth0Body } from '../../shared/webhooks/auth0.js';
import { firebaseVerifier } from '../../shared/webhooks/firebase.js';
import { expectQuietMessages, refused, signedRequest } from './support.js';

const OLD = 'sg_firebase_old_7f3e0b2a';
const NEW = 'sg_firebase_new_c91d44e8';
const EVENT_ID = 'Ck3sGQ3nS3K5pVb1mA0z8w';
const BODY = JSON.stringify({
  uid: 'abcdefghijklmnopqrstuvwxyz',
  email: 'user@gmail.com',
  event_id: EVENT_ID,
});
const T = 1_764_133_200;

const headers = (secret = OLD, t = T, key: string | null = EVENT_ID, body = BODY) => ({
  'X-Signup-Gate-Signature': signAuth0Body(secret, body, t, key),
  ...(key === null ? {} : { 'Idempotency-Key': key }),
});
const verify = (h: Record<string, string>, secrets: readonly string[] = [OLD], now = T, body = BODY) =>
  firebaseVerifier.verify(signedRequest(h, body), secrets, now);

describe('firebaseVerifier', () => {
  it('is the Auth0 Actions signature, named firebase, answering 401 unauthorized', () => {
    expect(firebaseVerifier.name).toBe('firebase');
    expect(firebaseVerifier.failure).toEqual({ status: 401, code: 'unauthorized' });
  });

  it('accepts a signed event and returns its signed Idempotency-Key as the delivery id', () => {
    expect(verify(headers())).toEqual({ ok: true, id: EVENT_ID });
  });

  it('accepts a request signed without a key (no delivery id then)', () => {
    expect(verify(headers(OLD, T, null))).toEqual({ ok: true });
  });

  it('refuses the signature replayed under another event id, or without its key', () => {
    const signed = headers();
    expect(verify({ ...signed, 'Idempotency-Key': 'another-event-id' })).toEqual(refused('mismatch'));
    expect(verify({ 'X-Signup-Gate-Signature': signed['X-Signup-Gate-Signature'] })).toEqual(
      refused('mismatch'),
    );
  });

  it('rotation: either active secret', () => {
    expect(verify(headers(NEW), [OLD, NEW])).toEqual({ ok: true, id: EVENT_ID });
    expect(verify(headers(NEW), [OLD])).toEqual(refused('mismatch'));
  });

  it.each([
    [-300, { ok: true, id: EVENT_ID }],
    [-301, refused('future')],
    [300, { ok: true, id: EVENT_ID }],
    [301, refused('stale')],
  ])('with our clock %i s from t: %j', (offset, expected) => {
    expect(verify(headers(), [OLD], T + offset)).toEqual(expected);
  });

  it.each([
    ['no t', `v1=${'a'.repeat(64)}`],
    ['a t in milliseconds with a dot', `t=${T}.5,v1=${'a'.repeat(64)}`],
    ['a v1 that is not hex', `t=${T},v1=${'g'.repeat(64)}`],
    ['an oversized header', `t=${T},v1=${'a'.repeat(64)},x=${'b'.repeat(1100)}`],
  ])('refuses %s as malformed', (_case, value) => {
    expect(verify({ 'X-Signup-Gate-Signature': value, 'Idempotency-Key': EVENT_ID })).toEqual(
      refused('malformed'),
    );
  });

  it('refuses a missing header, and everything without a usable secret (a blank one never signs)', () => {
    expect(verify({ 'Idempotency-Key': EVENT_ID })).toEqual(refused('missing'));
    expect(verify(headers(), [])).toEqual(refused('no_secrets'));
    expect(verify(headers(''), [''])).toEqual(refused('no_secrets'));
  });

  it('has a message for every reason that echoes no secret', () => {
    expectQuietMessages(firebaseVerifier, [OLD, NEW]);
  });
});
