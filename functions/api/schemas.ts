/** Request shapes of the operator API (design 1.7, 1.11, 1.12): zod schemas shared by its routes. */
import { DECISIONS, SOURCES } from '../../shared/core/levels.js';
import { LIST_ACTIONS, LIST_KINDS, REVIEW_FILTERS, REVIEW_OUTCOMES } from '../../shared/core/vocabulary.js';
import * as z from '../../shared/validation/zod.js';

/** An ISO 8601 date or date-time, normalised to `toISOString()`. */
export const isoDate = z.pipe(
  z
    .string()
    .check(
      z.refine(
        (v) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)),
        { message: 'expected an ISO 8601 date' },
      ),
    ),
  z.transform((v: string) => new Date(v).toISOString()),
);

/** A page size from the query string: 1 to 100. */
export const limitParam = z
  .pipe(z.string().check(z.regex(/^\d{1,3}$/, 'expected a whole number from 1 to 100')), z.transform(Number))
  .check(z.refine((n) => n >= 1 && n <= 100, 'expected a whole number from 1 to 100'));

export const cursorParam = z.string().check(z.minLength(1), z.maxLength(4096));

export const screenBody = z
  .strictObject({
    email: z.optional(z.nullable(z.string().check(z.maxLength(320)))),
    phone: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
    reference: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(200)))),
    ip: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
  })
  .check(
    z.refine((b) => (b.email ?? null) !== null || (b.phone ?? null) !== null, {
      message: 'at least one of "email" or "phone" is required',
    }),
  );

export const verdictsQuery = z.strictObject({
  email: z.optional(z.string().check(z.maxLength(320))),
  phone: z.optional(z.string().check(z.maxLength(64))),
  decision: z.optional(z.enum(DECISIONS)),
  source: z.optional(z.enum(SOURCES)),
  review: z.optional(z.enum(REVIEW_FILTERS)),
  since: z.optional(isoDate),
  until: z.optional(isoDate),
  limit: z.optional(limitParam),
  cursor: z.optional(cursorParam),
});

export const reviewBody = z.strictObject({
  outcome: z.enum(REVIEW_OUTCOMES),
  note: z.optional(z.nullable(z.string().check(z.maxLength(500)))),
  add_to_list: z.optional(z.boolean()),
});

export const listEntryBody = z.strictObject({
  kind: z.enum(LIST_KINDS),
  value: z.string().check(z.minLength(1), z.maxLength(320)),
  action: z.enum(LIST_ACTIONS),
  note: z.optional(z.nullable(z.string().check(z.maxLength(500)))),
  expires_at: z.optional(z.nullable(isoDate)),
});

export const listsQuery = z.strictObject({
  kind: z.optional(z.enum(LIST_KINDS)),
  action: z.optional(z.enum(LIST_ACTIONS)),
  limit: z.optional(limitParam),
  cursor: z.optional(cursorParam),
});

export const statsQuery = z.strictObject({
  since: z.optional(isoDate),
  until: z.optional(isoDate),
  bucket: z.optional(z.enum(['hour', 'day'])),
});

export const replayBody = z.strictObject({
  policy: z.record(z.string(), z.unknown()),
  since: z.optional(isoDate),
  until: z.optional(isoDate),
  source: z.optional(z.enum(SOURCES)),
});

/** A ULID path parameter (case-insensitive), upper-cased; null when it is not one. */
export const ulidParam = (value: string): string | null =>
  /^[0-9A-HJKMNP-TV-Z]{26}$/i.test(value) ? value.toUpperCase() : null;
