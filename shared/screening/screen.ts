/** The screening use case: normalise → lists → cache → Defastra (email and phone in parallel) → policy → store. */
import { ulid } from 'ulid';
import { DefastraError } from '../defastra/errors.js';
import type { CheckKind, CheckResult, DefastraPort } from '../defastra/types.js';
import type { Telemetry } from '../observability/telemetry.js';
import { decide, type IdentifierInput, resolveForSource } from '../policy/decide.js';
import { maskEmail, maskPhone, normaliseEmail, normalisePhone } from '../policy/identifiers.js';
import type { Source } from '../policy/levels.js';
import { matchLists } from '../policy/lists.js';
import type { Policy, ResolvedPolicy } from '../policy/schema.js';
import type { CachedResult, VerdictStore } from '../store/port.js';
import type { IdentifierHasher } from './hashing.js';
import { redactChecks } from './redact.js';
import type { IdentifierOutcome, Verdict, VerdictRecord } from './verdict.js';

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
  /** Raw values as received; `null`/`undefined` means absent. */
  email?: string | null;
  phone?: string | null;
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
}

/** A retryable Defastra failure the caller asked to surface instead of deciding (nothing was stored). */
export class RetryableScreeningError extends Error {
  override readonly name = 'RetryableScreeningError';
  constructor(override readonly cause: DefastraError) {
    super(`Defastra is temporarily unavailable (${cause.type})`);
  }
}

interface Prepared {
  kind: CheckKind;
  raw: string;
  normalised: string | null;
  masked: string;
  hash: string | null;
}

type Lookup = { result: CachedResult; cached: boolean } | { error: DefastraError };

const LABEL_PREFIX = 'signup-gate';

const prepare = (
  kind: CheckKind,
  raw: string | null | undefined,
  policy: ResolvedPolicy,
  hash: IdentifierHasher,
) => {
  if (raw === null || raw === undefined) return null;
  const normalised =
    kind === 'email' ? normaliseEmail(raw) : normalisePhone(raw, policy.default_country_code);
  const masked = normalised
    ? kind === 'email'
      ? maskEmail(normalised)
      : maskPhone(normalised)
    : kind === 'email'
      ? 'invalid email'
      : 'invalid phone';
  return {
    kind,
    raw,
    normalised,
    masked,
    hash: normalised ? hash(kind, normalised) : null,
  } satisfies Prepared;
};

const toCached = (result: CheckResult, prepared: Prepared, checkedAt: number): CachedResult => {
  const secrets = [{ raw: prepared.raw.trim(), masked: prepared.masked }];
  if (prepared.normalised) secrets.push({ raw: prepared.normalised, masked: prepared.masked });
  if (prepared.kind === 'phone' && prepared.normalised && prepared.normalised.length > 9) {
    secrets.push({ raw: prepared.normalised.slice(-9), masked: prepared.masked });
  }
  return {
    riskLevel: result.riskLevel,
    riskScore: result.riskScore,
    requestId: result.requestId,
    checks: redactChecks(result.checks, secrets),
    checkedAt,
  };
};

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
  const email = prepare('email', input.email, resolved, deps.hash);
  const phone = prepare('phone', input.phone, resolved, deps.hash);
  const listed = matchLists(resolved, email?.normalised ?? null, phone?.normalised ?? null);
  const anyListed = listed.email !== undefined || listed.phone !== undefined;

  const cacheWrites: Promise<void>[] = [];
  const lookup = async (prepared: Prepared | null): Promise<Lookup | null> => {
    if (!prepared?.normalised || !prepared.hash || anyListed) return null;
    const { kind, normalised, hash } = prepared;
    if (resolved.cache_hours > 0) {
      const hit = await deps.store.getCachedResult(kind, hash);
      if (hit && hit.checkedAt + resolved.cache_hours * 3_600_000 > deps.now()) {
        deps.telemetry.cacheHit(kind);
        return { result: hit, cached: true };
      }
    }
    const callStarted = deps.now();
    try {
      const check = kind === 'email' ? deps.defastra.checkEmail : deps.defastra.checkPhone;
      const result = await check.call(deps.defastra, normalised, {
        timeout: resolved.defastra_timeout[input.source],
        label: `${LABEL_PREFIX}-${input.source}`,
        signal,
        ...(deadline === undefined ? {} : { deadline }),
        retry: options.retry ?? true,
      });
      const checkedAt = deps.now();
      deps.telemetry.defastraLatency(kind, checkedAt - callStarted);
      if (result.wallet !== undefined) deps.telemetry.walletBalance(result.wallet);
      const cached = toCached(result, prepared, checkedAt);
      if (resolved.cache_hours > 0) {
        const expiresAt = Math.ceil((checkedAt + resolved.cache_hours * 3_600_000) / 1000);
        // Written together with the verdict below: one store round trip less on the hot path.
        cacheWrites.push(deps.store.putCachedResult(kind, hash, cached, expiresAt));
      }
      return { result: cached, cached: false };
    } catch (error) {
      if (!(error instanceof DefastraError)) throw error;
      deps.telemetry.defastraError(kind, error.type, error.retryable);
      return { error };
    }
  };

  const [emailLookup, phoneLookup] = await Promise.all([lookup(email), lookup(phone)]);

  if (options.throwOnRetryable) {
    const retryable = [emailLookup, phoneLookup].find(
      (l): l is { error: DefastraError } => !!l && 'error' in l && l.error.retryable,
    );
    if (retryable) {
      await Promise.all(cacheWrites); // the other identifier's fresh result stays reusable
      throw new RetryableScreeningError(retryable.error);
    }
  }

  const toInput = (
    prepared: Prepared | null,
    list: 'allow' | 'block' | undefined,
    found: Lookup | null,
  ): IdentifierInput => {
    if (!prepared) return { status: 'absent' };
    if (!prepared.normalised) return { status: 'invalid' };
    if (list) return { status: 'listed', list };
    if (anyListed || !found) return { status: 'skipped' };
    if ('error' in found) return { status: 'error', errorType: found.error.type };
    return { status: 'result', riskLevel: found.result.riskLevel };
  };

  const toOutcome = (
    prepared: Prepared | null,
    list: 'allow' | 'block' | undefined,
    found: Lookup | null,
  ): IdentifierOutcome | null => {
    if (!prepared) return null;
    if (!prepared.normalised) return { masked: prepared.masked, invalid: true };
    if (list) return { masked: prepared.masked, listed: list };
    if (!found) return { masked: prepared.masked };
    if ('error' in found) {
      return { masked: prepared.masked, error: { type: found.error.type, message: found.error.message } };
    }
    return {
      masked: prepared.masked,
      risk_level: found.result.riskLevel,
      risk_score: found.result.riskScore,
      request_id: found.result.requestId,
      cached: found.cached,
      checks: found.result.checks,
    };
  };

  const outcome = decide(
    resolved,
    input.source,
    toInput(email, listed.email, emailLookup),
    toInput(phone, listed.phone, phoneLookup),
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
  await Promise.all([deps.store.saveVerdict(record), ...cacheWrites]);
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
