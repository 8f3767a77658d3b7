/** Statistics (docs/reviews.md), the read side: hour counters summed into hour or day buckets, empty ones with zeros. */

import type { BucketSize, StatsAnswer, StatsBucket } from '../api/stats.js';
import { InvalidInputError } from '../core/errors.js';
import { DECISIONS, SOURCES } from '../core/levels.js';
import type { CounterRepository, StatsHour } from '../store/ports.js';
import { shadowCounter, sourceCounter } from './counters.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Most buckets one request may ask for (a year by day, or about 80 days by hour). */
export const MAX_BUCKETS = 2_000;
/** The default window: the last 14 days, by day. */
export const DEFAULT_DAYS = 14;

/** Thrown for a range that cannot be answered: 400 `invalid_request`. */
export class StatsRangeError extends InvalidInputError {
  override readonly name = 'StatsRangeError';
  constructor(message: string) {
    super('query', message);
  }
}

const floorTo = (ms: number, size: number): number => Math.floor(ms / size) * size;
const ceilTo = (ms: number, size: number): number => Math.ceil(ms / size) * size;

/** The bucket starts covering [since, until): since rounded down, until rounded up to the bucket size. */
export const bucketStarts = (since: number, until: number, bucket: BucketSize): number[] => {
  const size = bucket === 'hour' ? HOUR_MS : DAY_MS;
  const from = floorTo(since, size);
  const to = ceilTo(until, size);
  if (to <= from) throw new StatsRangeError('until must be after since');
  const count = (to - from) / size;
  if (count > MAX_BUCKETS) throw new StatsRangeError(`at most ${MAX_BUCKETS} ${bucket} buckets per request`);
  return Array.from({ length: count }, (_v, i) => from + i * size);
};

/** A live × shadow matrix of zeros. */
const emptyShadow = (): Record<string, Record<string, number>> =>
  Object.fromEntries(DECISIONS.map((live) => [live, Object.fromEntries(DECISIONS.map((s) => [s, 0]))]));

const emptyBucket = (start: number, withShadow: boolean): StatsBucket => ({
  start: new Date(start).toISOString(),
  allow: 0,
  review: 0,
  block: 0,
  degraded: 0,
  by_source: Object.fromEntries(SOURCES.map((source) => [source, { allow: 0, review: 0, block: 0 }])),
  defastra_calls: 0,
  cache_hits: 0,
  velocity: 0,
  spend_limited: 0,
  monitored: 0,
  ...(withShadow ? { shadow: emptyShadow() } : {}),
});

const addHour = (bucket: StatsBucket, counts: Record<string, number>): void => {
  for (const decision of DECISIONS) {
    bucket[decision] += counts[decision] ?? 0;
    for (const source of SOURCES)
      bucket.by_source[source]![decision] += counts[sourceCounter(source, decision)] ?? 0;
  }
  bucket.degraded += counts.degraded ?? 0;
  bucket.defastra_calls += counts.defastra_calls ?? 0;
  bucket.cache_hits += counts.cache_hits ?? 0;
  bucket.velocity += counts.velocity ?? 0;
  bucket.spend_limited += counts.spend_limited ?? 0;
  bucket.monitored += counts.monitored ?? 0;
  for (const [live, row] of Object.entries(bucket.shadow ?? {})) {
    for (const shadow of DECISIONS)
      row[shadow] = (row[shadow] ?? 0) + (counts[shadowCounter(live, shadow)] ?? 0);
  }
};

/** Folds hour rows into the buckets (oldest first); `withShadow` adds the live × shadow transitions. */
export const toBuckets = (
  starts: readonly number[],
  bucket: BucketSize,
  hours: readonly StatsHour[],
  withShadow = false,
): StatsBucket[] => {
  const size = bucket === 'hour' ? HOUR_MS : DAY_MS;
  const buckets = starts.map((start) => emptyBucket(start, withShadow));
  const first = starts[0] ?? 0;
  for (const { hour, counts } of hours) {
    const index = Math.floor((Date.parse(hour) - first) / size);
    const target = buckets[index];
    if (target) addHour(target, counts);
  }
  return buckets;
};

/**
 * `GET /stats`: the buckets of [since, until) (default: the last 14 days by day), from the counters, never a scan;
 * `withShadow` (a shadow policy is set) adds each bucket's live × shadow transitions.
 */
export const readStatsBuckets = async (
  counters: CounterRepository,
  range: { since?: string; until?: string; bucket?: BucketSize },
  nowMs: number,
  withShadow = false,
): Promise<StatsAnswer> => {
  const bucket = range.bucket ?? 'day';
  const until = range.until ? Date.parse(range.until) : nowMs;
  const since = range.since ? Date.parse(range.since) : floorTo(nowMs, DAY_MS) - (DEFAULT_DAYS - 1) * DAY_MS;
  const starts = bucketStarts(since, until, bucket);
  const size = bucket === 'hour' ? HOUR_MS : DAY_MS;
  const first = starts[0]!;
  const hours = await counters.read(
    new Date(first).toISOString(),
    new Date(first + starts.length * size).toISOString(),
  );
  return { buckets: toBuckets(starts, bucket, hours, withShadow) };
};
