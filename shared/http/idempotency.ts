/** The `Idempotency-Key` header: 1–255 characters of `[A-Za-z0-9._:-]`, the run-once key of `/screen` and `/hooks/auth0`. */
import { badRequest } from './errors.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,255}$/;

/** The `Idempotency-Key` header, validated, or null when absent; 400 when malformed. */
export const readIdempotencyKey = (header: string | undefined): string | null => {
  if (header === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw badRequest('Idempotency-Key must be 1 to 255 characters of letters, digits, ".", "_", ":" or "-"');
  }
  return header;
};
