/**
 * Scrubs text Defastra wrote (check details, error messages) before it is stored or returned (docs/verdict.md): the
 * screened values become their masked forms, any other email or phone number in any common format is masked, and
 * lengths are capped so no answer can push a stored item past DynamoDB's 400 KB limit.
 */

import type { Check } from '../core/verdict.js';
import { maskEmail } from '../policy/identifiers.js';

/** Longest `checks[].detail` kept. */
export const MAX_DETAIL_LENGTH = 500;
/** Longest `error.message` kept. */
export const MAX_ERROR_MESSAGE_LENGTH = 200;
/** Longest check code kept, and most checks kept per identifier. */
const MAX_CODE_LENGTH = 64;
const MAX_CHECKS = 64;

/**
 * Anything shaped like an address: a local part, `@`, and a dotted domain. The bounded repetitions keep the scan
 * linear: an unbounded local part made a 450 KB detail without `@` take minutes (quadratic backtracking).
 */
const EMAIL = /[^\s@<>()[\]"',;:]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){1,8}/gu;
/** The same with its `@` URL-encoded (`jane.doe%40example.org`, `%2540` when encoded twice), as query strings carry it. */
const ENCODED_EMAIL =
  /[^\s@<>()[\]"',;:&=?/]{1,64}%(?:25)?40[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){1,8}/giu;
/**
 * A run of digits with the separators people write phone numbers with (`+33 6 12 34 56 78`, `06.12.34.56.78`,
 * `(415) 555-0132`, `0033612345678`), not glued to letters or other digits.
 */
const PHONE = /(?<![\p{L}\p{N}_+])\+?\(?\d[\d\s()./-]{5,24}\d(?![\p{L}\p{N}_])/gu;
const ISO_DATE = /\d{4}-\d{2}-\d{2}/;

const maskDigits = (digits: string): string =>
  `${'*'.repeat(Math.max(digits.length - 2, 4))}${digits.slice(-2)}`;

/** An encoded email as it reads decoded (`%40` → `@`, other escapes left as they are). */
const decodedEmail = (encoded: string): string => encoded.replace(/%(?:25)?40/i, '@').toLowerCase();

/** Masks every email (URL-encoded ones too) and phone-number-shaped run in `text`. Dates (`2026-11-30`) are left alone. */
export const redactPii = (text: string): string =>
  text
    .replace(EMAIL, (email) => maskEmail(email.toLowerCase()))
    .replace(ENCODED_EMAIL, (email) => maskEmail(decodedEmail(email)))
    .replace(PHONE, (run) => {
      const digits = run.replace(/\D/g, '');
      if (digits.length < 7 || digits.length > 15 || ISO_DATE.test(run)) return run;
      return maskDigits(digits);
    });

const cap = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const escapeRegExp = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces the known raw values (case-insensitive) with their masked forms, then any other email or phone. */
const scrub = (text: string, secrets: ReadonlyArray<{ raw: string; masked: string }>): string => {
  let out = text;
  for (const { raw, masked } of secrets) {
    if (raw.length < 4) continue;
    out = out.replace(new RegExp(escapeRegExp(raw), 'gi'), masked);
    const encoded = encodeURIComponent(raw);
    if (encoded !== raw) out = out.replace(new RegExp(escapeRegExp(encoded), 'gi'), masked);
  }
  return redactPii(out);
};

/** Redacted and capped checks: codes ≤ 64 characters, details ≤ 500, at most 64 checks. */
export const redactChecks = (
  checks: Check[],
  secrets: ReadonlyArray<{ raw: string; masked: string }>,
): Check[] =>
  checks.slice(0, MAX_CHECKS).map((check) => ({
    ...check,
    code: cap(redactPii(check.code), MAX_CODE_LENGTH),
    detail: cap(scrub(check.detail, secrets), MAX_DETAIL_LENGTH),
  }));

/** Longest error type kept. */
const MAX_ERROR_TYPE_LENGTH = 64;

/**
 * An error type fit to store and return: Defastra's codes (`RATE_LIMITED_1_MINUTE`) as they are; any other text it
 * sent in `error_type` redacted like a message, at most 64 characters.
 */
export const redactErrorType = (
  type: string,
  secrets: ReadonlyArray<{ raw: string; masked: string }> = [],
): string => (/^[A-Za-z0-9_]{1,64}$/.test(type) ? type : cap(scrub(type, secrets), MAX_ERROR_TYPE_LENGTH));

/** An error message fit to store and return: redacted, at most 200 characters. */
export const redactErrorMessage = (
  message: string,
  secrets: ReadonlyArray<{ raw: string; masked: string }> = [],
): string => cap(scrub(message, secrets), MAX_ERROR_MESSAGE_LENGTH);

/**
 * An email inside an id: a local part of the characters addresses use (so `samlp|corp|` or `lead?email=` before it
 * stays), `@` or its URL encoding, and a dotted domain.
 */
const REF_EMAIL =
  /[\p{L}\p{N}._+\-!$'*^`{}~]{1,64}(?:@|%(?:25)?40)[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){1,8}/giu;
/** A phone written internationally inside an id (`sms|+33 6 12 34 56 78`): `+`, then 7 to 15 digits with separators. */
const INTERNATIONAL_PHONE = /\+\d[\d\s().-]{5,22}\d(?![\p{L}\p{N}_])/gu;

/**
 * An id or reference kept on a verdict (`source_ref`, `subject_ref`) with any email in it masked as everywhere else
 * (`samlp|corp|jane@corp.example` → `samlp|corp|j***@corp.example`, URL-encoded ones too) and any phone written
 * with its `+`. Plain digit runs are left alone: ids (UUIDs, event ids) are full of them.
 */
export const maskReference = (ref: string | null | undefined): string | null => {
  if (ref === null || ref === undefined) return null;
  return ref
    .replace(REF_EMAIL, (email) => maskEmail(decodedEmail(email)))
    .replace(INTERNATIONAL_PHONE, (run) => {
      const digits = run.replace(/\D/g, '');
      return digits.length < 7 || digits.length > 15 ? run : `+${maskDigits(digits)}`;
    });
};
