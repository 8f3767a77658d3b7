/**
 * The one screening path every route takes: the policy of the moment (and the shadow, when one is set) → the plan (its store round trip starts) → the
 * run-once marker claimed beside it, when the request has a key → the screening, completing the marker in the same
 * round trip as its verdict write. Two sequential store round trips per fresh screening, keyed or not.
 */
import { ulid } from 'ulid';
import type { Verdict, VerdictRecord } from '../core/verdict.js';
import { keyedBodyHash, markerExpiry, runOnce } from '../markers/run-once.js';
import { resolveForSource } from '../policy/decide.js';
import type { Policy, ResolvedPolicy } from '../policy/schema.js';
import type { PolicyRuntime, PolicySource } from '../policy/source.js';
import type { Store, WriteBackState } from '../store/ports.js';
import { planScreening, type ScreenInput, type ScreeningDeps, type ScreenOptions, screen } from './screen.js';

export interface ScreenOnceDeps extends ScreeningDeps {
  store: Pick<Store, 'verdicts' | 'screening' | 'counters' | 'markers'>;
  policy: PolicySource;
  /** Where the shadow policy comes from (the active one is `policy`'s); without it, no shadow. */
  policies?: Pick<PolicyRuntime, 'current'>;
}

/** What makes a request run once: its key, and the text a repeat must match. */
export interface OnceKey {
  /** The Idempotency-Key, the provider's event id, webhook-id, svix-id, ... (scoped to the input's source). */
  key: string;
  /**
   * The text whose keyed hash a repeat must match: the raw body (the same key with another body is refused), or a
   * constant when every delivery of the key is a repeat (a provider's event id).
   */
  body: string;
}

export interface ScreenOnceRequest {
  input: ScreenInput;
  /** Runs the screening once per key; absent or null runs it every time. */
  once?: OnceKey | null;
  /** The policy this request runs under, when the route already read it; else `deps.policy()`. */
  policy?: Policy;
  /** The caller's deadline, retries, and whether a retryable Defastra failure throws instead of being decided. */
  options?: Pick<ScreenOptions, 'signal' | 'deadline' | 'retry' | 'throwOnRetryable'>;
  /** The write-back state to record with the done marker (the same write, so a crash cannot lose it). */
  writeBackFor?: (record: VerdictRecord, policy: ResolvedPolicy) => WriteBackState | undefined;
}

export type ScreenOnceResult = { verdict: Verdict; policy: ResolvedPolicy } & (
  | { replayed: false; record: VerdictRecord }
  | { replayed: true; writeBack?: WriteBackState }
);

/** Screens a request once (per key, when it has one) and answers its verdict, fresh or replayed. */
export const screenOnce = async (
  deps: ScreenOnceDeps,
  request: ScreenOnceRequest,
): Promise<ScreenOnceResult> => {
  const { input, once } = request;
  const policy = request.policy ?? (await deps.policy());
  const shadow = deps.policies ? (await deps.policies.current()).shadow : null;
  const resolved = resolveForSource(policy, input.source);
  // The screening's store round trip starts now, alongside the marker claim.
  const plan = planScreening(deps, policy, input);
  if (!once) {
    const record = await screen(deps, policy, input, { ...request.options, plan, shadow });
    return { verdict: record.verdict, policy: resolved, replayed: false, record };
  }
  const result = await runOnce(
    deps.store,
    {
      scope: input.source,
      key: once.key,
      bodyHash: keyedBodyHash(deps.hash, once.body),
      budgetMs: resolved.budget_ms[input.source],
      expiresAt: markerExpiry(resolved, deps.now()),
      verdictId: deps.newId?.() ?? ulid(deps.now()),
    },
    (alongside, verdictId) =>
      screen(deps, policy, input, { ...request.options, plan, alongside, verdictId, shadow }),
    request.writeBackFor && ((record) => request.writeBackFor?.(record, resolved)),
    deps.telemetry,
  );
  return result.replayed
    ? { ...result, policy: resolved }
    : { verdict: result.record.verdict, policy: resolved, replayed: false, record: result.record };
};
