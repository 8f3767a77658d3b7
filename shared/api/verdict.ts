/**
 * The verdict (docs/verdict.md) as a zod schema: what every screening route and the verdict routes answer. The type
 * stays in shared/core/verdict.ts; test/api/answer-types.test.ts keeps the two equal, and docs/openapi.json is
 * generated from this schema.
 */
import { DECISIONS, RISK_LEVELS, SOURCES } from '../core/levels.js';
import { REASON_CODES } from '../core/verdict.js';
import { LIST_ACTIONS, REVIEW_OUTCOMES } from '../core/vocabulary.js';
import * as z from '../validation/zod.js';
import { pageSchema } from './common.js';

/** A timestamp as the API writes it (`toISOString()`). */
export const timestamp = z.iso.datetime();
/** A ULID as the API writes it (upper case). */
export const ulid = z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/));

const decision = z.enum(DECISIONS);

export const checkSchema = z.strictObject({
  code: z.string(),
  result_type: z.enum(['risk', 'trust', 'neutral']),
  detail: z.string(),
});

export const reasonSchema = z.strictObject({ code: z.enum(REASON_CODES), message: z.string() });

/** One identifier's part: a Defastra result, an error, a list hit, or invalid (besides `masked`). */
export const identifierOutcomeSchema = z.strictObject({
  masked: z.string(),
  risk_level: z.optional(z.enum(RISK_LEVELS)),
  risk_score: z.optional(z.number()),
  request_id: z.optional(z.string()),
  cached: z.optional(z.boolean()),
  checks: z.optional(z.array(checkSchema)),
  error: z.optional(z.strictObject({ type: z.string(), message: z.string() })),
  listed: z.optional(z.enum(LIST_ACTIONS)),
  invalid: z.optional(z.literal(true)),
});

export const reviewSchema = z.strictObject({
  outcome: z.enum(REVIEW_OUTCOMES),
  note: z.nullable(z.string()),
  reviewed_at: timestamp,
  reviewed_by: z.string(),
});

export const rescreenStateSchema = z.strictObject({
  status: z.enum(['pending', 'done', 'gave_up']),
  attempts: z.number(),
  next_at: z.nullable(timestamp),
});

export const enforcementSchema = z.strictObject({
  status: z.enum(['pending', 'done', 'failed', 'undone']),
  action: z.enum(['block', 'unblock']),
  at: timestamp,
  error: z.optional(z.string()),
});

export const shadowDecisionSchema = z.strictObject({ version: z.string(), decision });

export const outcomeSchema = z.strictObject({
  label: z.enum(['fraud', 'legit']),
  source: z.enum(['manual', 'api', 'stripe']),
  note: z.nullable(z.string()),
  labelled_at: timestamp,
  labelled_by: z.string(),
});

/** The verdict's fields; the hooks' answers extend them (`user_message`, `event_id`...). */
export const verdictShape = {
  verdict_id: ulid,
  created_at: timestamp,
  source: z.enum(SOURCES),
  source_ref: z.nullable(z.string()),
  subject_ref: z.nullable(z.string()),
  decision,
  reasons: z.array(reasonSchema),
  degraded: z.boolean(),
  email: z.nullable(identifierOutcomeSchema),
  phone: z.nullable(identifierOutcomeSchema),
  policy_version: z.string(),
  review: z.nullable(reviewSchema),
  action: decision,
  mode: z.enum(['enforce', 'monitor']),
  rescreen: z.nullable(rescreenStateSchema),
  provisional_decision: z.nullable(decision),
  rescreened_at: z.nullable(timestamp),
  enforcement: z.nullable(enforcementSchema),
  shadow: z.nullable(shadowDecisionSchema),
  outcome: z.nullable(outcomeSchema),
};

export const verdictSchema = z.strictObject(verdictShape);

/** The answer of `GET /verdicts`. */
export const verdictPageSchema = pageSchema(verdictSchema);
