/**
 * `Stripe-Signature` verification (docs/stripe.md) with the official library's `verifyHeader` (without its client) over the raw bytes, for every
 * active secret. Only a verified signature passes: anything the library throws is a failure. The reason of a failure
 * (missing, malformed, stale, mismatch, no secrets) is worked out from the header for the log, never echoed; the
 * caller always gets 400 `invalid_signature`.
 */
import { stripeSignature } from './stripe-signature.js';
import type { Verification, Verifier, VerifyFailure } from './verifier.js';

/** Maximum age of a signature, in seconds: the library's default, passed explicitly. */
export const SIGNATURE_TOLERANCE_S = 300;

/**
 * The header reduced to what may be verified: `t=<digits>` and the well-formed `v1=<64 hex>` entries (anything else,
 * an empty `v1=` included, is dropped so the library never sees it), or why it cannot be verified at all.
 */
const cleanHeader = (header: string, nowSec: number): { header: string } | { failure: VerifyFailure } => {
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (t === undefined || signatures.length === 0 || signatures.length > 8) return { failure: 'malformed' };
  if (nowSec - t > SIGNATURE_TOLERANCE_S) return { failure: 'stale' };
  return { header: [`t=${t}`, ...signatures.map((v) => `v1=${v}`)].join(',') };
};

/** Checks the header against each secret with the library's `signature.verifyHeader` (stripe-signature.ts). */
export const verifyStripeSignature = (
  raw: Uint8Array,
  header: string | undefined,
  secrets: readonly string[],
  nowMs: number,
): Verification => {
  if (!header || header.trim() === '') return { ok: false, reason: 'missing' };
  if (secrets.length === 0) return { ok: false, reason: 'no_secrets' };
  const clean = cleanHeader(header, Math.floor(nowMs / 1000));
  if ('failure' in clean) return { ok: false, reason: clean.failure };
  for (const secret of secrets) {
    try {
      if (stripeSignature.verifyHeader(raw, clean.header, secret, SIGNATURE_TOLERANCE_S, undefined, nowMs)) {
        return { ok: true };
      }
    } catch {
      // Not this secret: try the next one. Only a `true` from the library passes.
    }
  }
  return { ok: false, reason: 'mismatch' };
};

/** What the log says for each failure, so the usual local mistake (an old `whsec_`) is easy to spot. */
const HINTS: Record<VerifyFailure, string> = {
  missing: 'no Stripe-Signature header',
  malformed: 'the Stripe-Signature header has no t= timestamp or no v1= signature',
  stale: `the signature timestamp is more than ${SIGNATURE_TOLERANCE_S} s old`,
  mismatch:
    'the signature does not match the body for any active signing secret (is STRIPE_WEBHOOK_SECRET current?)',
  future: 'the signature timestamp is in the future (a clock far off)',
  no_secrets: 'no Stripe webhook signing secret is configured',
};

const INVALID = 'the Stripe-Signature header does not verify with any active secret';

/** The Stripe webhook's verifier: 400 `invalid_signature` whatever the reason (Stripe shows its users the status). */
export const stripeVerifier: Verifier = {
  name: 'stripe',
  failure: { status: 400, code: 'invalid_signature' },
  messages: {
    missing: INVALID,
    malformed: INVALID,
    stale: INVALID,
    future: INVALID,
    mismatch: INVALID,
    no_secrets: INVALID,
  },
  hints: HINTS,
  verify: (request, secrets, nowSec) =>
    verifyStripeSignature(request.rawBytes, request.header('stripe-signature'), secrets, nowSec * 1000),
};
