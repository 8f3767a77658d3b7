/**
 * Pieces the newer providers' event modules share (functions/<provider>-hook/event.ts): loose zod parts, the
 * run-once key's shape, and how a provider's value becomes a `subject_ref` or an identifier. Pure: no I/O.
 */
import { redactPii } from '../shared/screening/redact.js';
import * as z from '../shared/validation/zod.js';

/** An optional text field; `null` and absent mean the same. */
export const text = z.nullish(z.string());

/** A provider object carries many more fields than we read: unknown keys pass, the ones we read are typed. */
export const part = <T extends z.core.$ZodShape>(shape: T) => z.nullish(z.looseObject(shape));

/** A run-once key (event id, svix-id, flow id...): the characters and length of an `Idempotency-Key`. */
export const RUN_ONCE_KEY = /^[A-Za-z0-9._:-]{1,255}$/;
export const runOnceKey = z.string().check(z.regex(RUN_ONCE_KEY, 'expected 1 to 255 of A-Z a-z 0-9 . _ : -'));

/** A provider's id of a person or object: bounded, as it is stored. */
export const opaqueId = z.nullish(z.string().check(z.maxLength(255)));

/** The value, or null when absent or blank (providers send "" for an unset field). */
export const present = (value: string | null | undefined): string | null =>
  value === undefined || value === null || value.trim() === '' ? null : value;

/**
 * A provider id as a `subject_ref`: null when absent, and any email or phone number inside it masked (an id
 * chosen by the application, such as a Firebase custom uid, may hold one; never stored raw).
 */
export const subjectRef = (value: string | null | undefined): string | null => {
  const id = present(value);
  return id === null ? null : redactPii(id.trim());
};

/** `value` when it is a valid run-once key, else null (the screening then runs without one). */
export const asRunOnceKey = (value: string | null | undefined): string | null =>
  value !== undefined && value !== null && RUN_ONCE_KEY.test(value) ? value : null;
