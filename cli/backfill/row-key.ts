/**
 * The exact body sent for a row and its Idempotency-Key. The body is serialised the same way every run
 * (fixed key order, trimmed values, email lowercased), so a rerun repeats it byte for byte; the key is an
 * HMAC of that body under the operator's backfill secret. The server stores keys as given, so a plain hash
 * of an email would be a stored unkeyed hash of personal data (docs/verdict.md): the secret prevents that.
 */
import { createHash, createHmac } from 'node:crypto';
import { normaliseEmail } from '../../shared/policy/identifiers.js';
import type { BackfillRow } from './rows.js';

/** The `POST /screen` body for a row, deterministic. */
export const rowBody = (row: BackfillRow): string => {
  const body: BackfillRow = {};
  if (row.email !== undefined) body.email = row.email.trim().toLowerCase();
  if (row.phone !== undefined) body.phone = row.phone.trim();
  if (row.reference !== undefined) body.reference = row.reference.trim();
  if (row.ip !== undefined) body.ip = row.ip.trim();
  return JSON.stringify(body);
};

/** `backfill:` and 64 hex digits: within the contract's 1–255 characters of `[A-Za-z0-9._:-]`. */
export const rowKey = (secret: Buffer, body: string): string =>
  `backfill:${createHmac('sha256', secret).update(body).digest('hex')}`;

/** An in-memory fingerprint for spotting duplicate rows (never sent or stored). */
export const rowFingerprint = (body: string): string => createHash('sha256').update(body).digest('base64');

/**
 * Defastra calls a row can cost at most: one for a plausible email, one for a phone. Fewer in practice:
 * list entries, a cached result, velocity and spend limits answer without a call, and so does a row an
 * earlier run already screened.
 */
export const callsFor = (row: BackfillRow): { email: number; phone: number } => ({
  email: row.email !== undefined && normaliseEmail(row.email) !== null ? 1 : 0,
  phone: row.phone !== undefined ? 1 : 0,
});
