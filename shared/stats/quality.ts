/**
 * Decision quality counters (docs/outcomes.md), the write side: a labelled verdict counts once under its source,
 * decision and effective label, in the hour it was created. A change of either (a label, a review, a re-screen moving
 * the decision) moves that count: −1 where it was, +1 where it is, so the counters always hold the current truth.
 */
import type { Decision, Source } from '../core/levels.js';
import type { Verdict } from '../core/verdict.js';
import type { OutcomeLabel } from '../core/vocabulary.js';
import { effectiveLabel } from '../outcomes/labels.js';
import type { StatsIncrement } from '../store/ports.js';
import { hourOf } from './counters.js';

/** `lbl_<source>_<decision>_<label>`: labelled verdicts of one source and decision (totals are summed on read). */
export const labelCounter = (source: Source, decision: Decision, label: OutcomeLabel): string =>
  `lbl_${source}_${decision}_${label}`;

/** The one quality counter a verdict is counted under; null when it has no label. */
const counterOf = (verdict: Verdict): string | null => {
  const label = effectiveLabel(verdict);
  return label === null ? null : labelCounter(verdict.source, verdict.decision, label);
};

/**
 * What a change of a verdict (`before` null: a new one) moves in the quality counters of its creation hour; null when
 * nothing moves (same source, decision and effective label, or never labelled). The counters go in the verdict's own
 * statistics shard and expire with its hour.
 */
export const qualityIncrement = (
  before: Verdict | null,
  after: Verdict,
  retentionDays: number,
): StatsIncrement | null => {
  const was = before === null ? null : counterOf(before);
  const is = counterOf(after);
  if (was === is) return null;
  const counts: Record<string, number> = {};
  if (was !== null) counts[was] = -1;
  if (is !== null) counts[is] = (counts[is] ?? 0) + 1;
  const hour = hourOf(Date.parse(after.created_at));
  return {
    hour,
    shardSeed: after.verdict_id,
    counts,
    // The end of the hour: never earlier than what the hour's screenings set (each writes its own time).
    expiresAt: Date.parse(hour) / 1000 + 3_600 + retentionDays * 86_400,
  };
};
