/** The decision (docs/verdict.md, docs/policy.md, docs/waves.md, docs/lists.md): list precedence, velocity, thresholds per identifier, on_error, spend. */

import { type Decision, levelRank, mostSevere, type RiskLevel, type Source } from '../core/levels.js';
import type { ListHit, Reason, VelocityHit } from '../core/verdict.js';
import type { IdentifierKind, ListAction, ListKind, VelocityKey } from '../core/vocabulary.js';
import { decidingLists } from './lists.js';
import { type Policy, type ResolvedPolicy, resolvePolicy, type Thresholds } from './schema.js';

/**
 * What screening knows about one identifier when deciding. `skipped` = present and valid but not checked,
 * because a list or velocity decided the screening; `spend_limited` = not checked because the hourly
 * Defastra spend cap was reached.
 */
export type IdentifierInput =
  | { status: 'absent' }
  | { status: 'invalid' }
  | { status: 'listed'; list: ListAction }
  | { status: 'result'; riskLevel: RiskLevel }
  | { status: 'error'; errorType: string }
  | { status: 'spend_limited' }
  | { status: 'skipped' };

/** Everything besides the two identifiers that can decide a screening. */
export interface DecisionContext {
  /** List entries that matched (policy file and runtime). An identifier `listed` without a hit here is a policy-file hit. */
  lists?: readonly ListHit[];
  velocity?: readonly VelocityHit[];
}

export interface DecideResult {
  decision: Decision;
  reasons: Reason[];
  /** True when any part of the decision came from `on_error` or `spend.on_exhausted` instead of a Defastra answer. */
  degraded: boolean;
}

const reached = (level: RiskLevel, threshold: RiskLevel | null): boolean =>
  threshold !== null && levelRank(level) >= levelRank(threshold);

/** One identifier's decision for a risk level: `block` at or above `block`, `review` at or above `review`; `null` = never. */
export const identifierDecision = (thresholds: Thresholds, level: RiskLevel): Decision => {
  if (reached(level, thresholds.block)) return 'block';
  if (reached(level, thresholds.review)) return 'review';
  return 'allow';
};

/** An error type fit for a reason message: Defastra's codes are `UPPER_SNAKE`; anything else is not echoed. */
const safeErrorType = (errorType: string): string =>
  /^[A-Za-z0-9_]{1,64}$/.test(errorType) ? errorType : 'UNKNOWN';

const SUBJECT_TEXT: Record<ListKind, string> = {
  email: 'the email',
  email_domain: "the email's domain",
  phone: 'the phone',
  ip: 'the client IP',
};

const listReason = (hit: ListHit): Reason => ({
  code: hit.list === 'allow' ? 'allowlist' : 'blocklist',
  message: `${SUBJECT_TEXT[hit.subject]} is on the ${hit.list} list${hit.entryId ? ` (runtime entry ${hit.entryId})` : ''}`,
});

const VELOCITY_TEXT: Record<VelocityKey, string> = {
  ip: 'from this IP',
  mailbox: 'for this mailbox',
  email_domain: 'for this email domain',
};

const velocityReason = (hit: VelocityHit, windowMinutes: number): Reason => ({
  code: 'velocity',
  message: `${hit.count} distinct signups ${VELOCITY_TEXT[hit.key]} in the current ${windowMinutes}-minute window reach the ${hit.decision} threshold (${hit.threshold})`,
});

interface Part {
  decision: Decision;
  reason?: Reason;
  degraded?: boolean;
}

/** The decision one identifier contributes, outside list and velocity precedence. */
const judge = (
  policy: ResolvedPolicy,
  source: Source,
  kind: IdentifierKind,
  input: IdentifierInput,
): Part => {
  switch (input.status) {
    case 'absent':
    case 'skipped':
    case 'listed':
      return { decision: 'allow' };
    case 'invalid':
      return kind === 'email'
        ? {
            decision: 'review',
            reason: {
              code: 'invalid_email',
              message:
                'the email is not a valid address; it was not checked and the decision is at least review',
            },
          }
        : {
            decision: 'allow',
            reason: {
              code: 'invalid_phone',
              message: 'the phone is not a valid number; it was not checked and does not change the decision',
            },
          };
    case 'result': {
      const thresholds = policy.thresholds[kind];
      const decision = identifierDecision(thresholds, input.riskLevel);
      if (decision === 'allow') return { decision };
      return {
        decision,
        reason: {
          code: kind === 'email' ? 'email_risk' : 'phone_risk',
          message: `${kind} risk_level ${input.riskLevel} reaches the ${decision} threshold (${thresholds[decision]})`,
        },
      };
    }
    case 'error': {
      const decision = policy.on_error[source];
      return {
        decision,
        degraded: true,
        reason: {
          code: 'defastra_error',
          message: `Defastra failed for the ${kind} (${safeErrorType(input.errorType)}); on_error for ${source} is ${decision}`,
        },
      };
    }
    case 'spend_limited': {
      const decision = policy.spend.on_exhausted;
      return {
        decision,
        degraded: true,
        reason: {
          code: 'spend_limit',
          message: `the Defastra spend cap (${policy.spend.max_defastra_calls_per_hour ?? 'none'} calls per hour) is reached, so the ${kind} was not checked; spend.on_exhausted is ${decision}`,
        },
      };
    }
    default: {
      const unexpected: never = input;
      throw new TypeError(`unknown identifier status: ${JSON.stringify(unexpected)}`);
    }
  }
};

/** Every list hit: the context's, plus a policy-file hit for each `listed` identifier the context does not explain. */
const listHits = (
  email: IdentifierInput,
  phone: IdentifierInput,
  context: DecisionContext,
): readonly ListHit[] => {
  const hits = [...(context.lists ?? [])];
  const covers = (kind: IdentifierKind, list: ListAction) =>
    hits.some(
      (h) => h.list === list && (h.subject === kind || (kind === 'email' && h.subject === 'email_domain')),
    );
  for (const [kind, input] of [
    ['email', email],
    ['phone', phone],
  ] as const) {
    if (input.status === 'listed' && !covers(kind, input.list))
      hits.push({ subject: kind, list: input.list });
  }
  return hits;
};

/**
 * Whether lists or velocity decide alone, before any identifier's risk level matters: any list hit (allow or block),
 * or a velocity key at its block threshold. Screening then makes no Defastra call; a replay needs no stored level.
 */
export const decidedWithoutLevels = (context: DecisionContext): boolean =>
  (context.lists?.length ?? 0) > 0 || (context.velocity ?? []).some((hit) => hit.decision === 'block');

/**
 * Decides a screening from what is known about each identifier, with `policy` resolved for `source`.
 *
 * Lists and velocity first (docs/lists.md): an exact email or phone allow entry → `allow`; else any block entry →
 * `block`; else a velocity key at its block threshold → `block`; else an email-domain or IP allow entry → `allow`.
 * Otherwise each identifier's thresholds, `on_error[source]` for a Defastra failure (`degraded`, reason
 * `defastra_error`), `spend.on_exhausted` past the spend cap (`degraded`, reason `spend_limit`), at least `review`
 * for an invalid email, nothing for an invalid phone (informational reason), at least `review` for a velocity key
 * at its review threshold; the most severe wins. No identifier at all → `allow` with reason `no_identifiers`.
 * Messages never hold raw identifiers.
 */
export const decide = (
  policy: ResolvedPolicy,
  source: Source,
  email: IdentifierInput,
  phone: IdentifierInput,
  context: DecisionContext = {},
): DecideResult => {
  const velocity = context.velocity ?? [];
  const window = policy.velocity.window_minutes;
  const velocityBlocks = velocity.filter((hit) => hit.decision === 'block');
  const listed = decidingLists(listHits(email, phone, context), velocityBlocks.length > 0);
  if (listed) return { decision: listed.list, reasons: listed.hits.map(listReason), degraded: false };
  if (velocityBlocks.length > 0) {
    return {
      decision: 'block',
      reasons: velocityBlocks.map((hit) => velocityReason(hit, window)),
      degraded: false,
    };
  }

  if (email.status === 'absent' && phone.status === 'absent') {
    return {
      decision: 'allow',
      reasons: [
        { code: 'no_identifiers', message: 'neither an email nor a phone was given; nothing was checked' },
      ],
      degraded: false,
    };
  }

  let decision: Decision = 'allow';
  let degraded = false;
  const reasons: Reason[] = [];
  for (const [kind, input] of [
    ['email', email],
    ['phone', phone],
  ] as const) {
    const part = judge(policy, source, kind, input);
    decision = mostSevere(decision, part.decision);
    degraded ||= part.degraded === true;
    if (part.reason) reasons.push(part.reason);
  }
  for (const hit of velocity) {
    decision = mostSevere(decision, hit.decision);
    reasons.push(velocityReason(hit, window));
  }
  return { decision, reasons, degraded };
};

const resolved = new WeakMap<Policy, Map<Source, ResolvedPolicy>>();

/**
 * `resolvePolicy` memoised per (policy, source): the same object back on every request, which also keeps
 * the normalised lists cached for it.
 */
export const resolveForSource = (policy: Policy, source: Source): ResolvedPolicy => {
  let perSource = resolved.get(policy);
  if (perSource === undefined) {
    perSource = new Map();
    resolved.set(policy, perSource);
  }
  let result = perSource.get(source);
  if (result === undefined) {
    result = resolvePolicy(policy, source);
    perSource.set(source, result);
  }
  return result;
};
