/**
 * The enforcer (docs/enforcement.md): runs the intents of a verdict change at the provider, off every request's path
 * (AWS: a consumer of the table's stream; locally: the store's change feed). Each intent is checked against the
 * verdict as stored now (a late or repeated change does nothing), recorded as `pending`, tried with backoff on
 * transient failures, and recorded as `done` / `undone` or `failed` (counted in a metric with an alarm). Recording
 * is itself a verdict change, which asks for nothing (see intents.ts), so it never loops.
 */
import type { Enforcement, Verdict } from '../core/verdict.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { PolicySource } from '../policy/source.js';
import type { StoredVerdict, VerdictRepository } from '../store/ports.js';
import { desiredOf, type EnforcementIntent, enforcementFor, isSettled } from './intents.js';
import { type Account, EnforcementError } from './port.js';
import type { Providers } from './providers/index.js';

export interface RetrySettings {
  /** Tries in all, the first included. */
  attempts: number;
  /** Wait before the second try; doubled for each further one, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { attempts: 4, baseDelayMs: 500, maxDelayMs: 4_000 };

export interface EnforcerDeps {
  verdicts: Pick<VerdictRepository, 'getStored' | 'setEnforcement'>;
  /** The current policy (its `enforce` and `stripe.write_back`). */
  policy: PolicySource;
  providers: Providers;
  telemetry: Telemetry;
  now: () => number;
  retry?: Partial<RetrySettings>;
  sleep?: (ms: number) => Promise<void>;
}

export type IntentOutcome =
  | { intent: EnforcementIntent; status: 'done' | 'undone' }
  | { intent: EnforcementIntent; status: 'skipped'; why: 'gone' | 'stale' | 'settled' }
  | { intent: EnforcementIntent; status: 'failed'; error: string; transient: boolean };

export interface ChangeOutcome {
  outcomes: IntentOutcome[];
  /** A transient failure remains: worth delivering the change again later (the stream does). */
  retry: boolean;
}

export interface Enforcer {
  /** Carries out what one change of a verdict asks (`before` is null for a new verdict). */
  onChange(before: Verdict | null, after: Verdict): Promise<ChangeOutcome>;
}

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The account as the adapters know it, from the stored verdict. */
const accountOf = (stored: StoredVerdict, intent: EnforcementIntent): Account => ({
  verdictId: stored.verdict.verdict_id,
  subjectRef: stored.verdict.subject_ref,
  userPoolId: stored.facts.account?.userPoolId ?? null,
  idempotencyKey: intent.key,
});

const asFailure = (error: unknown): EnforcementError =>
  error instanceof EnforcementError ? error : new EnforcementError('unexpected', true);

export const createEnforcer = (deps: EnforcerDeps): Enforcer => {
  const retry: RetrySettings = { ...DEFAULT_RETRY, ...deps.retry };
  const sleep = deps.sleep ?? sleepFor;
  const at = (): string => new Date(deps.now()).toISOString();
  const record = (verdictId: string, enforcement: Enforcement) =>
    deps.verdicts.setEnforcement(verdictId, enforcement);

  const run = async (intent: EnforcementIntent): Promise<IntentOutcome> => {
    const log = {
      verdict_id: intent.verdictId,
      source: intent.source,
      action: intent.action,
      cause: intent.cause,
    };
    const stored = await deps.verdicts.getStored(intent.verdictId);
    if (stored === null) return { intent, status: 'skipped', why: 'gone' };
    if (desiredOf(stored.verdict) !== intent.action) {
      deps.telemetry.info('enforcement skipped: the verdict asks otherwise now', log);
      return { intent, status: 'skipped', why: 'stale' };
    }
    if (isSettled(stored.verdict.enforcement, intent.action)) {
      deps.telemetry.debug('enforcement skipped: already carried out', log);
      return { intent, status: 'skipped', why: 'settled' };
    }
    const fail = async (error: EnforcementError, attempts: number): Promise<IntentOutcome> => {
      await record(intent.verdictId, {
        status: 'failed',
        action: intent.action,
        at: at(),
        error: error.code,
      });
      deps.telemetry.enforcementFailed(intent.source);
      deps.telemetry.warn('enforcement failed', {
        ...log,
        error: error.code,
        transient: error.transient,
        attempts,
      });
      return { intent, status: 'failed', error: error.code, transient: error.transient };
    };
    const provider = deps.providers[intent.source];
    if (!provider) return fail(new EnforcementError('not_configured', false), 0);

    await record(intent.verdictId, { status: 'pending', action: intent.action, at: at() });
    const account = accountOf(stored, intent);
    for (let attempt = 1; ; attempt++) {
      try {
        await provider[intent.action](account);
        const status = intent.action === 'block' ? 'done' : 'undone';
        await record(intent.verdictId, { status, action: intent.action, at: at() });
        deps.telemetry.info('enforcement carried out', { ...log, status, attempts: attempt });
        return { intent, status };
      } catch (caught) {
        const error = asFailure(caught);
        if (!error.transient || attempt >= retry.attempts) return fail(error, attempt);
        await sleep(Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1)));
      }
    }
  };

  return {
    async onChange(before, after) {
      const intents = enforcementFor(before, after, await deps.policy());
      const outcomes: IntentOutcome[] = [];
      for (const intent of intents) {
        deps.telemetry.setCorrelationId(intent.verdictId);
        outcomes.push(await run(intent));
      }
      return { outcomes, retry: outcomes.some((o) => o.status === 'failed' && o.transient) };
    },
  };
};
