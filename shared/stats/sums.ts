/** Sums of statistics counters, for every store adapter: counters added up, hours merged over shards, the spend total. */
import type { StatsCounts, StatsHour } from '../store/ports.js';
import { DEFASTRA_CALLS } from './counters.js';

/** Adds `from` into `into`. */
export const addCounts = (into: StatsCounts, from: Readonly<StatsCounts>): void => {
  for (const [name, value] of Object.entries(from)) into[name] = (into[name] ?? 0) + value;
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
