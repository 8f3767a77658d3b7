/**
 * The screening use case: normalise → one store round trip (cache, runtime lists, velocity, spend) → lists and
 * velocity → Defastra for email and phone in parallel → policy → store (verdict and cache in parallel; the statistics
 * counters too under a spend cap, else off the request path).
 */
import { randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import { errorName } from '../core/errors.js';
import type { Source } from '../core/levels.js';
import type {
  AccountLocation,
  ListHit,
  ShadowDecision,
  VelocityHit,
  Verdict,
  VerdictRecord,
} from '../core/verdict.js';
import type { KeyedHasher } from '../core/vocabulary.js';
import { type DefastraError, DefastraRateLimitError } from '../defastra/errors.js';
import type { DefastraPort } from '../defastra/types.js';
import { runtimeListHits, runtimeListKeys } from '../lists/keys.js';
import type { Telemetry } from '../observability/telemetry.js';
import { refHashesOf } from '../outcomes/refs.js';
import { decide, decidedWithoutLevels, resolveForSource } from '../policy/decide.js';
import { emailDomain, normaliseIp } from '../policy/identifiers.js';
import { isExactAllow, listedBy, policyListHits } from '../policy/lists.js';
import type { Policy, ResolvedPolicy } from '../policy/schema.js';
import type { ShadowPolicy } from '../policy/source.js';
import { firstRescreenAt, rescreenExpiresAt } from '../rescreen/schedule.js';
import { sealIdentifiers } from '../rescreen/sealed.js';
import { callsIncrement, hourOf, verdictIncrement } from '../stats/counters.js';
import type { PreludeResult, Store, StoredVerdict } from '../store/ports.js';
import { planVelocity, type VelocityPlan, velocityHits } from '../velocity/counts.js';
import {
  type Lookup,
  type PreparedIdentifier,
  prepareIdentifier,
  toDecisionInput,
  toOutcome,
} from './identifier.js';
import { type LookupContext, lookupIdentifier } from './lookup.js';
import { maskReference } from './redact.js';

export interface ScreeningDeps {
  defastra: DefastraPort;
  store: Pick<Store, 'verdicts' | 'screening' | 'counters'> & Partial<Pick<Store, 'rescreen'>>;
  hash: KeyedHasher;
  /**
   * The AES-256 key that seals a provisional verdict's identifiers until it is re-screened (docs/rescreen.md); without
   * it (or without a re-screen queue) provisional verdicts are not re-screened.
   */
  rescreenKey?: (() => Promise<Buffer>) | undefined;
  telemetry: Telemetry;
  now: () => number;
  newId?: () => string;
}

export interface ScreenInput {
  source: Source;
  sourceRef: string | null;
  /** The provider's opaque id of the person (docs/verdict.md `subject_ref`); never an email or phone. */
  subjectRef?: string | null;
  /** Raw values as received; `null`/`undefined` means absent. */
  email?: string | null;
  phone?: string | null;
  /** The client's IP as the caller saw it (velocity and runtime lists); never stored raw. */
  ip?: string | null;
  /** Where the account lives at the provider besides `subjectRef` (Cognito's user pool): kept in the facts, never returned. */
  account?: AccountLocation;
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
  /** The verdict's id, when a run-once marker reserved it; otherwise a new ULID. */
  verdictId?: string;
  /** The shadow policy to decide the screening under as well, from the same answers, lists and counts. */
  shadow?: ShadowPolicy | null;
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
  /** Null when the policy file allow-lists the exact email or phone: allow wins, nothing is read or counted. */
  prelude: Promise<PreludeResult> | null;
}

const LABEL_PREFIX = 'signup-gate';

/**
 * Who a screening counts as under velocity (docs/waves.md): the email, else the phone, each by its keyed hash. An
 * invalid value still counts under the client IP, as the value given (trimmed, an email lowercased): a flood of
 * malformed addresses from one IP is a wave too.
 */
const identityOf = (
  email: PreparedIdentifier | null,
  phone: PreparedIdentifier | null,
  hash: KeyedHasher,
): string | null => {
  if (email) return email.hash ?? hash('email', email.raw.trim().toLowerCase());
  if (phone) return phone.hash ?? hash('phone', phone.raw.trim());
  return null;
};

/**
 * Prepares a screening and starts its store round trip: cached results, runtime list entries (email, domain and
 * parents, phone, IP), the velocity adds and the spend total, all in parallel. A failed read fails the screening
 * that awaits it; a velocity add that fails only loses its count.
 */
export const planScreening = (
  deps: ScreeningDeps,
  policy: Policy,
  input: ScreenInput,
  { countVelocity = true }: { countVelocity?: boolean } = {},
): ScreeningPlan => {
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
  if (policyHits.some(isExactAllow)) {
    return { policy: resolved, email, phone, policyHits, velocity: noVelocity, prelude: null };
  }
  const nowMs = deps.now();
  const ip = input.ip ? normaliseIp(input.ip) : null;
  if (input.ip && ip === null) {
    // A provider's signed body with an `ip:port`, a list or a name: screened without the IP (never echoed).
    deps.telemetry.warn('client ip ignored: not one IPv4 or IPv6 address', { source: input.source });
  }
  const velocity = countVelocity
    ? planVelocity(
        resolved,
        deps.hash,
        { email: email?.normalised ?? null, ip, identityHash: identityOf(email, phone, deps.hash) },
        nowMs,
      )
    : noVelocity;
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
const bestEffort = (deps: ScreeningDeps, what: 'cache' | 'stats' | 'rescreen', write: () => Promise<void>) =>
  write().catch((error: unknown) => {
    deps.telemetry.storeWriteFailed(what);
    deps.telemetry.warn(`${what} write failed`, { error: errorName(error) });
  });

/** What the store round trip says before any Defastra call: the list hits and the velocity hits. */
interface Gate {
  prelude: PreludeResult | null;
  /** Every list hit, policy file and runtime. */
  lists: ListHit[];
  /** The runtime list hits alone (kept with the verdict for replays). */
  runtimeLists: ListHit[];
  velocity: VelocityHit[];
}

/**
 * Awaits the plan's round trip and reads lists and velocity from it. A screening allowed by an exact email or phone
 * entry is not counted: its velocity adds are taken back (a domain or IP allow entry exempts nobody from velocity).
 * A count that could not be written is reported and reaches no threshold.
 */
const openGate = async (deps: ScreeningDeps, plan: ScreeningPlan): Promise<Gate> => {
  const prelude = plan.prelude ? await plan.prelude : null;
  const runtimeLists = prelude ? runtimeListHits(prelude.lists) : [];
  const lists = [...plan.policyHits, ...runtimeLists];
  if (prelude === null) return { prelude, lists, runtimeLists, velocity: [] };
  if (lists.some(isExactAllow)) {
    plan.velocity.counts.forEach((count, i) => {
      if (!prelude.velocity[i]?.added) return;
      deps.store.screening.forgetVelocity(count).catch(() => deps.telemetry.storeWriteFailed('velocity'));
    });
    return { prelude, lists, runtimeLists, velocity: [] };
  }
  if (prelude.velocity.some((result) => result === null)) {
    deps.telemetry.storeWriteFailed('velocity');
    deps.telemetry.warn('velocity count not written; screening goes on without it');
  }
  const velocity = velocityHits(plan.velocity, prelude.velocity);
  for (const hit of velocity) deps.telemetry.velocity(hit.key, hit.decision);
  return { prelude, lists, runtimeLists, velocity };
};

/** The caller's deadline, else the policy's budget for the source from the screening's start. */
interface Deadline {
  signal: AbortSignal;
  /** The same deadline in epoch ms, when known. */
  at: number | undefined;
}

const deadlineOf = (
  plan: ScreeningPlan,
  input: ScreenInput,
  options: ScreenOptions,
  started: number,
): Deadline => {
  const budget = plan.policy.budget_ms[input.source];
  return {
    signal: options.signal ?? AbortSignal.timeout(budget),
    at: options.deadline ?? (options.signal ? undefined : started + budget),
  };
};

/** How this screening looks its identifiers up: the deadline, the cache the round trip read, the spend left. */
const lookupFor = (
  deps: ScreeningDeps,
  plan: ScreeningPlan,
  input: ScreenInput,
  gate: Gate,
  deadline: Deadline,
  retry: boolean,
): LookupContext => {
  const { policy } = plan;
  const cap = policy.spend.max_defastra_calls_per_hour;
  return {
    defastra: deps.defastra,
    screening: deps.store.screening,
    telemetry: deps.telemetry,
    now: deps.now,
    cacheHours: policy.cache_hours,
    call: {
      timeout: policy.defastra_timeout[input.source],
      label: `${LABEL_PREFIX}-${input.source}`,
      signal: deadline.signal,
      ...(deadline.at === undefined ? {} : { deadline: deadline.at }),
      retry,
    },
    cached: gate.prelude?.cache ?? new Map(),
    cacheWrites: [],
    spend: { remaining: cap === null ? null : cap - (gate.prelude?.spendCalls ?? 0) },
    usage: { calls: 0, cacheHits: 0 },
  };
};

/** What looking up each identifier gave; nothing when a list or a velocity block decides alone. */
interface Found {
  email: Lookup | null;
  phone: Lookup | null;
}

const lookUp = async (lookup: LookupContext, plan: ScreeningPlan, gate: Gate): Promise<Found> => {
  if (decidedWithoutLevels(gate)) return { email: null, phone: null };
  const [email, phone] = await Promise.all([
    lookupIdentifier(lookup, plan.email),
    lookupIdentifier(lookup, plan.phone),
  ]);
  return { email, phone };
};

/**
 * With `throwOnRetryable`, a retryable Defastra failure is surfaced instead of decided: nothing is stored but what
 * stays true (the other identifier's fresh result, and its call counted against the spend cap).
 */
const throwIfRetryable = async (
  deps: ScreeningDeps,
  lookup: LookupContext,
  found: Found,
  policy: ResolvedPolicy,
  now: number,
): Promise<void> => {
  const retryable = [found.email, found.phone].find(
    (l): l is { error: DefastraError } => !!l && 'error' in l && l.error.retryable,
  );
  if (!retryable) return;
  const writes = lookup.cacheWrites.map((write) => bestEffort(deps, 'cache', write));
  if (lookup.usage.calls > 0) {
    const increment = callsIncrement(lookup.usage.calls, randomUUID(), now, policy.retention_days);
    writes.push(bestEffort(deps, 'stats', () => deps.store.counters.record(increment)));
  }
  await Promise.all(writes);
  throw new RetryableScreeningError(retryable.error);
};

/**
 * What the shadow policy decides from the same Defastra answers, runtime list entries and velocity counts: its own
 * policy-file lists and thresholds apply, nothing is looked up again. An identifier the live policy never looked up
 * (its lists or velocity decided) is unchecked for the shadow too.
 */
const shadowDecisionOf = (
  deps: ScreeningDeps,
  plan: ScreeningPlan,
  input: ScreenInput,
  gate: Gate,
  found: Found,
  shadow: ShadowPolicy,
): ShadowDecision => {
  const policy = resolveForSource(shadow.policy, input.source);
  const { email, phone } = plan;
  const lists = [
    ...policyListHits(policy, deps.hash, {
      emailHash: email?.hash ?? null,
      emailDomain: email?.normalised ? emailDomain(email.normalised) : null,
      phoneHash: phone?.hash ?? null,
    }),
    ...gate.runtimeLists,
  ];
  const counted: VelocityPlan = {
    counts: plan.velocity.counts,
    keys: plan.velocity.keys.map(({ key }) => ({ key, thresholds: policy.velocity[key] })),
  };
  const velocity = gate.prelude ? velocityHits(counted, gate.prelude.velocity) : [];
  const { decision } = decide(
    policy,
    input.source,
    toDecisionInput(email, listedBy(lists, 'email'), found.email),
    toDecisionInput(phone, listedBy(lists, 'phone'), found.phone),
    { lists, velocity },
  );
  return { version: shadow.version, decision };
};

/** The verdict the policy decides (and the shadow's decision beside it), and the record the store keeps of it. */
const recordOf = (
  deps: ScreeningDeps,
  plan: ScreeningPlan,
  input: ScreenInput,
  gate: Gate,
  found: Found,
  now: number,
  verdictId: string | undefined,
  shadow: ShadowPolicy | null,
): VerdictRecord => {
  const { policy, email, phone } = plan;
  const velocityBlock = gate.velocity.some((hit) => hit.decision === 'block');
  const emailList = listedBy(gate.lists, 'email', velocityBlock);
  const phoneList = listedBy(gate.lists, 'phone', velocityBlock);
  const outcome = decide(
    policy,
    input.source,
    toDecisionInput(email, emailList, found.email),
    toDecisionInput(phone, phoneList, found.phone),
    gate,
  );
  // Monitor mode records the policy's judgement and asks the caller to allow (docs/policy-lifecycle.md).
  const action = policy.mode === 'monitor' ? 'allow' : outcome.decision;
  const verdict: Verdict = {
    verdict_id: verdictId ?? deps.newId?.() ?? ulid(now),
    created_at: new Date(now).toISOString(),
    source: input.source,
    source_ref: maskReference(input.sourceRef),
    subject_ref: maskReference(input.subjectRef),
    decision: outcome.decision,
    reasons: outcome.reasons,
    degraded: outcome.degraded,
    email: toOutcome(email, emailList, found.email),
    phone: toOutcome(phone, phoneList, found.phone),
    policy_version: policy.version,
    review: null,
    action,
    mode: policy.mode,
    rescreen: null,
    provisional_decision: null,
    rescreened_at: null,
    enforcement: null,
    shadow: shadow ? shadowDecisionOf(deps, plan, input, gate, found, shadow) : null,
    outcome: null,
  };
  const refHashes = refHashesOf(deps.hash, input);
  return {
    verdict,
    emailHash: email?.hash ?? null,
    phoneHash: phone?.hash ?? null,
    facts: {
      runtimeLists: gate.runtimeLists,
      velocity: gate.velocity,
      ...(input.account ? { account: input.account } : {}),
    },
    expiresAt: Math.ceil(now / 1000) + policy.retention_days * 86_400,
    ...(refHashes ? { refHashes } : {}),
  };
};

/**
 * A provisional (degraded) verdict is marked pending and its identifiers are queued, sealed, for a re-screen: the
 * queue write rides with the verdict write (same round trip). Null when there is nothing to queue.
 */
const queueRescreen = (
  deps: ScreeningDeps,
  record: VerdictRecord,
  input: ScreenInput,
  now: number,
): (() => Promise<void>) | null => {
  const { rescreenKey } = deps;
  const queue = deps.store.rescreen;
  if (!record.verdict.degraded || rescreenKey === undefined || queue === undefined) return null;
  const dueAt = firstRescreenAt(now);
  record.verdict.rescreen = { status: 'pending', attempts: 0, next_at: new Date(dueAt).toISOString() };
  const { verdict_id: verdictId } = record.verdict;
  return async () => {
    const sealed = sealIdentifiers(await rescreenKey(), verdictId, {
      email: input.email ?? null,
      phone: input.phone ?? null,
      ip: input.ip ?? null,
    });
    await queue.enqueue({ verdictId, dueAt, attempts: 0, sealed, expiresAt: rescreenExpiresAt(now) });
  };
};

/**
 * The second round trip: the verdict write decides the outcome; cache writes and `alongside` ride with it. The
 * statistics counters ride with it only under a spend cap (the hour's call total must be current for the next
 * screening); otherwise the change feed or the table's stream adds them off the request path (docs/capacity.md).
 */
const storeRecord = async (
  deps: ScreeningDeps,
  record: VerdictRecord,
  lookup: LookupContext,
  policy: ResolvedPolicy,
  alongside: ScreenOptions['alongside'],
  rescreen: (() => Promise<void>) | null,
): Promise<void> => {
  const countNow = policy.spend.max_defastra_calls_per_hour !== null;
  if (countNow) record.counted = true;
  await Promise.all([
    deps.store.verdicts.save(record),
    ...lookup.cacheWrites.map((write) => bestEffort(deps, 'cache', write)),
    countNow && bestEffort(deps, 'stats', () => deps.store.counters.record(verdictIncrement(record))),
    alongside?.(record),
    rescreen && bestEffort(deps, 'rescreen', rescreen),
  ]);
};

const report = (deps: ScreeningDeps, verdict: Verdict, durationMs: number): void => {
  deps.telemetry.setCorrelationId(verdict.verdict_id);
  deps.telemetry.decision(verdict.source, verdict.decision, verdict.degraded);
  deps.telemetry.info('verdict', {
    verdict_id: verdict.verdict_id,
    source: verdict.source,
    decision: verdict.decision,
    action: verdict.action,
    mode: verdict.mode,
    ...(verdict.shadow ? { shadow: verdict.shadow.decision } : {}),
    degraded: verdict.degraded,
    reasons: verdict.reasons.map((r) => r.code),
    duration_ms: durationMs,
  });
};

/**
 * Runs one screening and stores its verdict: the plan's round trip (lists, velocity) → Defastra for what is left to
 * check → the policy → the verdict write. Throws RetryableScreeningError only with `throwOnRetryable`.
 */
export const screen = async (
  deps: ScreeningDeps,
  policy: Policy,
  input: ScreenInput,
  options: ScreenOptions = {},
): Promise<VerdictRecord> => {
  const started = deps.now();
  const plan = options.plan ?? planScreening(deps, policy, input);
  const deadline = deadlineOf(plan, input, options, started);
  const gate = await openGate(deps, plan);
  const lookup = lookupFor(deps, plan, input, gate, deadline, options.retry ?? true);
  const found = await lookUp(lookup, plan, gate);
  const now = deps.now();
  if (options.throwOnRetryable) await throwIfRetryable(deps, lookup, found, plan.policy, now);
  const record = recordOf(deps, plan, input, gate, found, now, options.verdictId, options.shadow ?? null);
  const rescreen = queueRescreen(deps, record, input, now);
  await storeRecord(deps, record, lookup, plan.policy, options.alongside, rescreen);
  report(deps, record.verdict, now - started);
  return record;
};

/** What a re-screen found: the verdict the current policy decides, and what screening it cost. */
export interface ScreenedAgain {
  /** A record under the same verdict id (the caller merges it into the stored verdict). */
  record: VerdictRecord;
  /** Defastra answers started (billed) and cached results reused. */
  usage: { calls: number; cacheHits: number };
  /** Cache writes of fresh results, for the caller to make. */
  cacheWrites: Array<() => Promise<void>>;
  /** Why an identifier went unchecked that says the next attempts should wait: a rate limit or the spend cap. */
  limited: 'rate_limit' | 'spend_limit' | null;
}

/**
 * Screens a stored verdict's identifiers again (docs/rescreen.md) through the same steps as a screening, under
 * `policy`: cache, runtime and policy lists, Defastra within the spend cap, `decide`. Velocity is not counted again:
 * the hits recorded at signup stand. Nothing is stored: the re-screen job records the outcome.
 */
export const screenAgain = async (
  deps: ScreeningDeps,
  policy: Policy,
  input: ScreenInput,
  stored: StoredVerdict,
): Promise<ScreenedAgain> => {
  const started = deps.now();
  const plan = planScreening(deps, policy, input, { countVelocity: false });
  const deadline = deadlineOf(plan, input, {}, started);
  const opened = await openGate(deps, plan);
  const gate: Gate = opened.lists.some(isExactAllow)
    ? opened
    : { ...opened, velocity: stored.facts.velocity };
  // No retry inside the call: the re-screen's own schedule is the retry.
  const lookup = lookupFor(deps, plan, input, gate, deadline, false);
  const found = await lookUp(lookup, plan, gate);
  const record = recordOf(deps, plan, input, gate, found, deps.now(), stored.verdict.verdict_id, null);
  const lookups = [found.email, found.phone];
  const limited = lookups.some((l) => l !== null && 'error' in l && l.error instanceof DefastraRateLimitError)
    ? 'rate_limit'
    : lookups.some((l) => l !== null && 'spendLimited' in l)
      ? 'spend_limit'
      : null;
  return { record, usage: lookup.usage, cacheWrites: lookup.cacheWrites, limited };
};
