/**
 * What-if replay (docs/reviews.md): stored verdicts re-decided under a candidate policy by the same `decide` the screening
 * uses, from their stored risk levels and identifier hashes (so the candidate's list entries match), with no Defastra
 * call. Runtime list hits, velocity and spend outcomes are kept as recorded. A verdict whose identifier was never
 * checked (a list or velocity decided it) cannot be re-decided when the candidate needs that level: it is reported,
 * not guessed. Labelled verdicts (docs/outcomes.md) are tallied under the candidate's decisions and the stored ones:
 * what the candidate would catch of the known frauds, and block of the known good users.
 */

import type { OutcomeFigures, OutcomeTable, ReplayAnswer } from '../api/replay.js';
import { InvalidInputError } from '../core/errors.js';
import type { Decision, Source } from '../core/levels.js';
import type { IdentifierOutcome } from '../core/verdict.js';
import type { KeyedHasher, OutcomeLabel } from '../core/vocabulary.js';
import { effectiveLabel } from '../outcomes/labels.js';
import { decide, decidedWithoutLevels, type IdentifierInput, resolveForSource } from '../policy/decide.js';
import { listedBy, policyListHits } from '../policy/lists.js';
import { type Policy, PolicyError, parsePolicy } from '../policy/schema.js';
import type { StoredVerdict, VerdictRepository } from '../store/ports.js';

/** Most verdicts one replay reads. */
export const MAX_REPLAY_VERDICTS = 10_000;
/** The default range: the last 7 days. */
export const DEFAULT_REPLAY_DAYS = 7;

export interface ReplayRequest {
  /** The candidate policy document (merged over the defaults, validated like a policy file). */
  policy: unknown;
  since?: string;
  until?: string;
  source?: Source;
}

/** A range with nothing in it (since at or after until): 400. */
export class ReplayRangeError extends InvalidInputError {
  override readonly name = 'ReplayRangeError';
  constructor(message: string) {
    super('body', message);
  }
}

/** The candidate policy as a policy file would be read; an invalid one is the request's `policy` field's fault. */
const candidateOf = (document: unknown): Policy => {
  try {
    return parsePolicy(document);
  } catch (error) {
    if (error instanceof PolicyError) throw new InvalidInputError('body field "policy"', error.message);
    throw error;
  }
};

type Known = IdentifierInput | 'unknown';

/** What the stored outcome of one identifier tells the decision; `unknown` = never checked (no level to apply). */
const inputOf = (outcome: IdentifierOutcome | null): Known => {
  if (outcome === null) return { status: 'absent' };
  if (outcome.invalid) return { status: 'invalid' };
  if (outcome.risk_level !== undefined) return { status: 'result', riskLevel: outcome.risk_level };
  if (outcome.error?.type === 'SPEND_LIMIT') return { status: 'spend_limited' };
  if (outcome.error) return { status: 'error', errorType: outcome.error.type };
  return 'unknown';
};

/** The email's domain as the masked email shows it (`j***@example.com` → `example.com`). */
const domainOf = (outcome: IdentifierOutcome | null): string | null => {
  if (!outcome || outcome.invalid) return null;
  const at = outcome.masked.lastIndexOf('@');
  return at < 0 ? null : outcome.masked.slice(at + 1);
};

type Redecision = { to: Decision } | { why: string };

/** One stored verdict under the candidate. */
export const redecide = (candidate: Policy, hash: KeyedHasher, stored: StoredVerdict): Redecision => {
  const { verdict, facts } = stored;
  const policy = resolveForSource(candidate, verdict.source);
  const hits = [
    ...policyListHits(policy, hash, {
      emailHash: stored.emailHash,
      emailDomain: domainOf(verdict.email),
      phoneHash: stored.phoneHash,
    }),
    ...facts.runtimeLists,
  ];
  const known = { email: inputOf(verdict.email), phone: inputOf(verdict.phone) };
  const velocityBlock = facts.velocity.some((hit) => hit.decision === 'block');
  const input = (kind: 'email' | 'phone'): IdentifierInput => {
    const value = known[kind];
    const list = listedBy(hits, kind, velocityBlock);
    if (value === 'unknown') return list ? { status: 'listed', list } : { status: 'skipped' };
    return list && value.status !== 'absent' && value.status !== 'invalid'
      ? { status: 'listed', list }
      : value;
  };
  const context = { lists: hits, velocity: facts.velocity };
  const outcome = decide(policy, verdict.source, input('email'), input('phone'), context);
  if (!decidedWithoutLevels(context)) {
    const missing = (['email', 'phone'] as const).filter((kind) => known[kind] === 'unknown');
    if (missing.length > 0) {
      return {
        why: `the ${missing.join(' and ')} ${missing.length > 1 ? 'were' : 'was'} not checked at screening (a list or velocity decided it), so the candidate's thresholds have no risk level to apply`,
      };
    }
  }
  return { to: outcome.decision };
};

const emptyTable = (): OutcomeTable => ({
  allow: { fraud: 0, legit: 0 },
  review: { fraud: 0, legit: 0 },
  block: { fraud: 0, legit: 0 },
});

const shareOf = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;

/** The two shares of an outcome table: frauds sent to review or block, good users blocked. */
export const figuresOf = (outcomes: OutcomeTable): OutcomeFigures => {
  const fraud = outcomes.allow.fraud + outcomes.review.fraud + outcomes.block.fraud;
  const legit = outcomes.allow.legit + outcomes.review.legit + outcomes.block.legit;
  return {
    outcomes,
    fraud_caught: shareOf(outcomes.review.fraud + outcomes.block.fraud, fraud),
    legit_blocked: shareOf(outcomes.block.legit, legit),
  };
};

const tally = (table: OutcomeTable, decision: Decision, label: OutcomeLabel): void => {
  table[decision][label]++;
};

/** Runs a replay over the stored verdicts of the range. An invalid candidate is an InvalidInputError naming the `policy` field. */
export const replay = async (
  deps: { verdicts: Pick<VerdictRepository, 'listStored'>; hash: KeyedHasher },
  request: ReplayRequest,
  nowMs: number,
): Promise<ReplayAnswer> => {
  const candidate = candidateOf(request.policy);
  const until = request.until ?? new Date(nowMs).toISOString();
  const since = request.since ?? new Date(Date.parse(until) - DEFAULT_REPLAY_DAYS * 86_400_000).toISOString();
  if (Date.parse(since) >= Date.parse(until)) throw new ReplayRangeError('until must be after since');
  const { records, truncated } = await deps.verdicts.listStored({
    since,
    until,
    max: MAX_REPLAY_VERDICTS,
    ...(request.source ? { source: request.source } : {}),
  });
  const result: Omit<ReplayAnswer, keyof OutcomeFigures | 'current'> = {
    total: records.length,
    changed: 0,
    transitions: {},
    items: [],
    truncated,
    unresolved: [],
  };
  // Labelled verdicts the candidate re-decided: under its decisions, and under the stored ones.
  const candidateTable = emptyTable();
  const currentTable = emptyTable();
  for (const stored of records) {
    const from = stored.verdict.decision;
    const redecided = redecide(candidate, deps.hash, stored);
    if ('why' in redecided) {
      result.unresolved.push({ verdict_id: stored.verdict.verdict_id, from, why: redecided.why });
      continue;
    }
    const label = effectiveLabel(stored.verdict);
    if (label !== null) {
      tally(candidateTable, redecided.to, label);
      tally(currentTable, from, label);
    }
    result.transitions[from] ??= {};
    const row = result.transitions[from];
    row[redecided.to] = (row[redecided.to] ?? 0) + 1;
    if (redecided.to !== from) {
      result.changed++;
      result.items.push({ verdict_id: stored.verdict.verdict_id, from, to: redecided.to });
    }
  }
  return { ...result, ...figuresOf(candidateTable), current: figuresOf(currentTable) };
};
