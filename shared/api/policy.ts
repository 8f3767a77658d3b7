/**
 * The policy lifecycle routes (docs/policy-lifecycle.md): `GET|PUT /policy`, `GET /policy/versions[/{version}]`,
 * `POST /policy/rollback`, `GET|PUT|DELETE /policy/shadow`; what they take and what they answer.
 */
import * as z from '../validation/zod.js';
import { cursorParam, limitParam, type Page } from './common.js';

/** A policy document: the JSON object of a policy file (validated by shared/policy/schema.ts, not here). */
export type PolicyDocument = Record<string, unknown>;

/** Who changed the policy, when and why: one line of the audit trail. */
export interface PolicyVersionSummary {
  /** `r1`, `r2`, … for runtime versions (assigned by the server), `s1`, `s2`, … for shadows, the file's own `version`. */
  version: string;
  /** Null for the bundled policy file (it has no time of its own). */
  created_at: string | null;
  /** The IAM principal ARN in AWS, `local` locally, `file` for the bundled policy file. */
  created_by: string;
  comment: string | null;
}

/** A version with its policy: the effective merged policy (defaults, file or body, and `sources`). */
export interface PolicyVersionAnswer extends PolicyVersionSummary {
  policy: PolicyDocument;
}

/** The answer of `GET /policy/versions`: newest first, the bundled file's version last. */
export type PolicyVersionPage = Page<PolicyVersionSummary>;

const policyField = z.record(z.string(), z.unknown());
const comment = z.optional(z.nullable(z.string().check(z.maxLength(500))));
/** A version name as the routes take it (`r12`, `s3`, or the file's own version). */
export const versionName = z.string().check(z.minLength(1), z.maxLength(64));

export const putPolicyBody = z.strictObject({
  policy: policyField,
  comment,
  /** The version the caller read; another one active now → 409 `version_conflict`. */
  expected_version: z.optional(versionName),
});
export type PutPolicyBody = z.input<typeof putPolicyBody>;

export const rollbackBody = z.strictObject({ version: versionName });
export type RollbackBody = z.input<typeof rollbackBody>;

export const putShadowBody = z.strictObject({ policy: policyField, comment });
export type PutShadowBody = z.input<typeof putShadowBody>;

export const versionsQuery = z.strictObject({
  limit: z.optional(limitParam),
  cursor: z.optional(cursorParam),
});
