/**
 * The screening use case: normalise → one store round trip (cache, runtime lists, velocity, spend) → lists and
 * velocity → Defastra for email and phone in parallel → policy → store (verdict, cache, counters in parallel).
 */
import { randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import { errorName } from '../core/errors.js';
import type { Source } from '../core/levels.js';
import type { ListHit, VelocityHit, Verdict, VerdictRecord } from '../core/verdict.js';
import type { KeyedHasher } from '../core/vocabulary.js';
import type { DefastraError } from '../defastra/errors.js';
import type { DefastraPort } from '../defastra/types.js';
import { runtimeListHits, runtimeListKeys } from '../lists/keys.js';
import type { Telemetry } from '../observability/telemetry.js';
import { decide, decidedWithoutLevels, resolveForSource } from '../policy/decide.js';
import { emailDomain, normaliseIp } from '../policy/identifiers.js';
import { listedBy, policyListHits } from '../policy/lists.js';
import type { Policy, ResolvedPolicy } from '../policy/schema.js';
import { callsIncrement, hourOf, verdictIncrement } from '../stats/counters.js';
import type { PreludeResult, StatsIncrement, Store } from '../store/ports.js';
import { planVelocity, type VelocityPlan, velocityHits } from '../velocity/counts.js';
import { type PreparedIdentifier, prepareIdentifier, toDecisionInput, toOutcome } from './identifier.js';
import { type LookupContext, lookupIdentifier } from './lookup.js';

export interface ScreeningDeps {
  defastra: DefastraPort;
  store: Pick<Store, 'verdicts' | 'screening' | 'counters'>;
  hash: KeyedHasher;
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
  /** A plan started earlier by `planScreening` (its store round trip overlapping e.g. an idempotency claim). */
  plan?: ScreeningPlan;
  /**
   * Another store write to make in the same round trip as the verdict (an idempotency marker's completion). Its
   * failure does not fail the screening: the verdict is stored.
   */
  alongside?: (record: VerdictRecord) => Promise<void>;
}

/** A retryable Defastra failure the caller asked to surface instead of deciding (nothing was stored). */
export class RetryableScreeningError extends Error {
  override readonly name = 'RetryableScreeningError';
  constructor(override readonly cause: DefastraError) {
    super(`Defastra is temporarily unavailable (${cause.type})`);
  }
}

/** A screening's inputs prepared, and its one store round trip under way. */
export interface ScreeningPlan {
  policy: ResolvedPolicy;
  email: PreparedIdentifier | null;
  phone: PreparedIdentifier | null;
  policyHits: ListHit[];
  velocity: VelocityPlan;
  /** Null when the policy file allow-lists the screening: allow wins, nothing is read or counted. */
  prelude: Promise<PreludeResult> | null;
}

const LABEL_PREFIX = 'signup-gate';

/**
 * Prepares a screening and starts its store round trip: cached results, runtime list entries (email, domain and
 * parents, phone, IP), the velocity adds and the spend total, all in parallel. A failed read fails the screening
 * that awaits it; a velocity add that fails only loses its count.
 */
export const planScreening = (deps: ScreeningDeps, policy: Policy, input: ScreenInput): ScreeningPlan => {
  const resolved = resolveForSource(policy, input.source);
  const email = prepareIdentifier('email', input.email, resolved, deps.hash);
  const phone = prepareIdentifier('phone', input.phone, resolved, deps.hash);
  const domain = email?.normalised ? emailDomain(email.normalised) : null;
  const policyHits = policyListHits(resolved, deps.hash, {
    emailHash: email?.hash ?? null,
    emailDomain: domain,
    phoneHash: phone?.hash ?? null,
  });
  const noVelocity: VelocityPlan = { counts: [], keys: [] };
  if (policyHits.some((hit) => hit.list === 'allow')) {
    return { policy: resolved, email, phone, policyHits, velocity: noVelocity, prelude: null };
  }
  const nowMs = deps.now();
  const ip = input.ip ? normaliseIp(input.ip) : null;
  const velocity = planVelocity(
    resolved,
    deps.hash,
    { email: email?.normalised ?? null, ip, identityHash: email?.hash ?? phone?.hash ?? null },
    nowMs,
  );
  const prelude = deps.store.screening.prelude({
    cache:
      resolved.cache_hours > 0
        ? [email, phone].flatMap((id) => (id?.hash ? [{ kind: id.kind, hash: id.hash }] : []))
        : [],
    lists: runtimeListKeys({
      emailHash: email?.hash ?? null,
      emailDomain: domain,
      phoneHash: phone?.hash ?? null,
      ipHash: ip === null ? null : deps.hash('ip', ip),
    }),
    velocity: velocity.counts,
    ...(resolved.spend.max_defastra_calls_per_hour === null ? {} : { spendHour: hourOf(nowMs) }),
  });
  prelude.catch(() => undefined); // observed here; the screening that awaits it still sees the failure
  return { policy: resolved, email, phone, policyHits, velocity, prelude };
};

/** Runs a store write whose failure must not fail the screening: logged and counted instead. */
const bestEffort = (deps: ScreeningDeps, what: 'cache' | 'stats', write: () => Promise<void>) =>
  write().catch((error: unknown) => {
    deps.telemetry.storeWriteFailed(what);
    deps.telemetry.warn(`${what} write failed`, { error: errorName(error) });
  });

/** Takes back the velocity adds of a screening that an allow list decided (allow-listed signups are not counted). */
const forgetCounts = (deps: ScreeningDeps, plan: ScreeningPlan, prelude: PreludeResult): void => {
  plan.velocity.counts.forEach((count, i) => {
    if (!prelude.velocity[i]?.added) return;
    deps.store.screening.forgetVelocity(count).catch(() => deps.telemetry.storeWriteFailed('velocity'));
  });
};

/** The velocity hits of a screening, reporting counts that could not be written. */
const velocityOf = (deps: ScreeningDeps, plan: ScreeningPlan, prelude: PreludeResult): VelocityHit[] => {
  if (prelude.velocity.some((result) => result === null)) {
    deps.telemetry.storeWriteFailed('velocity');
    deps.telemetry.warn('velocity count not written; screening goes on without it');
  }
  const hits = velocityHits(plan.velocity, prelude.velocity);
  for (const hit of hits) deps.telemetry.velocity(hit.key, hit.decision);
  return hits;
};

/** Runs one screening and stores its verdict. Throws RetryableScreeningError only with `throwOnRetryable`. */
export const screen = async (
  deps: ScreeningDeps,
  policy: Policy,
  input: ScreenInput,
  options: ScreenOptions = {},
): Promise<VerdictRecord> => {
  const started = deps.now();
  const plan = options.plan ?? planScreening(deps, policy, input);
  const { policy: resolved, email, phone } = plan;
  const budget = resolved.budget_ms[input.source];
  const signal = options.signal ?? AbortSignal.timeout(budget);
  const deadline = options.deadline ?? (options.signal ? undefined : started + budget);

  const prelude = plan.prelude ? await plan.prelude : null;
  const runtimeHits = prelude ? runtimeListHits(prelude.lists) : [];
  const hits = [...plan.policyHits, ...runtimeHits];
  const allowed = hits.some((hit) => hit.list === 'allow');
  if (allowed && prelude) forgetCounts(deps, plan, prelude);
  const velocity = prelude && !allowed ? velocityOf(deps, plan, prelude) : [];
  const context = { lists: hits, velocity };

  const cap = resolved.spend.max_defastra_calls_per_hour;
  const ctx: LookupContext = {
    defastra: deps.defastra,
    screening: deps.store.screening,
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
    cached: prelude?.cache ?? new Map(),
    cacheWrites: [],
    spend: { remaining: cap === null ? null : cap - (prelude?.spendCalls ?? 0) },
    usage: { calls: 0, cacheHits: 0 },
  };
  // A list or a velocity block decides alone: no Defastra call for either identifier.
  const [emailLookup, phoneLookup] = decidedWithoutLevels(context)
    ? [null, null]
    : await Promise.all([lookupIdentifier(ctx, email), lookupIdentifier(ctx, phone)]);

  const now = deps.now();
  if (options.throwOnRetryable) {
    const retryable = [emailLookup, phoneLookup].find(
      (l): l is { error: DefastraError } => !!l && 'error' in l && l.error.retryable,
    );
    if (retryable) {
      // The other identifier's fresh result stays reusable, and its call is counted against the spend cap.
      const writes = ctx.cacheWrites.map((write) => bestEffort(deps, 'cache', write));
      if (ctx.usage.calls > 0) {
        const increment = callsIncrement(ctx.usage.calls, randomUUID(), now, resolved.retention_days);
        writes.push(bestEffort(deps, 'stats', () => deps.store.counters.record(increment)));
      }
      await Promise.all(writes);
      throw new RetryableScreeningError(retryable.error);
    }
  }

  const emailList = listedBy(hits, 'email');
  const phoneList = listedBy(hits, 'phone');
  const outcome = decide(
    resolved,
    input.source,
    toDecisionInput(email, emailList, emailLookup),
    toDecisionInput(phone, phoneList, phoneLookup),
    context,
  );
  const verdict: Verdict = {
    verdict_id: deps.newId?.() ?? ulid(now),
    created_at: new Date(now).toISOString(),
    source: input.source,
    source_ref: input.sourceRef,
    subject_ref: input.subjectRef ?? null,
    decision: outcome.decision,
    reasons: outcome.reasons,
    degraded: outcome.degraded,
    email: toOutcome(email, emailList, emailLookup),
    phone: toOutcome(phone, phoneList, phoneLookup),
    policy_version: resolved.version,
    review: null,
  };
  const record: VerdictRecord = {
    verdict,
    emailHash: email?.hash ?? null,
    phoneHash: phone?.hash ?? null,
    facts: { runtimeLists: runtimeHits, velocity },
    expiresAt: Math.ceil(now / 1000) + resolved.retention_days * 86_400,
  };
  const increment: StatsIncrement = verdictIncrement(verdict, ctx.usage, now, resolved.retention_days);
  // The verdict write decides the outcome; the cache and the counters are best effort, in the same round trip.
  await Promise.all([
    deps.store.verdicts.save(record),
    ...ctx.cacheWrites.map((write) => bestEffort(deps, 'cache', write)),
    bestEffort(deps, 'stats', () => deps.store.counters.record(increment)),
    options.alongside?.(record),
  ]);
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
