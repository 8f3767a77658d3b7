/**
 * Statistics counted off the request path (docs/capacity.md): the counters of new verdicts their screening left to
 * the store's change feed (locally) or the table's stream (AWS), merged per counter item and written one update each.
 */
import type { VerdictRecord } from '../core/verdict.js';
import type { CounterRepository, StatsIncrement } from '../store/ports.js';
import { verdictIncrement } from './counters.js';
import { mergeIncrements } from './sums.js';

/** What the counters need of a new verdict. */
export type CreatedRecord = Pick<VerdictRecord, 'verdict' | 'expiresAt' | 'counted'>;

/** The increment a new verdict still owes its counters; null when its screening already added it (spend cap). */
export const uncountedIncrement = (created: CreatedRecord): StatsIncrement | null =>
  created.counted ? null : verdictIncrement(created);

/**
 * Writes `increments` merged per counter item (one update per hour and shard); resolves to the indexes of the
 * increments whose write failed, for the caller to retry or report.
 */
export const recordIncrements = async (
  counters: Pick<CounterRepository, 'record'>,
  increments: readonly StatsIncrement[],
): Promise<Set<number>> => {
  const failed = new Set<number>();
  await Promise.all(
    mergeIncrements(increments).map(async ({ increment, parts }) => {
      try {
        await counters.record(increment);
      } catch {
        for (const i of parts) failed.add(i);
      }
    }),
  );
  return failed;
};
