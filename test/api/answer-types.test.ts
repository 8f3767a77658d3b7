/**
 * The answer types the code builds (shared/core/verdict.ts, shared/api/*.ts, the hooks' answers) and the zod schemas
 * docs/openapi.json is generated from are the same types: `npm run typecheck` fails when one changes without the
 * other (tsc checks expectTypeOf).
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Auth0HookResponse } from '../../functions/auth0-hook/app.js';
import type { SupabaseRejection } from '../../functions/supabase-hook/app.js';
import type {
  errorBodySchema,
  healthSchema,
  listEntryPageSchema,
  listEntrySchema,
  replayAnswerSchema,
  replayItemSchema,
  statsAnswerSchema,
  statsBucketSchema,
} from '../../shared/api/answers.js';
import type { Page } from '../../shared/api/common.js';
import type { auth0AnswerSchema, supabaseRejectionSchema } from '../../shared/api/hooks.js';
import type { ListEntry, ListEntryPage } from '../../shared/api/lists.js';
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
  });

  it('would notice a field the type has and the schema lacks', () => {
    type Narrower = Omit<z.output<typeof verdictSchema>, 'outcome'>;
    expectTypeOf<Narrower>().not.toEqualTypeOf<Verdict>();
  });
});
