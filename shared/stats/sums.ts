/**
 * Sums of statistics counters, for every store adapter and the counters written off the request path: counters added
 * up, increments merged per counter item, hours merged over shards, the spend total.
 */
import type { StatsCounts, StatsHour, StatsIncrement } from '../store/ports.js';
import { statsShardOf } from '../store/shards.js';
import { DEFASTRA_CALLS } from './counters.js';

/** Adds `from` into `into`. */
export const addCounts = (into: StatsCounts, from: Readonly<StatsCounts>): void => {
  for (const [name, value] of Object.entries(from)) into[name] = (into[name] ?? 0) + value;
};

/**
 * Increments merged per counter item (hour and shard), in first-seen order: one write per item for a batch of new
 * verdicts instead of one per verdict. Each merged increment keeps the seed of its first part (same shard) and the
 * latest expiry of its parts. `parts` says which inputs (by index) each one holds.
 */
export const mergeIncrements = (
  increments: readonly StatsIncrement[],
): Array<{ increment: StatsIncrement; parts: number[] }> => {
  const merged = new Map<string, { increment: StatsIncrement; parts: number[] }>();
  increments.forEach((increment, i) => {
    const key = `${increment.hour}\n${statsShardOf(increment.shardSeed)}`;
    const into = merged.get(key);
    if (!into) {
      merged.set(key, { increment: { ...increment, counts: { ...increment.counts } }, parts: [i] });
      return;
    }
    addCounts(into.increment.counts, increment.counts);
    into.increment.expiresAt = Math.max(into.increment.expiresAt, increment.expiresAt);
    into.parts.push(i);
  });
  return [...merged.values()];
};

/** Rows (of any shards) summed by hour, for hours in [sinceHour, untilHour), oldest first. */
export const sumByHour = (rows: Iterable<StatsHour>, sinceHour: string, untilHour: string): StatsHour[] => {
  const byHour = new Map<string, StatsCounts>();
  for (const { hour, counts } of rows) {
    if (hour < sinceHour || hour >= untilHour) continue;
    const sum = byHour.get(hour) ?? {};
    addCounts(sum, counts);
    byHour.set(hour, sum);
  }
  return [...byHour.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([hour, counts]) => ({ hour, counts }));
};

/** The Defastra calls the counters of one hour's shards record (absent shards count 0). */
export const callsIn = (shards: Iterable<Readonly<StatsCounts> | undefined>): number => {
  let calls = 0;
  for (const counts of shards) calls += counts?.[DEFASTRA_CALLS] ?? 0;
  return calls;
};
