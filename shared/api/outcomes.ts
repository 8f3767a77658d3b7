/**
 * Outcomes and decision quality (docs/outcomes.md): `POST /verdicts/{id}/outcome` (label one verdict),
 * `POST /outcomes` (label every verdict of an email, phone or reference) and `GET /quality` (how labelled verdicts
 * were decided), their request schemas and answers.
 */
import type { Decision } from '../core/levels.js';
import { SOURCES } from '../core/levels.js';
import { OUTCOME_LABELS } from '../core/vocabulary.js';
import * as z from '../validation/zod.js';
import { isoDate } from './common.js';

/** Longest note kept with a label (as with reviews). */
export const MAX_OUTCOME_NOTE = 500;
/** Longest reference accepted: as long as the longest a screening stores. */
export const MAX_REF_LENGTH = 255;

const note = z.optional(z.nullable(z.string().check(z.maxLength(MAX_OUTCOME_NOTE))));
const ref = z.optional(z.string().check(z.minLength(1), z.maxLength(MAX_REF_LENGTH)));

export const outcomeBody = z.strictObject({
  label: z.enum(OUTCOME_LABELS),
  note,
});
export type OutcomeBody = z.input<typeof outcomeBody>;

export const outcomesBody = z
  .strictObject({
    label: z.enum(OUTCOME_LABELS),
    email: z.optional(z.string().check(z.maxLength(320))),
    phone: z.optional(z.string().check(z.maxLength(64))),
    subject_ref: ref,
    source_ref: ref,
    note,
  })
  .check(
    z.refine(
      (b) =>
        b.email !== undefined ||
        b.phone !== undefined ||
        b.subject_ref !== undefined ||
        b.source_ref !== undefined,
      { message: 'at least one of "email", "phone", "subject_ref" or "source_ref" is required' },
    ),
  );
export type OutcomesBody = z.input<typeof outcomesBody>;

/** The answer of `POST /outcomes`: how many stored verdicts matched and now carry the label. */
export interface LabelledAnswer {
  labelled: number;
}

export const QUALITY_BUCKETS = ['day', 'week'] as const;
export type QualityBucketSize = (typeof QUALITY_BUCKETS)[number];

export const qualityQuery = z.strictObject({
  since: z.optional(isoDate),
  until: z.optional(isoDate),
  source: z.optional(z.enum(SOURCES)),
  bucket: z.optional(z.enum(QUALITY_BUCKETS)),
});
export type QualityQuery = z.output<typeof qualityQuery>;

/** Verdicts of one decision: all of them, and those labelled fraud or legit. */
export interface QualityCell {
  total: number;
  fraud: number;
  legit: number;
}

/** How the labelled verdicts of a range were decided; a share is null when nothing it divides by is labelled. */
export interface QualityFigures {
  labelled: number;
  by_decision: Record<Decision, QualityCell>;
  /** Of the fraud-labelled verdicts, the share decided review or block. */
  fraud_caught: number | null;
  /** Of the legit-labelled verdicts, the share decided block. */
  legit_blocked: number | null;
}

export interface QualityBucket extends QualityFigures {
  start: string;
}

/** The answer of `GET /quality`: the range as counted (whole hours, or whole buckets), its figures, per source. */
export interface QualityAnswer extends QualityFigures {
  since: string;
  until: string;
  /** Sources with any verdict in the range. */
  by_source: Record<string, QualityFigures>;
  /** With `bucket`: the figures per day or week (weeks start on Monday, UTC), oldest first, empty ones included. */
  buckets?: QualityBucket[];
}
