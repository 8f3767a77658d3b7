/**
 * The `/hooks/auth0` request signature (docs/auth0.md): `X-Signup-Gate-Signature: t=<unix s>,v1=<hex>` with
 * `v1 = HMAC-SHA256(secret, "<t>.<Idempotency-Key>.<raw body>")` when the request carries an
 * `Idempotency-Key`, `HMAC-SHA256(secret, "<t>.<raw body>")` when it does not. Signing (for the Actions'
 * twins in tests and docs), checking (constant time, any active secret, ±300 s), and its Verifier (401
 * `unauthorized`). Firebase's blocking functions can reuse the scheme with their own secret.
 */
import { createHmac } from 'node:crypto';
import { safeEqualAny } from '../http/secure-compare.js';
import { parseTimestampedHeader } from './timestamped-header.js';
import type { Verification, Verifier, VerifyFailure } from './verifier.js';

export const AUTH0_SIGNATURE_HEADER = 'X-Signup-Gate-Signature';
/** The header whose value is signed too, so a captured request cannot be replayed under other keys. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Largest accepted gap between the signature's `t` and our clock, in either direction. */
export const AUTH0_SIGNATURE_TOLERANCE_SEC = 300;

/**
 * A `v1` must be hex; its length is not part of the format, so `v1=deadbeef` is reported as a signature
 * that does not match (it is compared, in constant time, like any other) rather than as a format error.
 */

/** The signed text: `<t>.<key>.<body>` with an Idempotency-Key, `<t>.<body>` without one. */
const signedText = (t: number | string, body: string, idempotencyKey: string | null): string =>
  idempotencyKey === null ? `${t}.${body}` : `${t}.${idempotencyKey}.${body}`;

const hmacHex = (secret: string, text: string): string =>
  createHmac('sha256', secret).update(text, 'utf8').digest('hex');

/**
 * The header value for `body` signed with `secret` at `t` (unix seconds): `t=<t>,v1=<hex>`. Pass the
 * `Idempotency-Key` the request will carry (the key is signed with the body); `null` or nothing when none.
 */
export const signAuth0Body = (
  secret: string,
  body: string,
  t: number,
  idempotencyKey: string | null = null,
): string => {
  if (!Number.isSafeInteger(t) || t < 0) throw new RangeError('t must be a whole number of unix seconds');
  return `t=${t},v1=${hmacHex(secret, signedText(t, body, idempotencyKey))}`;
};

export interface VerifyAuth0Options {
  /** The request's `Idempotency-Key` header as received; null or absent when the request has none. */
  idempotencyKey?: string | null;
  /** Default AUTH0_SIGNATURE_TOLERANCE_SEC. */
  toleranceSec?: number;
}

/**
 * Checks a `X-Signup-Gate-Signature` value against the raw body (and the Idempotency-Key, when the request
 * carries one). Accepts when any `v1` matches the HMAC of any active secret and `|nowSec - t| <= tolerance`.
 * Every candidate is compared with every expected value in constant time, so timing tells neither which
 * secret nor which byte differed, nor whether a candidate had the right length.
 */
export const verifyAuth0Signature = (
  header: string | null | undefined,
  body: string,
  secrets: readonly string[],
  nowSec: number,
  options: VerifyAuth0Options = {},
): Verification => {
  if (header === undefined || header === null || header.trim() === '')
    return { ok: false, reason: 'missing' };
  const parsed = parseTimestampedHeader(header, 12);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const tolerance = options.toleranceSec ?? AUTH0_SIGNATURE_TOLERANCE_SEC;
  if (nowSec - parsed.t > tolerance) return { ok: false, reason: 'stale' };
  if (parsed.t - nowSec > tolerance) return { ok: false, reason: 'future' };
  if (secrets.length === 0) return { ok: false, reason: 'no_secrets' };
  const text = signedText(parsed.t, body, options.idempotencyKey ?? null);
  const expected = secrets.map((secret) => hmacHex(secret, text));
  let match = false;
  for (const candidate of parsed.v1) match = safeEqualAny(candidate, expected) || match;
  return match ? { ok: true } : { ok: false, reason: 'mismatch' };
};

const MESSAGES: Record<VerifyFailure, string> = {
  missing: `missing ${AUTH0_SIGNATURE_HEADER} header`,
  malformed: `${AUTH0_SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<hex HMAC-SHA256>`,
  stale: `${AUTH0_SIGNATURE_HEADER} timestamp is more than ${AUTH0_SIGNATURE_TOLERANCE_SEC} s old`,
  future: `${AUTH0_SIGNATURE_HEADER} timestamp is more than ${AUTH0_SIGNATURE_TOLERANCE_SEC} s in the future`,
  mismatch: `${AUTH0_SIGNATURE_HEADER} does not match the body (and ${IDEMPOTENCY_KEY_HEADER}, when sent) for any active secret`,
  no_secrets: `${AUTH0_SIGNATURE_HEADER} cannot be checked: no hook secret is configured`,
};

/** The Auth0 hook's verifier: 401 `unauthorized`, the Idempotency-Key signed with the body when sent. */
export const auth0Verifier: Verifier = {
  name: 'auth0',
  failure: { status: 401, code: 'unauthorized' },
  messages: MESSAGES,
  hints: {
    missing: 'no signature header: not a call from the shipped Auth0 Actions',
    malformed: 'the signature header is not t=<unix seconds>,v1=<hex>',
    stale: `the signature timestamp is more than ${AUTH0_SIGNATURE_TOLERANCE_SEC} s old (a replay, or a clock far off)`,
    future: `the signature timestamp is more than ${AUTH0_SIGNATURE_TOLERANCE_SEC} s ahead (a clock far off)`,
    mismatch:
      "no active secret matches: the Action's SIGNUP_GATE_SECRET differs, or an older Action does not sign the Idempotency-Key",
    no_secrets: 'no Auth0 hook secret is configured',
  },
  verify: (request, secrets, nowSec) =>
    verifyAuth0Signature(request.header(AUTH0_SIGNATURE_HEADER), request.rawBody, secrets, nowSec, {
      idempotencyKey: request.header(IDEMPOTENCY_KEY_HEADER) ?? null,
    }),
};
