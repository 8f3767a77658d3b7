/**
 * Paddle Billing webhooks (docs/paddle.md): `Paddle-Signature: ts=<unix seconds>;h1=<hex>` where
 * `h1 = HMAC-SHA256(secret, "<ts>:<raw body>")`, the secret being the notification destination's key as text.
 * Several `h1` may come (Paddle rotating its key); keys other than `ts` and `h1` are ignored. Accepted when any
 * `h1` matches any active `PADDLE_WEBHOOK_SECRET` and `ts` is within 300 s of our clock either way; else
 * `400 invalid_signature`, Paddle's convention (as Stripe's). Written with node:crypto after the scheme of
 * Paddle's Node SDK (`WebhooksValidator`), which the tests use as the judge.
 */
import { createHmac } from 'node:crypto';
import { safeEqualAny } from '../http/secure-compare.js';
import { absent, refuse, usableSecrets, type Verifier } from './verifier.js';

export const PADDLE_SIGNATURE_HEADER = 'Paddle-Signature';
/** Largest accepted gap between `ts` and our clock, in either direction. */
export const PADDLE_TOLERANCE_SEC = 300;

/** Bounds the work an unsigned request can cause: Paddle sends one `h1` per active key. */
const MAX_HEADER_LENGTH = 1024;
const MAX_SIGNATURES = 8;
const TIMESTAMP = /^\d{1,12}$/;
/** Any hex length: a short `h1` is compared like any other and reported as a mismatch. */
const HEX = /^[0-9a-f]{1,128}$/i;

const hmacHex = (secret: string, text: string): string =>
  createHmac('sha256', secret).update(text, 'utf8').digest('hex');

/** The header Paddle would send for `body` at `ts` (unix seconds), one `h1` per secret (tests and docs). */
export const signPaddleBody = (secrets: readonly string[], body: string, ts: number): string => {
  if (!Number.isSafeInteger(ts) || ts < 0) throw new RangeError('ts must be a whole number of unix seconds');
  return [`ts=${ts}`, ...secrets.map((secret) => `h1=${hmacHex(secret, `${ts}:${body}`)}`)].join(';');
};

/** `ts=<digits>` exactly once and 1–8 `h1=<hex>`; parts with another key are ignored. */
const parse = (header: string): { ts: number; h1: string[] } | null => {
  if (header.length > MAX_HEADER_LENGTH) return null;
  let ts: number | undefined;
  const h1: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'ts') {
      if (ts !== undefined || !TIMESTAMP.test(value)) return null;
      ts = Number(value);
    } else if (key === 'h1') {
      if (!HEX.test(value)) return null;
      h1.push(value.toLowerCase());
    }
  }
  if (ts === undefined || h1.length === 0 || h1.length > MAX_SIGNATURES) return null;
  return { ts, h1 };
};

export const paddleVerifier: Verifier = {
  name: 'paddle',
  failure: { status: 400, code: 'invalid_signature' },
  messages: {
    missing: `missing ${PADDLE_SIGNATURE_HEADER} header`,
    malformed: `${PADDLE_SIGNATURE_HEADER} must look like ts=<unix seconds>;h1=<hex HMAC-SHA256>`,
    stale: `${PADDLE_SIGNATURE_HEADER} timestamp is more than ${PADDLE_TOLERANCE_SEC} s old`,
    future: `${PADDLE_SIGNATURE_HEADER} timestamp is more than ${PADDLE_TOLERANCE_SEC} s in the future`,
    mismatch: `${PADDLE_SIGNATURE_HEADER} does not match the body for any active secret`,
    no_secrets: `${PADDLE_SIGNATURE_HEADER} cannot be checked: no webhook secret is configured`,
  },
  hints: {
    missing: `no ${PADDLE_SIGNATURE_HEADER} header: not a Paddle notification`,
    malformed: `the ${PADDLE_SIGNATURE_HEADER} header has no ts= timestamp or no h1= signature`,
    stale: `the signature timestamp is more than ${PADDLE_TOLERANCE_SEC} s old (a replay, or a clock far off)`,
    future: `the signature timestamp is more than ${PADDLE_TOLERANCE_SEC} s ahead (a clock far off)`,
    mismatch:
      "no active secret matches: is PADDLE_WEBHOOK_SECRET the notification destination's current secret key?",
    no_secrets: 'no Paddle webhook secret is configured',
  },
  verify(request, secrets, nowSec) {
    const header = request.header(PADDLE_SIGNATURE_HEADER);
    if (absent(header)) return refuse('missing');
    const parsed = parse(header);
    if (!parsed) return refuse('malformed');
    if (nowSec - parsed.ts > PADDLE_TOLERANCE_SEC) return refuse('stale');
    if (parsed.ts - nowSec > PADDLE_TOLERANCE_SEC) return refuse('future');
    const active = usableSecrets(secrets);
    if (active.length === 0) return refuse('no_secrets');
    const expected = active.map((secret) => hmacHex(secret, `${parsed.ts}:${request.rawBody}`));
    let match = false;
    for (const candidate of parsed.h1) match = safeEqualAny(candidate, expected) || match;
    return match ? { ok: true } : refuse('mismatch');
  },
};
