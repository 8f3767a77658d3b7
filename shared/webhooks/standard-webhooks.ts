/**
 * Standard Webhooks verification (docs/supabase.md, Supabase auth hooks): headers `webhook-id`,
 * `webhook-timestamp` and `webhook-signature` (space-separated `v1,<base64 HMAC-SHA256>` of
 * `"<id>.<timestamp>.<body>"`), computed with the `standardwebhooks` library for every active secret and
 * compared in constant time, 5 minutes of tolerance either way. Secrets are taken as Supabase shows them,
 * `v1,whsec_<base64>` (the `v1,` optional). Its Verifier answers 401 `unauthorized`; Svix (Clerk) signs the same
 * way under `svix-` headers.
 */
import { Webhook } from 'standardwebhooks';
import { safeEqualAny } from '../http/secure-compare.js';
import type { Verification, Verifier, VerifyFailure } from './verifier.js';

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';
/** Largest accepted gap between `webhook-timestamp` and our clock, in either direction (the library's). */
export const WEBHOOK_TOLERANCE_SEC = 300;

/** The id becomes an idempotency key: the same characters and length as an `Idempotency-Key` (docs/api.md). */
const MESSAGE_ID = /^[A-Za-z0-9._:-]{1,255}$/;
const TIMESTAMP = /^\d{1,12}$/;
/** Bounds the work an unsigned request can cause (Supabase sends one `v1,` signature per active secret). */
const MAX_SIGNATURE_HEADER = 2048;
const SYMMETRIC_VERSION = 'v1,';

export interface WebhookHeaders {
  id: string | null | undefined;
  timestamp: string | null | undefined;
  signature: string | null | undefined;
}

/**
 * A verifier for one secret as Supabase shows it (`v1,whsec_<base64>`, or without `v1,`, or the bare
 * base64), or null when it is not a usable symmetric secret (another version, bad base64, empty).
 */
export const webhookForSecret = (secret: string): Webhook | null => {
  let value = secret.trim();
  if (value.startsWith(SYMMETRIC_VERSION)) value = value.slice(SYMMETRIC_VERSION.length);
  if (value === '' || value.includes(',')) return null;
  try {
    return new Webhook(value);
  } catch {
    return null;
  }
};

const present = (value: string | null | undefined): value is string =>
  value !== undefined && value !== null && value.trim() !== '';

/** The `v1` signatures of a `webhook-signature` value: space-separated `v1,<base64>` entries (others ignored). */
const v1Signatures = (header: string): string[] =>
  header
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version, signature]) => version === 'v1' && signature !== undefined && signature !== '')
    .map(([, signature]) => signature!);

/**
 * Checks one delivery against the raw body: the header shapes, the timestamp against our clock (±5 minutes),
 * then the signature. The expected signature of each active secret is computed by the `standardwebhooks`
 * library (`Webhook.sign`, the same code as its `verify`, which cannot take our clock) and every received
 * `v1` is compared with every expected one in constant time.
 */
export const verifyStandardWebhook = (
  headers: WebhookHeaders,
  body: string,
  secrets: readonly string[],
  nowSec: number,
  toleranceSec: number = WEBHOOK_TOLERANCE_SEC,
): Verification => {
  const { id, timestamp, signature } = headers;
  if (!present(id) || !present(timestamp) || !present(signature)) return { ok: false, reason: 'missing' };
  const received = signature.length > MAX_SIGNATURE_HEADER ? [] : v1Signatures(signature);
  if (!MESSAGE_ID.test(id) || !TIMESTAMP.test(timestamp) || received.length === 0) {
    return { ok: false, reason: 'malformed' };
  }
  const t = Number(timestamp);
  if (nowSec - t > toleranceSec) return { ok: false, reason: 'stale' };
  if (t - nowSec > toleranceSec) return { ok: false, reason: 'future' };
  const webhooks = secrets.map(webhookForSecret).filter((w): w is Webhook => w !== null);
  if (webhooks.length === 0) return { ok: false, reason: 'no_secrets' };
  const signedAt = new Date(t * 1000);
  const expected = webhooks.map((webhook) =>
    webhook.sign(id, signedAt, body).slice(SYMMETRIC_VERSION.length),
  );
  let match = false;
  for (const candidate of received) match = safeEqualAny(candidate, expected) || match;
  return match ? { ok: true, id } : { ok: false, reason: 'mismatch' };
};

/**
 * Signs `body` as Supabase does (for tests and docs): the three headers for message `id` at `t` (unix
 * seconds), one `v1,<signature>` per secret, joined by ", " as Supabase Auth joins them.
 */
export const signStandardWebhook = (
  secrets: readonly string[],
  id: string,
  t: number,
  body: string,
): Record<string, string> => {
  const signatures = secrets.map((secret) => {
    const webhook = webhookForSecret(secret);
    if (!webhook) throw new Error('not a Standard Webhooks secret (expected v1,whsec_<base64>)');
    return webhook.sign(id, new Date(t * 1000), body);
  });
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(t),
    [WEBHOOK_SIGNATURE_HEADER]: signatures.join(', '),
  };
};

/** The caller-facing messages of a scheme whose headers are `<prefix>-id`, `<prefix>-timestamp`, `<prefix>-signature`. */
const messagesFor = (prefix: string): Record<VerifyFailure, string> => ({
  missing: `missing ${prefix}-id, ${prefix}-timestamp or ${prefix}-signature header`,
  malformed: `${prefix} headers must be ${prefix}-id (1 to 255 of A-Z a-z 0-9 . _ : -), ${prefix}-timestamp (unix seconds) and ${prefix}-signature (v1,<base64>)`,
  stale: `${prefix}-timestamp is more than ${WEBHOOK_TOLERANCE_SEC} s old`,
  future: `${prefix}-timestamp is more than ${WEBHOOK_TOLERANCE_SEC} s in the future`,
  mismatch: `${prefix}-signature does not match the body for any active secret`,
  no_secrets: `${prefix}-signature cannot be checked: no hook secret is configured`,
});

/**
 * A Standard Webhooks verifier (401 `unauthorized`) for the hook `name`, its headers named `<prefix>-id`,
 * `<prefix>-timestamp` and `<prefix>-signature` (`webhook` for Supabase, `svix` for Svix and Clerk). The verified
 * id is the delivery's idempotency key.
 */
export const standardWebhooksVerifier = (name: string, prefix = 'webhook'): Verifier => ({
  name,
  failure: { status: 401, code: 'unauthorized' },
  messages: messagesFor(prefix),
  hints: {
    missing: `no ${prefix}-* headers: not a Standard Webhooks delivery`,
    malformed: `a ${prefix}-* header is not of the expected form`,
    stale: `${prefix}-timestamp is more than ${WEBHOOK_TOLERANCE_SEC} s old (a replay, or a clock far off)`,
    future: `${prefix}-timestamp is more than ${WEBHOOK_TOLERANCE_SEC} s ahead (a clock far off)`,
    mismatch: 'no active secret matches: the hook secret differs from the one the sender holds',
    no_secrets: 'no usable secret is configured (expected v1,whsec_<base64>)',
  },
  verify: (request, secrets, nowSec) =>
    verifyStandardWebhook(
      {
        id: request.header(`${prefix}-id`),
        timestamp: request.header(`${prefix}-timestamp`),
        signature: request.header(`${prefix}-signature`),
      },
      request.rawBody,
      secrets,
      nowSec,
    ),
});
