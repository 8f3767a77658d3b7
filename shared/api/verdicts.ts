/** `GET /verdicts` (filters, a page of verdicts) and `POST /verdicts/{id}/review` (an operator's review). */
import { DECISIONS, SOURCES } from '../core/levels.js';
import type { Verdict } from '../core/verdict.js';
import { REVIEW_FILTERS, REVIEW_OUTCOMES } from '../core/vocabulary.js';
import * as z from '../validation/zod.js';
import { cursorParam, isoDate, limitParam, type Page } from './common.js';

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

/** The answer of `GET /verdicts`. */
export type VerdictPage = Page<Verdict>;

export const reviewBody = z.strictObject({
  outcome: z.enum(REVIEW_OUTCOMES),
  note: z.optional(z.nullable(z.string().check(z.maxLength(500)))),
  add_to_list: z.optional(z.boolean()),
});
export type ReviewBody = z.input<typeof reviewBody>;
