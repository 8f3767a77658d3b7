/** The decision (design 1.4, 1.8): list precedence, thresholds per identifier, on_error, the most severe wins. */
import type { Reason } from '../screening/verdict.js';
import { type Decision, levelRank, mostSevere, type RiskLevel, type Source } from './levels.js';
import { type Policy, type ResolvedPolicy, resolvePolicy, type Thresholds } from './schema.js';

export type IdentifierKind = 'email' | 'phone';

/**
 * What screening knows about one identifier when deciding. `skipped` = present and valid but not checked,
 * because another identifier was allow- or block-listed.
 */
export type IdentifierInput =
  | { status: 'absent' }
  | { status: 'invalid' }
  | { status: 'listed'; list: 'allow' | 'block' }
  | { status: 'result'; riskLevel: RiskLevel }
  | { status: 'error'; errorType: string }
  | { status: 'skipped' };

export interface DecideResult {
  decision: Decision;
  reasons: Reason[];
  /** True when any part of the decision came from `on_error` instead of a Defastra answer. */
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

const listReason = (kind: IdentifierKind, list: 'allow' | 'block'): Reason => ({
  code: list === 'allow' ? 'allowlist' : 'blocklist',
  message: `the ${kind} is on the ${list} list`,
});

interface Part {
  decision: Decision;
  reason?: Reason;
  degraded?: boolean;
}

/** The decision one identifier contributes, outside list precedence. */
const judge = (
  policy: ResolvedPolicy,
  source: Source,
  kind: IdentifierKind,
  input: IdentifierInput,
): Part => {
  switch (input.status) {
    case 'absent':
    case 'skipped':
      return { decision: 'allow' };
    case 'listed':
      return { decision: input.list, reason: listReason(kind, input.list) };
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
    default: {
      const unexpected: never = input;
      throw new TypeError(`unknown identifier status: ${JSON.stringify(unexpected)}`);
    }
  }
};

/**
 * Decides a screening from what is known about each identifier, with `policy` resolved for `source`.
 *
 * An allow-listed identifier → `allow`; else a block-listed one → `block`; else each identifier's
 * thresholds, `on_error[source]` for a Defastra failure (always `degraded` with reason `defastra_error`),
 * at least `review` for an invalid email, nothing for an invalid phone (informational reason), and the
 * most severe wins. No identifier at all → `allow` with reason `no_identifiers`. Messages never hold
 * raw identifiers.
 */
export const decide = (
  policy: ResolvedPolicy,
  source: Source,
  email: IdentifierInput,
  phone: IdentifierInput,
): DecideResult => {
  const inputs: ReadonlyArray<readonly [IdentifierKind, IdentifierInput]> = [
    ['email', email],
    ['phone', phone],
  ];

  for (const list of ['allow', 'block'] as const) {
    const reasons = inputs
      .filter(([, input]) => input.status === 'listed' && input.list === list)
      .map(([kind]) => listReason(kind, list));
    if (reasons.length > 0) return { decision: list, reasons, degraded: false };
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
  for (const [kind, input] of inputs) {
    const part = judge(policy, source, kind, input);
    decision = mostSevere(decision, part.decision);
    degraded ||= part.degraded === true;
    if (part.reason) reasons.push(part.reason);
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
