/**
 * The operator API's answers (besides the verdict, shared/api/verdict.ts) as zod schemas: the error body, list entries,
 * statistics, replay, health. The TypeScript types stay beside their request schemas; test/api/answer-types.test.ts
 * keeps each type equal to its schema, and docs/openapi.json is generated from these.
 */
import { DECISIONS } from '../core/levels.js';
import { LIST_ACTIONS, LIST_KINDS } from '../core/vocabulary.js';
import * as z from '../validation/zod.js';
import { pageSchema } from './common.js';
import { timestamp, ulid } from './verdict.js';

/** Every error: `{"error":{"code","message"}}` (docs/api.md). */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string() }),
});

export const listEntrySchema = z.strictObject({
  entry_id: ulid,
  kind: z.enum(LIST_KINDS),
  action: z.enum(LIST_ACTIONS),
  masked: z.string(),
  note: z.nullable(z.string()),
  created_at: timestamp,
  created_by: z.string(),
  expires_at: z.nullable(timestamp),
});

export const listEntryPageSchema = pageSchema(listEntrySchema);

const decisionCounts = z.strictObject({ allow: z.number(), review: z.number(), block: z.number() });

export const statsBucketSchema = z.strictObject({
  start: timestamp,
  allow: z.number(),
  review: z.number(),
  block: z.number(),
  degraded: z.number(),
  by_source: z.record(z.string(), decisionCounts),
  defastra_calls: z.number(),
  cache_hits: z.number(),
  velocity: z.number(),
  spend_limited: z.number(),
  monitored: z.number(),
  shadow: z.optional(z.record(z.string(), z.record(z.string(), z.number()))),
});

export const statsAnswerSchema = z.strictObject({ buckets: z.array(statsBucketSchema) });

const decision = z.enum(DECISIONS);

const outcomeCounts = z.strictObject({ fraud: z.number(), legit: z.number() });
const outcomeFigures = z.strictObject({
  outcomes: z.strictObject({ allow: outcomeCounts, review: outcomeCounts, block: outcomeCounts }),
  fraud_caught: z.nullable(z.number()),
  legit_blocked: z.nullable(z.number()),
});

export const replayItemSchema = z.strictObject({ verdict_id: ulid, from: decision, to: decision });

export const replayAnswerSchema = z.strictObject({
  total: z.number(),
  changed: z.number(),
  transitions: z.record(z.string(), z.record(z.string(), z.number())),
  items: z.array(replayItemSchema),
  truncated: z.boolean(),
  unresolved: z.array(z.strictObject({ verdict_id: ulid, from: decision, why: z.string() })),
  ...outcomeFigures.shape,
  current: z.strictObject(outcomeFigures.shape),
});

/** `GET /health` (local server). */
export const healthSchema = z.strictObject({ status: z.literal('ok') });

/** One line of the policy audit trail (`GET /policy/versions`). */
export const policyVersionSummarySchema = z.strictObject({
  version: z.string(),
  created_at: z.nullable(timestamp),
  created_by: z.string(),
  comment: z.nullable(z.string()),
});

/** A policy version with its effective merged policy (`GET|PUT /policy`, rollback, shadow). */
export const policyVersionSchema = z.strictObject({
  ...policyVersionSummarySchema.shape,
  policy: z.record(z.string(), z.unknown()),
});

export const policyVersionPageSchema = pageSchema(policyVersionSummarySchema);

/** `POST /outcomes`: how many stored verdicts now carry the label. */
export const labelledAnswerSchema = z.strictObject({ labelled: z.number() });

const qualityCell = z.strictObject({ total: z.number(), fraud: z.number(), legit: z.number() });
const qualityFiguresShape = {
  labelled: z.number(),
  by_decision: z.strictObject({ allow: qualityCell, review: qualityCell, block: qualityCell }),
  fraud_caught: z.nullable(z.number()),
  legit_blocked: z.nullable(z.number()),
};
export const qualityFiguresSchema = z.strictObject(qualityFiguresShape);
export const qualityBucketSchema = z.strictObject({ start: timestamp, ...qualityFiguresShape });

/** `GET /quality`. */
export const qualityAnswerSchema = z.strictObject({
  since: timestamp,
  until: timestamp,
  ...qualityFiguresShape,
  by_source: z.record(z.string(), qualityFiguresSchema),
  buckets: z.optional(z.array(qualityBucketSchema)),
});
