/**
 * Statistics that move when a stored verdict changes later (docs/reviews.md): a re-screen that changes the decision
 * moves the verdict's count from the old decision to the new one, in the hour bucket it was counted in. Pure.
 */
import type { Verdict } from '../core/verdict.js';
import type { StatsIncrement } from '../store/ports.js';
import { hourOf, sourceCounter } from './counters.js';

/** The counters a decision change moves (-1 from the old decision, +1 to the new); null when the decision stayed. */
export const decisionMove = (
  before: Verdict,
  after: Verdict,
  retentionDays: number,
): StatsIncrement | null => {
  if (before.decision === after.decision) return null;
  const createdMs = Date.parse(before.created_at);
  return {
    hour: hourOf(createdMs),
    shardSeed: before.verdict_id,
    counts: {
      [before.decision]: -1,
      [after.decision]: 1,
      [sourceCounter(before.source, before.decision)]: -1,
      [sourceCounter(after.source, after.decision)]: 1,
    },
    expiresAt: Math.ceil(createdMs / 1000) + retentionDays * 86_400,
  };
};
