/** Shapes every part of the HTTP API shares: dates, page sizes and cursors in query strings, ULID path ids, pages. */
import * as z from '../validation/zod.js';

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

/** A ULID path parameter (case-insensitive), upper-cased; null when it is not one. */
export const ulidParam = (value: string): string | null =>
  /^[0-9A-HJKMNP-TV-Z]{26}$/i.test(value) ? value.toUpperCase() : null;

/** One page of a listing, newest first; pass `next_cursor` back as `cursor` for the next one (null: no more). */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** The zod schema of a `Page` of `item`s (test/api/answer-types.test.ts keeps it equal to `Page<T>`). */
export const pageSchema = <T extends z.core.$ZodType>(item: T) =>
  z.strictObject({ items: z.array(item), next_cursor: z.nullable(z.string()) });

/** A store's page as the API answers it. */
export const pageOf = <T>(page: { items: T[]; nextCursor: string | null }): Page<T> => ({
  items: page.items,
  next_cursor: page.nextCursor,
});
