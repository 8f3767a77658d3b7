/**
 * `signAuth0Body` / `verifyAuth0Signature`: the header format of docs/auth0.md (the Idempotency-Key signed with
 * the body), tolerance, rotation, malformed input, and a wrong-length v1 reported as a mismatch.
 */
import { describe, expect, it } from 'vitest';
import { signAuth0Body, verifyAuth0Signature } from '../../shared/webhooks/auth0.js';

const SECRET = 'sg_auth0_example_secret';
const BODY = '{"user":{"email":"low@example.com"}}';
const T = 1_764_133_200;
const KEY = '3f2b9c1e-8d4a-4e7b-9a61-0c5d2e7f8a90';
/** `printf '%s' "1764133200.$BODY" | openssl dgst -sha256 -hmac sg_auth0_example_secret -hex` (no key). */
const OPENSSL_V1 = '81e6e69d9781e4b266544309fd5504e65dc1f74c5bd154946b2dbf36a104d07b';
/** `printf '%s' "1764133200.$KEY.$BODY" | openssl dgst -sha256 -hmac sg_auth0_example_secret -hex` (docs/auth0.md). */
const OPENSSL_V1_WITH_KEY = 'e8c9678ec94dc56aca19e73e644d8d57805eebb4f83d4a6e489c42e75dd7cd6b';

describe('signAuth0Body', () => {
  it('without a key: t=<t>,v1=<HMAC-SHA256(secret, "t.body") hex>, the same as openssl', () => {
    expect(signAuth0Body(SECRET, BODY, T)).toBe(`t=${T},v1=${OPENSSL_V1}`);
    expect(signAuth0Body(SECRET, BODY, T, null)).toBe(`t=${T},v1=${OPENSSL_V1}`);
  });

  it('with a key: v1 = HMAC-SHA256(secret, "t.key.body"), the same as openssl', () => {
    expect(signAuth0Body(SECRET, BODY, T, KEY)).toBe(`t=${T},v1=${OPENSSL_V1_WITH_KEY}`);
  });

  it('signs the UTF-8 bytes of the body', () => {
    const header = signAuth0Body(SECRET, '{"user":{"username":"zoë 🦊"}}', T);
    expect(verifyAuth0Signature(header, '{"user":{"username":"zoë 🦊"}}', [SECRET], T)).toEqual({ ok: true });
    expect(verifyAuth0Signature(header, '{"user":{"username":"zoe 🦊"}}', [SECRET], T).ok).toBe(false);
  });

  it('refuses a timestamp that is not whole unix seconds', () => {
    expect(() => signAuth0Body(SECRET, BODY, 1.5)).toThrow(RangeError);
    expect(() => signAuth0Body(SECRET, BODY, -1)).toThrow(RangeError);
  });
});

describe('verifyAuth0Signature', () => {
  const good = signAuth0Body(SECRET, BODY, T);

  it('accepts a good signature', () => {
    expect(verifyAuth0Signature(good, BODY, [SECRET], T)).toEqual({ ok: true });
  });

  describe('the Idempotency-Key is signed', () => {
    const keyed = `t=${T},v1=${OPENSSL_V1_WITH_KEY}`;

    it('accepts the key it was signed with', () => {
      expect(verifyAuth0Signature(keyed, BODY, [SECRET], T, { idempotencyKey: KEY })).toEqual({ ok: true });
    });

    it.each([
      ['another key', 'another-key-0001'],
      ['the key with one character changed', `${KEY.slice(0, -1)}1`],
      ['an empty key', ''],
    ])('refuses the same signature under %s', (_case, key) => {
      expect(verifyAuth0Signature(keyed, BODY, [SECRET], T, { idempotencyKey: key })).toEqual({
        ok: false,
        reason: 'mismatch',
      });
    });

    it('refuses a keyed signature sent without its key, and a keyless one sent with a key', () => {
      expect(verifyAuth0Signature(keyed, BODY, [SECRET], T)).toEqual({ ok: false, reason: 'mismatch' });
      expect(verifyAuth0Signature(good, BODY, [SECRET], T, { idempotencyKey: KEY })).toEqual({
        ok: false,
        reason: 'mismatch',
      });
    });
  });

  it.each([
    [-300, true],
    [-301, false],
    [300, true],
    [301, false],
  ])('with t off by %i s from now: ok=%s', (offset, ok) => {
    // now = t - offset, so a positive offset means the signature is from the future.
    const result = verifyAuth0Signature(good, BODY, [SECRET], T - offset);
    expect(result.ok).toBe(ok);
    if (!ok) expect(result).toEqual({ ok: false, reason: offset > 0 ? 'future' : 'stale' });
  });

  it('honours a custom tolerance', () => {
    expect(verifyAuth0Signature(good, BODY, [SECRET], T + 10, { toleranceSec: 5 })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifyAuth0Signature(good, BODY, [SECRET], T + 5, { toleranceSec: 5 })).toEqual({ ok: true });
  });

  it('accepts any active secret (rotation) and any of several v1', () => {
    expect(verifyAuth0Signature(good, BODY, ['other-secret', SECRET], T)).toEqual({ ok: true });
    expect(verifyAuth0Signature(good, BODY, [SECRET, 'other-secret'], T)).toEqual({ ok: true });
    const two = `t=${T},v1=${'0'.repeat(64)},v1=${OPENSSL_V1}`;
    expect(verifyAuth0Signature(two, BODY, [SECRET], T)).toEqual({ ok: true });
  });

  it('ignores case in hex, spaces around parts, and unknown schemes', () => {
    expect(verifyAuth0Signature(`t=${T},v1=${OPENSSL_V1.toUpperCase()}`, BODY, [SECRET], T).ok).toBe(true);
    expect(verifyAuth0Signature(`t=${T}, v1=${OPENSSL_V1}`, BODY, [SECRET], T).ok).toBe(true);
    expect(verifyAuth0Signature(`v0=abc,t=${T},v1=${OPENSSL_V1}`, BODY, [SECRET], T).ok).toBe(true);
  });

  it('rejects another secret, another body, another timestamp', () => {
    expect(verifyAuth0Signature(good, BODY, ['wrong'], T)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyAuth0Signature(good, `${BODY}\n`, [SECRET], T)).toEqual({ ok: false, reason: 'mismatch' });
    const moved = `t=${T + 1},v1=${OPENSSL_V1}`;
    expect(verifyAuth0Signature(moved, BODY, [SECRET], T)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it.each([
    ['deadbeef', 'deadbeef'],
    ['one hex digit short', OPENSSL_V1.slice(1)],
    ['one hex digit long', `${OPENSSL_V1}0`],
    ['a SHA-512 length', 'ab'.repeat(64)],
  ])('reports a hex v1 of the wrong length (%s) as a mismatch, not a format error', (_case, v1) => {
    expect(verifyAuth0Signature(`t=${T},v1=${v1}`, BODY, [SECRET], T)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('rejects when no secret is active', () => {
    expect(verifyAuth0Signature(good, BODY, [], T)).toEqual({ ok: false, reason: 'no_secrets' });
  });

  it.each([undefined, null, '', '   '])('reports a missing header (%j)', (header) => {
    expect(verifyAuth0Signature(header, BODY, [SECRET], T)).toEqual({ ok: false, reason: 'missing' });
  });

  it.each([
    ['no v1', `t=${T}`],
    ['no t', `v1=${OPENSSL_V1}`],
    ['non-numeric t', `t=now,v1=${OPENSSL_V1}`],
    ['negative t', `t=-${T},v1=${OPENSSL_V1}`],
    ['t in ms', `t=${T}000000,v1=${OPENSSL_V1}`],
    ['fractional t', `t=${T}.5,v1=${OPENSSL_V1}`],
    ['two t', `t=${T},t=${T},v1=${OPENSSL_V1}`],
    ['empty v1', `t=${T},v1=`],
    ['v1 not hex', `t=${T},v1=${'g'.repeat(64)}`],
    ['v1 longer than any HMAC', `t=${T},v1=${'a'.repeat(129)}`],
    ['part without =', `t=${T},v1=${OPENSSL_V1},junk`],
    ['empty key', `=x,t=${T},v1=${OPENSSL_V1}`],
    ['too many v1', `t=${T}${`,v1=${OPENSSL_V1}`.repeat(9)}`],
    ['too long', `t=${T},v1=${OPENSSL_V1},x=${'a'.repeat(2000)}`],
    ['garbage', 'sha256=deadbeef'],
    ['a bearer token', 'Bearer sg_auth0_example_secret'],
  ])('reports a malformed header (%s)', (_case, header) => {
    expect(verifyAuth0Signature(header, BODY, [SECRET], T)).toEqual({ ok: false, reason: 'malformed' });
  });
});
