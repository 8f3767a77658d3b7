/**
 * Standard Webhooks verification (design 1.13, Supabase auth hooks): headers `webhook-id`,
 * `webhook-timestamp` and `webhook-signature` (space-separated `v1,<base64 HMAC-SHA256>` of
 * `"<id>.<timestamp>.<body>"`), computed with the `standardwebhooks` library for every active secret and
 * compared in constant time, 5 minutes of tolerance either way. Secrets are taken as Supabase shows them, `v1,whsec_<base64>` (the
 * `v1,` optional). The Hono middleware answers 401 `unauthorized` and logs why, never the headers.
 */
import type { MiddlewareHandler } from 'hono';
import { Webhook } from 'standardwebhooks';
import type { Telemetry } from '../observability/telemetry.js';
import type { AppEnv } from './env.js';
import { ApiError } from './errors.js';
import { safeEqualAny } from './secure-compare.js';

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';
/** Largest accepted gap between `webhook-timestamp` and our clock, in either direction (the library's). */
export const WEBHOOK_TOLERANCE_SEC = 300;

/** The id becomes an idempotency key: the same characters and length as an `Idempotency-Key` (design 1.3). */
const MESSAGE_ID = /^[A-Za-z0-9._:-]{1,255}$/;
const TIMESTAMP = /^\d{1,12}$/;
/** Bounds the work an unsigned request can cause (Supabase sends one `v1,` signature per active secret). */
const MAX_SIGNATURE_HEADER = 2048;
const SYMMETRIC_VERSION = 'v1,';

/** Why a delivery was refused; for logs only (never echo the headers). */
export type WebhookFailure = 'missing' | 'malformed' | 'stale' | 'future' | 'mismatch' | 'no_secrets';

export type WebhookCheck = { ok: true; id: string } | { ok: false; reason: WebhookFailure };

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
): WebhookCheck => {
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

const MESSAGES: Record<WebhookFailure, string> = {
  missing: 'missing webhook-id, webhook-timestamp or webhook-signature header',
  malformed:
    'webhook headers must be webhook-id (1 to 255 of A-Z a-z 0-9 . _ : -), webhook-timestamp (unix seconds) and webhook-signature (v1,<base64>)',
  stale: `webhook-timestamp is more than ${WEBHOOK_TOLERANCE_SEC} s old`,
  future: `webhook-timestamp is more than ${WEBHOOK_TOLERANCE_SEC} s in the future`,
  mismatch: 'webhook-signature does not match the body for any active secret',
  no_secrets: 'webhook-signature cannot be checked: no hook secret is configured',
};

export interface StandardWebhooksOptions {
  /** Active secrets (several during a rotation); none usable refuses every request. */
  secrets: () => Promise<readonly string[]>;
  /** Clock in epoch milliseconds. */
  now: () => number;
  telemetry?: Telemetry;
  /** Names the hook in log lines, e.g. `supabase`. */
  name: string;
}

/** 401 `unauthorized` unless the request is a valid Standard Webhooks delivery of `rawBody` (after `readBody`). */
export const standardWebhooks =
  (options: () => Promise<StandardWebhooksOptions>): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const { secrets, now, telemetry, name } = await options();
    const active = await secrets();
    const check = verifyStandardWebhook(
      {
        id: c.req.header(WEBHOOK_ID_HEADER),
        timestamp: c.req.header(WEBHOOK_TIMESTAMP_HEADER),
        signature: c.req.header(WEBHOOK_SIGNATURE_HEADER),
      },
      c.get('rawBody'),
      active,
      Math.floor(now() / 1000),
    );
    if (!check.ok) {
      if (check.reason === 'no_secrets') {
        telemetry?.error(`${name} hook has no usable secret`, { configured: active.length });
      }
      telemetry?.warn(`${name} webhook signature rejected`, { reason: check.reason });
      throw new ApiError(401, 'unauthorized', MESSAGES[check.reason]);
    }
    await next();
  };
