/**
 * `clerkVerifier`: Svix deliveries are Standard Webhooks under `svix-*` header names. Checked against the
 * Standard Webhooks / Svix published test vector, signatures made by the `standardwebhooks` library, and
 * Clerk's `whsec_` secrets, one or several.
 */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { clerkVerifier } from '../../shared/webhooks/clerk.js';
import { expectQuietMessages, refused, signedRequest } from './support.js';

/** The published vector: secret, message id, timestamp, body and the signature Svix computes for them. */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1_614_265_330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const OLD = 'whsec_c2lnbnVwLWdhdGUtY2xlcmstb2xkLXNlY3JldC0wMDE=';
const NEW = 'whsec_c2lnbnVwLWdhdGUtY2xlcmstbmV3LXNlY3JldC0wMDI=';
const BODY = '{"data":{"id":"user_29w83sxmDNGwOuEthce5gg56FcC"},"object":"event","type":"user.created"}';
const ID = 'msg_2Xk9d8QbVwYJ6cL0mPzRtNfA1sE';
const T = 1_764_133_200;

const svixHeaders = (secrets: readonly string[], id = ID, t = T, body = BODY) => ({
  'svix-id': id,
  'svix-timestamp': String(t),
  'svix-signature': secrets.map((s) => new Webhook(s).sign(id, new Date(t * 1000), body)).join(' '),
});
const verify = (headers: Record<string, string>, secrets: readonly string[] = [OLD], now = T, body = BODY) =>
  clerkVerifier.verify(signedRequest(headers, body), secrets, now);

describe('clerkVerifier', () => {
  it('answers 401 unauthorized', () => {
    expect(clerkVerifier.failure).toEqual({ status: 401, code: 'unauthorized' });
    expect(clerkVerifier.name).toBe('clerk');
  });

  it('accepts the published Standard Webhooks / Svix test vector, and returns the svix-id', () => {
    const headers = {
      'svix-id': VECTOR.id,
      'svix-timestamp': String(VECTOR.timestamp),
      'svix-signature': VECTOR.signature,
    };
    expect(verify(headers, [VECTOR.secret], VECTOR.timestamp, VECTOR.body)).toEqual({
      ok: true,
      id: VECTOR.id,
    });
    expect(verify(headers, [VECTOR.secret], VECTOR.timestamp, '{"test": 2432232315}')).toEqual(
      refused('mismatch'),
    );
  });

  it('reads Svix header names only: the same signature under webhook-* names is missing', () => {
    const { 'svix-id': id, 'svix-timestamp': ts, 'svix-signature': sig } = svixHeaders([OLD]);
    expect(verify({ 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sig })).toEqual(
      refused('missing'),
    );
    expect(verify({ 'Svix-Id': id, 'SVIX-TIMESTAMP': ts, 'svix-signature': sig })).toEqual({ ok: true, id });
  });

  it('rotation: a delivery signed with both secrets passes either; one secret passes only its own', () => {
    expect(verify(svixHeaders([NEW, OLD]), [OLD])).toEqual({ ok: true, id: ID });
    expect(verify(svixHeaders([NEW, OLD]), [NEW])).toEqual({ ok: true, id: ID });
    expect(verify(svixHeaders([OLD]), [NEW, OLD])).toEqual({ ok: true, id: ID });
    expect(verify(svixHeaders([OLD]), [NEW])).toEqual(refused('mismatch'));
  });

  it('takes the secret with or without whsec_, as Clerk shows it or as its base64', () => {
    expect(verify(svixHeaders([OLD]), [OLD.replace(/^whsec_/, '')])).toEqual({ ok: true, id: ID });
  });

  it.each([
    [-300, { ok: true, id: ID }],
    [-301, refused('future')],
    [300, { ok: true, id: ID }],
    [301, refused('stale')],
  ])('with our clock %i s from svix-timestamp: %j', (offset, expected) => {
    expect(verify(svixHeaders([OLD]), [OLD], T + offset)).toEqual(expected);
  });

  it.each([
    ['no svix-id', { 'svix-id': '' }, 'missing'],
    ['no svix-signature', { 'svix-signature': '' }, 'missing'],
    ['an svix-id with a slash', { 'svix-id': 'msg/1' }, 'malformed'],
    ['an svix-id of 256 characters', { 'svix-id': 'm'.repeat(256) }, 'malformed'],
    ['a timestamp in milliseconds', { 'svix-timestamp': `${T}000` }, 'malformed'],
    ['a timestamp that is not digits', { 'svix-timestamp': `${T}.0` }, 'malformed'],
    ['a signature without v1,', { 'svix-signature': 'v2,abc' }, 'malformed'],
    ['an oversized signature header', { 'svix-signature': `v1,${'A'.repeat(4096)}` }, 'malformed'],
  ])('refuses %s', (_case, change, reason) => {
    expect(verify({ ...svixHeaders([OLD]), ...change })).toEqual(refused(reason as never));
  });

  it('refuses everything without a usable secret', () => {
    expect(verify(svixHeaders([OLD]), [])).toEqual(refused('no_secrets'));
    expect(verify(svixHeaders([OLD]), ['', 'whsec_'])).toEqual(refused('no_secrets'));
  });

  it('has a message for every reason that echoes no secret', () => {
    expectQuietMessages(clerkVerifier, [OLD, NEW, OLD.slice(6)]);
  });
});
