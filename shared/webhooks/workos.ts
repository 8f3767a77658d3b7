/**
 * WorkOS AuthKit Actions (docs/workos.md): `WorkOS-Signature: t=<unix milliseconds>, v1=<hex>` where
 * `v1 = HMAC-SHA256(secret, "<t>.<JSON body>")` — the scheme of the official `@workos-inc/node` SDK's
 * `actions.verifyHeader`, which signs the body as `JSON.stringify` of the parsed payload. That SDK helper is
 * asynchronous (WebCrypto), while a `Verifier` is synchronous, so the same computation is done here with
 * node:crypto and the tests hold it to the SDK's verdicts. Both the compact re-serialisation (the SDK's text)
 * and the raw body are accepted as the signed text. Accepted when any `v1` matches any active
 * `WORKOS_ACTIONS_SECRET` and `t` is within 30 s of our clock either way (the SDK's default tolerance for
 * Actions; the SDK checks only the past); else `401 unauthorized`. `workosSigningSecret` tells which secret
 * vouched, so the answer is signed with that same secret.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../http/secure-compare.js';
import {
  absent,
  refuse,
  type SignedRequest,
  usableSecrets,
  type Verification,
  type Verifier,
} from './verifier.js';

export const WORKOS_SIGNATURE_HEADER = 'WorkOS-Signature';
/** Largest accepted gap between `t` and our clock, in either direction (the SDK's Actions default). */
export const WORKOS_TOLERANCE_MS = 30_000;

const MAX_HEADER_LENGTH = 1024;
const MAX_SIGNATURES = 8;
/** Unix milliseconds. */
const TIMESTAMP = /^\d{1,15}$/;
const HEX = /^[0-9a-f]{1,128}$/i;

const hmacHex = (secret: string, text: string): string =>
  createHmac('sha256', secret).update(text, 'utf8').digest('hex');

/** The texts WorkOS may have signed: the SDK's `JSON.stringify(JSON.parse(body))`, and the body as received. */
const signedBodies = (rawBody: string): string[] => {
  let compact: string | undefined;
  try {
    compact = JSON.stringify(JSON.parse(rawBody));
  } catch {
    compact = undefined;
  }
  return compact === undefined || compact === rawBody ? [rawBody] : [compact, rawBody];
};

/** `t=<digits>` exactly once and 1–8 `v1=<hex>`, comma separated (spaces allowed); other keys ignored. */
const parse = (header: string): { t: number; v1: string[] } | null => {
  if (header.length > MAX_HEADER_LENGTH) return null;
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined || !TIMESTAMP.test(value)) return null;
      t = Number(value);
    } else if (key === 'v1') {
      if (!HEX.test(value)) return null;
      v1.push(value.toLowerCase());
    }
  }
  if (t === undefined || v1.length === 0 || v1.length > MAX_SIGNATURES) return null;
  return { t, v1 };
};

/** The header the SDK's scheme gives `body` at `t` (unix ms) for `secret` (tests and docs). */
export const signWorkosBody = (secret: string, body: string, t: number): string => {
  if (!Number.isSafeInteger(t) || t < 0)
    throw new RangeError('t must be a whole number of unix milliseconds');
  return `t=${t}, v1=${hmacHex(secret, `${t}.${JSON.stringify(JSON.parse(body))}`)}`;
};

type Checked = { ok: true; secret: string } | { ok: false; verification: Verification };

/** Every candidate against every secret and signed text, in constant time; the first vouching secret wins. */
const check = (request: SignedRequest, secrets: readonly string[], nowSec: number): Checked => {
  const header = request.header(WORKOS_SIGNATURE_HEADER);
  if (absent(header)) return { ok: false, verification: refuse('missing') };
  const parsed = parse(header);
  if (!parsed) return { ok: false, verification: refuse('malformed') };
  const nowMs = nowSec * 1000;
  if (nowMs - parsed.t > WORKOS_TOLERANCE_MS) return { ok: false, verification: refuse('stale') };
  if (parsed.t - nowMs > WORKOS_TOLERANCE_MS) return { ok: false, verification: refuse('future') };
  const active = usableSecrets(secrets);
  if (active.length === 0) return { ok: false, verification: refuse('no_secrets') };
  const bodies = signedBodies(request.rawBody);
  let vouching: string | undefined;
  for (const secret of active) {
    for (const body of bodies) {
      const expected = hmacHex(secret, `${parsed.t}.${body}`);
      for (const candidate of parsed.v1) {
        if (safeEqual(candidate, expected) && vouching === undefined) vouching = secret;
      }
    }
  }
  return vouching === undefined
    ? { ok: false, verification: refuse('mismatch') }
    : { ok: true, secret: vouching };
};

export const workosVerifier: Verifier = {
  name: 'workos',
  failure: { status: 401, code: 'unauthorized' },
  messages: {
    missing: `missing ${WORKOS_SIGNATURE_HEADER} header`,
    malformed: `${WORKOS_SIGNATURE_HEADER} must look like t=<unix milliseconds>, v1=<hex HMAC-SHA256>`,
    stale: `${WORKOS_SIGNATURE_HEADER} timestamp is more than ${WORKOS_TOLERANCE_MS / 1000} s old`,
    future: `${WORKOS_SIGNATURE_HEADER} timestamp is more than ${WORKOS_TOLERANCE_MS / 1000} s in the future`,
    mismatch: `${WORKOS_SIGNATURE_HEADER} does not match the body for any active secret`,
    no_secrets: `${WORKOS_SIGNATURE_HEADER} cannot be checked: no Actions secret is configured`,
  },
  hints: {
    missing: `no ${WORKOS_SIGNATURE_HEADER} header: not a WorkOS Actions request`,
    malformed: `the ${WORKOS_SIGNATURE_HEADER} header has no t= timestamp (milliseconds) or no v1= signature`,
    stale: `the signature timestamp is more than ${WORKOS_TOLERANCE_MS / 1000} s old (a replay, or a clock far off)`,
    future: `the signature timestamp is more than ${WORKOS_TOLERANCE_MS / 1000} s ahead (a clock far off)`,
    mismatch: "no active secret matches: is WORKOS_ACTIONS_SECRET the Action endpoint's current secret?",
    no_secrets: 'no WorkOS Actions secret is configured',
  },
  verify(request, secrets, nowSec) {
    const result = check(request, secrets, nowSec);
    return result.ok ? { ok: true } : result.verification;
  },
};

/**
 * The active secret that vouches for `request` (WorkOS expects the answer signed with the secret it signed
 * with), or null when none does. Call it after `workosVerifier` accepted the request.
 */
export const workosSigningSecret = (
  request: SignedRequest,
  secrets: readonly string[],
  nowSec: number,
): string | null => {
  const result = check(request, secrets, nowSec);
  return result.ok ? result.secret : null;
};
