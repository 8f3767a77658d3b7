/** The screening use case: normalise → lists → cache → Defastra (email and phone in parallel) → policy → store. */
import { ulid } from 'ulid';
import type { DefastraError } from '../defastra/errors.js';
import type { DefastraPort } from '../defastra/types.js';
import type { Telemetry } from '../observability/telemetry.js';
import { decide, resolveForSource } from '../policy/decide.js';
import type { Source } from '../policy/levels.js';
import { matchLists } from '../policy/lists.js';
import type { Policy } from '../policy/schema.js';
import type { CachedResult, VerdictStore } from '../store/port.js';
import type { IdentifierHasher } from './hashing.js';
import { prepareIdentifier, toDecisionInput, toOutcome } from './identifier.js';
import { type LookupContext, lookupIdentifier } from './lookup.js';
import type { Verdict, VerdictRecord } from './verdict.js';

export interface ScreeningDeps {
  defastra: DefastraPort;
  store: VerdictStore;
  hash: IdentifierHasher;
  telemetry: Telemetry;
  now: () => number;
  newId?: () => string;
}

export interface ScreenInput {
  source: Source;
  sourceRef: string | null;
  /** The provider's opaque id of the person (design 1.4 `subject_ref`); never an email or phone. */
  subjectRef?: string | null;
  /** Raw values as received; `null`/`undefined` means absent. */
  email?: string | null;
  phone?: string | null;
  /** The client's IP as the caller saw it (velocity and runtime lists); never stored raw. */
  ip?: string | null;
}

export interface ScreenOptions {
  /** The caller's deadline as a signal; defaults to the policy's `budget_ms` for the source. */
  signal?: AbortSignal;
  /** The same deadline in epoch ms, so retries never start a wait that would end past it. */
  deadline?: number;
  /** Whether the Defastra client may retry retryable errors inside the budget (default true). */
  retry?: boolean;
  /** Throw RetryableScreeningError instead of applying `on_error` when a failure is retryable (Stripe). */
  throwOnRetryable?: boolean;
  /** Cache reads started earlier by `prefetchCachedResults`, e.g. while an idempotency claim was written. */
  prefetch?: Prefetch;
}

/** Cache reads started ahead of a screening, keyed `<kind>:<hash>`. */
export type Prefetch = ReadonlyMap<string, Promise<CachedResult | null>>;

/**
 * Starts the cache reads a screening of `input` will need, so they overlap with other store work
 * (the idempotency claim). A read nobody uses is harmless; a failed one fails the screening that uses it.
 */
export const prefetchCachedResults = (deps: ScreeningDeps, policy: Policy, input: ScreenInput): Prefetch => {
  const resolved = resolveForSource(policy, input.source);
  const reads = new Map<string, Promise<CachedResult | null>>();
  if (resolved.cache_hours <= 0) return reads;
  for (const id of [
    prepareIdentifier('email', input.email, resolved, deps.hash),
    prepareIdentifier('phone', input.phone, resolved, deps.hash),
  ]) {
    if (!id?.hash) continue;
    const read = deps.store.getCachedResult(id.kind, id.hash);
    read.catch(() => undefined); // observed here; the screening that awaits it still sees the failure
    reads.set(`${id.kind}:${id.hash}`, read);
  }
  return reads;
};

/** A retryable Defastra failure the caller asked to surface instead of deciding (nothing was stored). */
export class RetryableScreeningError extends Error {
  override readonly name = 'RetryableScreeningError';
  constructor(override readonly cause: DefastraError) {
    super(`Defastra is temporarily unavailable (${cause.type})`);
  }
}

const LABEL_PREFIX = 'signup-gate';

/** Runs one screening and stores its verdict. Throws RetryableScreeningError only with `throwOnRetryable`. */
export const screen = async (
  deps: ScreeningDeps,
  policy: Policy,
  input: ScreenInput,
  options: ScreenOptions = {},
): Promise<VerdictRecord> => {
  const resolved = resolveForSource(policy, input.source);
  const started = deps.now();
  const budget = resolved.budget_ms[input.source];
  const signal = options.signal ?? AbortSignal.timeout(budget);
  const deadline = options.deadline ?? (options.signal ? undefined : started + budget);
  const email = prepareIdentifier('email', input.email, resolved, deps.hash);
  const phone = prepareIdentifier('phone', input.phone, resolved, deps.hash);
  const listed = matchLists(resolved, email?.normalised ?? null, phone?.normalised ?? null);
  const anyListed = listed.email !== undefined || listed.phone !== undefined;

  const ctx: LookupContext = {
    defastra: deps.defastra,
    store: deps.store,
    telemetry: deps.telemetry,
    now: deps.now,
    cacheHours: resolved.cache_hours,
    call: {
      timeout: resolved.defastra_timeout[input.source],
      label: `${LABEL_PREFIX}-${input.source}`,
      signal,
      ...(deadline === undefined ? {} : { deadline }),
      retry: options.retry ?? true,
    },
    cacheWrites: [],
    ...(options.prefetch ? { prefetched: options.prefetch } : {}),
  };
  // A listed identifier decides alone: no Defastra call for either.
  const [emailLookup, phoneLookup] = anyListed
    ? [null, null]
    : await Promise.all([lookupIdentifier(ctx, email), lookupIdentifier(ctx, phone)]);

  if (options.throwOnRetryable) {
    const retryable = [emailLookup, phoneLookup].find(
      (l): l is { error: DefastraError } => !!l && 'error' in l && l.error.retryable,
    );
    if (retryable) {
      await Promise.all(ctx.cacheWrites); // the other identifier's fresh result stays reusable
      throw new RetryableScreeningError(retryable.error);
    }
  }

  const outcome = decide(
    resolved,
    input.source,
    toDecisionInput(email, listed.email, emailLookup),
    toDecisionInput(phone, listed.phone, phoneLookup),
  );
  const now = deps.now();
  const verdict: Verdict = {
    verdict_id: deps.newId?.() ?? ulid(now),
    created_at: new Date(now).toISOString(),
    source: input.source,
    source_ref: input.sourceRef,
    decision: outcome.decision,
    reasons: outcome.reasons,
    degraded: outcome.degraded,
    email: toOutcome(email, listed.email, emailLookup),
    phone: toOutcome(phone, listed.phone, phoneLookup),
    policy_version: resolved.version,
  };
  const record: VerdictRecord = {
    verdict,
    emailHash: email?.hash ?? null,
    phoneHash: phone?.hash ?? null,
    expiresAt: Math.ceil(now / 1000) + resolved.retention_days * 86_400,
  };
  await Promise.all([deps.store.saveVerdict(record), ...ctx.cacheWrites]);
  deps.telemetry.setCorrelationId(verdict.verdict_id);
  deps.telemetry.decision(input.source, verdict.decision, verdict.degraded);
  deps.telemetry.info('verdict', {
    verdict_id: verdict.verdict_id,
    source: verdict.source,
    decision: verdict.decision,
    degraded: verdict.degraded,
    reasons: verdict.reasons.map((r) => r.code),
    duration_ms: now - started,
  });
  return record;
};
