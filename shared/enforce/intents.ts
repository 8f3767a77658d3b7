/**
 * What a verdict change asks of the provider (docs/enforcement.md), decided from the change alone: a final block
 * blocks the account (a re-screen that turned an admitted signup into a block, an operator's reject, a block of a
 * signup the provider reports only after the account exists), an approve undoes an enforced block. Nothing for a
 * monitored verdict, nothing where the policy does not enforce the source. A change that only records an
 * enforcement's result asks for nothing, so recording it never loops. Pure.
 */
import type { Source } from '../core/levels.js';
import type { Enforcement, Review, Verdict } from '../core/verdict.js';
import { type Policy, resolvePolicy } from '../policy/schema.js';
import { type EnforceableSource, isEnforceable } from './sources.js';

export type EnforcementAction = Enforcement['action'];

/** One thing to do at the provider for one verdict. */
export interface EnforcementIntent {
  verdictId: string;
  source: EnforceableSource;
  action: EnforcementAction;
  /** What asked for it. */
  cause: 'review' | 'rescreen' | 'created';
  /** Stable per change (`<verdict_id>:<action>:<when>`): the provider's idempotency key where it takes one, and logs. */
  key: string;
}

/**
 * Sources that report a signup only once the account exists (Clerk's `user.created`): their answer cannot refuse the
 * signup, so a block decided at screening is carried out at the provider too. (Stripe's hook writes its own screening
 * answer back on the request, docs/stripe.md.)
 */
const REPORTED_AFTER_THE_FACT: ReadonlySet<Source> = new Set<Source>(['clerk']);

/**
 * Whether the policy has signup-gate act on `source` accounts: `enforce.<source>`, and for Stripe also
 * `stripe.write_back`, under which the customer's metadata follows every review (docs/reviews.md).
 */
export const enforces = (policy: Policy, source: Source): boolean => {
  if (!isEnforceable(source)) return false;
  const resolved = resolvePolicy(policy, source);
  return resolved.enforce[source] || writesReviewsBack(policy, source);
};

/** Stripe with write-back on: every review is written to the customer, an approve included. */
const writesReviewsBack = (policy: Policy, source: Source): boolean =>
  source === 'stripe' && resolvePolicy(policy, 'stripe').stripe.write_back;

/** A block that is in force at the provider, or on its way there. */
export const isActiveBlock = (enforcement: Enforcement | null): boolean =>
  enforcement?.action === 'block' && (enforcement.status === 'done' || enforcement.status === 'pending');

/** Whether `enforcement` already is the outcome `action` aims at (nothing more to do). */
export const isSettled = (enforcement: Enforcement | null, action: EnforcementAction): boolean =>
  enforcement?.action === action && enforcement.status === (action === 'block' ? 'done' : 'undone');

/**
 * What the verdict, as it stands, asks of the account: a rejected verdict is blocked, an approved one is not, an
 * unreviewed one follows its final decision (a block; anything else asks nothing). A monitored verdict asks nothing.
 * The enforcer checks an intent against this fresh state, so a change delivered late never undoes a later one.
 */
export const desiredOf = (verdict: Verdict): EnforcementAction | null => {
  if (verdict.mode === 'monitor') return null;
  if (verdict.review?.outcome === 'reject') return 'block';
  if (verdict.review?.outcome === 'approve') return 'unblock';
  return verdict.decision === 'block' ? 'block' : null;
};

const sameReview = (a: Review | null | undefined, b: Review): boolean =>
  a?.outcome === b.outcome && a.reviewed_at === b.reviewed_at;

/** The block a re-screen asks for: the verdict became a block, and what was answered at signup was not one. */
const rescreenedToBlock = (before: Verdict, after: Verdict): boolean =>
  (before.decision !== after.decision || before.rescreened_at !== after.rescreened_at) &&
  after.decision === 'block' &&
  after.provisional_decision !== null &&
  after.provisional_decision !== 'block' &&
  after.review?.outcome !== 'approve';

/** The intents of one change of a verdict (`before` is null for a new verdict), under `policy` (the current one). */
export const enforcementFor = (
  before: Verdict | null,
  after: Verdict,
  policy: Policy,
): EnforcementIntent[] => {
  const { source } = after;
  if (!isEnforceable(source) || after.mode === 'monitor' || !enforces(policy, source)) return [];
  const intent = (
    action: EnforcementAction,
    cause: EnforcementIntent['cause'],
    when: string,
  ): EnforcementIntent => ({
    verdictId: after.verdict_id,
    source,
    action,
    cause,
    key: `${after.verdict_id}:${action}:${when}`,
  });

  const { review } = after;
  if (review && !sameReview(before?.review, review)) {
    if (review.outcome === 'reject') return [intent('block', 'review', review.reviewed_at)];
    // An approve undoes a block that was carried out (Stripe's write-back follows every review).
    return isActiveBlock(after.enforcement) || writesReviewsBack(policy, source)
      ? [intent('unblock', 'review', review.reviewed_at)]
      : [];
  }
  if (before !== null && rescreenedToBlock(before, after)) {
    return [intent('block', 'rescreen', after.rescreened_at ?? after.created_at)];
  }
  if (before === null && REPORTED_AFTER_THE_FACT.has(source) && after.decision === 'block') {
    return [intent('block', 'created', after.created_at)];
  }
  return [];
};
