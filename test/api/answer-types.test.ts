/**
 * The answer types the code builds (shared/core/verdict.ts, shared/api/*.ts, the hooks' answers) and the zod schemas
 * docs/openapi.json is generated from are the same types: `npm run typecheck` fails when one changes without the
 * other (tsc checks expectTypeOf).
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Auth0HookResponse } from '../../functions/auth0-hook/app.js';
import type { ClerkIgnored } from '../../functions/clerk-hook/answer.js';
import type { FirebaseAnswer } from '../../functions/firebase-hook/answer.js';
import type { KratosRejection } from '../../functions/kratos-hook/answer.js';
import type { OktaAnswer } from '../../functions/okta-hook/answer.js';
import type { PaddleIgnored, PaddleScreened } from '../../functions/paddle-hook/answer.js';
import type { SupabaseRejection } from '../../functions/supabase-hook/app.js';
import type { WorkosSignedResponse } from '../../functions/workos-hook/sign-response.js';
import type {
  errorBodySchema,
  healthSchema,
  labelledAnswerSchema,
  listEntryPageSchema,
  listEntrySchema,
  policyVersionPageSchema,
  policyVersionSchema,
  policyVersionSummarySchema,
  qualityAnswerSchema,
  replayAnswerSchema,
  replayItemSchema,
  statsAnswerSchema,
  statsBucketSchema,
} from '../../shared/api/answers.js';
import type { Page } from '../../shared/api/common.js';
import type {
  auth0AnswerSchema,
  clerkAnswerSchema,
  firebaseAnswerSchema,
  kratosRejectionSchema,
  oktaAnswerSchema,
  paddleAnswerSchema,
  supabaseRejectionSchema,
  workosAnswerSchema,
} from '../../shared/api/hooks.js';
import type { ListEntry, ListEntryPage } from '../../shared/api/lists.js';
import type { LabelledAnswer, QualityAnswer } from '../../shared/api/outcomes.js';
import type {
  PolicyVersionAnswer,
  PolicyVersionPage,
  PolicyVersionSummary,
} from '../../shared/api/policy.js';
import type { ReplayAnswer, ReplayItem } from '../../shared/api/replay.js';
import type { StatsAnswer, StatsBucket } from '../../shared/api/stats.js';
import type { verdictPageSchema, verdictSchema } from '../../shared/api/verdict.js';
import type { VerdictPage } from '../../shared/api/verdicts.js';
import type { Verdict } from '../../shared/core/verdict.js';
import type { ErrorBody } from '../../shared/http/errors.js';
import type * as z from '../../shared/validation/zod.js';

/** An intersection as one object type (expectTypeOf tells `A & B` from the same fields written out). */
type Flat<T> = { [K in keyof T]: T[K] };

describe('answer types and their schemas', () => {
  it('are equal, type for type', () => {
    expectTypeOf<z.output<typeof verdictSchema>>().toEqualTypeOf<Verdict>();
    expectTypeOf<z.output<typeof verdictPageSchema>>().toEqualTypeOf<VerdictPage>();
    expectTypeOf<z.output<typeof verdictPageSchema>>().toEqualTypeOf<Page<Verdict>>();
    expectTypeOf<z.output<typeof listEntrySchema>>().toEqualTypeOf<ListEntry>();
    expectTypeOf<z.output<typeof listEntryPageSchema>>().toEqualTypeOf<ListEntryPage>();
    expectTypeOf<z.output<typeof statsBucketSchema>>().toEqualTypeOf<StatsBucket>();
    expectTypeOf<z.output<typeof statsAnswerSchema>>().toEqualTypeOf<StatsAnswer>();
    expectTypeOf<z.output<typeof replayItemSchema>>().toEqualTypeOf<ReplayItem>();
    expectTypeOf<z.output<typeof replayAnswerSchema>>().toEqualTypeOf<ReplayAnswer>();
    expectTypeOf<z.output<typeof errorBodySchema>>().toEqualTypeOf<ErrorBody>();
    expectTypeOf<z.output<typeof auth0AnswerSchema>>().toEqualTypeOf<Flat<Auth0HookResponse>>();
    expectTypeOf<z.output<typeof supabaseRejectionSchema>>().toEqualTypeOf<SupabaseRejection>();
    expectTypeOf<z.output<typeof healthSchema>>().toEqualTypeOf<{ status: 'ok' }>();
    expectTypeOf<z.output<typeof policyVersionSummarySchema>>().toEqualTypeOf<PolicyVersionSummary>();
    expectTypeOf<z.output<typeof policyVersionSchema>>().toEqualTypeOf<Flat<PolicyVersionAnswer>>();
    expectTypeOf<z.output<typeof policyVersionPageSchema>>().toEqualTypeOf<PolicyVersionPage>();
    expectTypeOf<z.output<typeof labelledAnswerSchema>>().toEqualTypeOf<LabelledAnswer>();
    expectTypeOf<z.output<typeof qualityAnswerSchema>>().toEqualTypeOf<Flat<QualityAnswer>>();
    expectTypeOf<z.output<typeof oktaAnswerSchema>>().toEqualTypeOf<OktaAnswer>();
    expectTypeOf<z.output<typeof kratosRejectionSchema>>().toEqualTypeOf<KratosRejection>();
    expectTypeOf<z.output<typeof paddleAnswerSchema>>().toEqualTypeOf<Flat<PaddleScreened> | PaddleIgnored>();
    expectTypeOf<z.output<typeof clerkAnswerSchema>>().toEqualTypeOf<Verdict | ClerkIgnored>();
    expectTypeOf<z.output<typeof firebaseAnswerSchema>>().toEqualTypeOf<Flat<FirebaseAnswer>>();
    // The SDK types a wider response (any `object`, the authentication Action's payload too): the schema's is one of them.
    expectTypeOf<z.output<typeof workosAnswerSchema>>().toExtend<WorkosSignedResponse>();
  });

  it('would notice a field the type has and the schema lacks', () => {
    type Narrower = Omit<z.output<typeof verdictSchema>, 'outcome'>;
    expectTypeOf<Narrower>().not.toEqualTypeOf<Verdict>();
  });
});
