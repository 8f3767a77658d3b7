/**
 * Decision quality (docs/outcomes.md), the read side: `GET /quality` from the statistics counters of the range (the
 * verdicts of each decision, and the labelled ones by label), never a table scan: per source, in total, and per day
 * or week when asked.
 */
import type {
  QualityAnswer,
  QualityBucket,
  QualityBucketSize,
  QualityCell,
  QualityFigures,
} from '../api/outcomes.js';
import { DECISIONS, type Decision, SOURCES, type Source } from '../core/levels.js';
import type { CounterRepository, StatsCounts, StatsHour } from '../store/ports.js';
import { StatsRangeError } from './buckets.js';
import { sourceCounter } from './counters.js';
import { labelCounter } from './quality.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday: weeks (Monday 00:00 UTC) are offset from the epoch by 4 days. */
const WEEK_OFFSET_MS = 4 * DAY_MS;
/** The default range: the last 30 days. */
export const DEFAULT_QUALITY_DAYS = 30;
/** The longest range one request reads (the counters of every hour in it). */
export const MAX_QUALITY_DAYS = 400;

type Counts = Record<Source, Record<Decision, QualityCell>>;

const emptyCells = (): Record<Decision, QualityCell> =>
  Object.fromEntries(DECISIONS.map((d) => [d, { total: 0, fraud: 0, legit: 0 }])) as Record<
    Decision,
    QualityCell
  >;

const emptyCounts = (): Counts => Object.fromEntries(SOURCES.map((s) => [s, emptyCells()])) as Counts;

const addHour = (into: Counts, counts: Readonly<StatsCounts>): void => {
  for (const source of SOURCES) {
    for (const decision of DECISIONS) {
      const cell = into[source][decision];
      cell.total += counts[sourceCounter(source, decision)] ?? 0;
      cell.fraud += counts[labelCounter(source, decision, 'fraud')] ?? 0;
      cell.legit += counts[labelCounter(source, decision, 'legit')] ?? 0;
    }
  }
};

/** `part / whole`, rounded to 4 decimals; null when `whole` is 0. */
const share = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;

/** The figures of some cells: labelled count, per decision, and the two shares. */
export const figuresOf = (byDecision: Record<Decision, QualityCell>): QualityFigures => {
  const fraud = DECISIONS.reduce((n, d) => n + byDecision[d].fraud, 0);
  const legit = DECISIONS.reduce((n, d) => n + byDecision[d].legit, 0);
  return {
    labelled: fraud + legit,
    by_decision: byDecision,
    fraud_caught: share(byDecision.review.fraud + byDecision.block.fraud, fraud),
    legit_blocked: share(byDecision.block.legit, legit),
  };
};

const sumOver = (counts: Counts, sources: readonly Source[]): Record<Decision, QualityCell> => {
  const cells = emptyCells();
  for (const source of sources) {
    for (const decision of DECISIONS) {
      cells[decision].total += counts[source][decision].total;
      cells[decision].fraud += counts[source][decision].fraud;
      cells[decision].legit += counts[source][decision].legit;
    }
  }
  return cells;
};

const hasAny = (cells: Record<Decision, QualityCell>): boolean =>
  DECISIONS.some((d) => cells[d].total + cells[d].fraud + cells[d].legit > 0);

const floorTo = (ms: number, size: number, offset = 0): number =>
  Math.floor((ms - offset) / size) * size + offset;
const ceilTo = (ms: number, size: number, offset = 0): number =>
  Math.ceil((ms - offset) / size) * size + offset;

/** The size and alignment of a bucket. */
const grid = (bucket: QualityBucketSize | undefined): { size: number; offset: number } =>
  bucket === 'week'
    ? { size: WEEK_MS, offset: WEEK_OFFSET_MS }
    : bucket === 'day'
      ? { size: DAY_MS, offset: 0 }
      : { size: HOUR_MS, offset: 0 };

/** Folds hour rows, summed over `sources`, into figures. */
const figuresOfHours = (hours: readonly StatsHour[], sources: readonly Source[]): QualityFigures => {
  const counts = emptyCounts();
  for (const { counts: hour } of hours) addHour(counts, hour);
  return figuresOf(sumOver(counts, sources));
};

/**
 * `GET /quality`: the verdicts created in [since, until) (default: the last 30 days), rounded out to whole hours (or
 * whole days or weeks with `bucket`), from the counters: one read of the range's hours.
 */
export const readQuality = async (
  counters: CounterRepository,
  query: { since?: string; until?: string; source?: Source; bucket?: QualityBucketSize },
  nowMs: number,
): Promise<QualityAnswer> => {
  const { size, offset } = grid(query.bucket);
  const untilMs = query.until ? Date.parse(query.until) : nowMs;
  const sinceMs = query.since ? Date.parse(query.since) : untilMs - DEFAULT_QUALITY_DAYS * DAY_MS;
  const from = floorTo(sinceMs, size, offset);
  const to = ceilTo(untilMs, size, offset);
  if (to <= from || untilMs <= sinceMs) throw new StatsRangeError('until must be after since');
  if (to - from > MAX_QUALITY_DAYS * DAY_MS) {
    throw new StatsRangeError(`at most ${MAX_QUALITY_DAYS} days per request`);
  }
  const hours = await counters.read(new Date(from).toISOString(), new Date(to).toISOString());
  const sources: readonly Source[] = query.source ? [query.source] : SOURCES;

  const counts = emptyCounts();
  for (const { counts: hour } of hours) addHour(counts, hour);
  const bySource: Record<string, QualityFigures> = {};
  for (const source of sources) {
    const cells = sumOver(counts, [source]);
    if (hasAny(cells)) bySource[source] = figuresOf(cells);
  }
  const answer: QualityAnswer = {
    since: new Date(from).toISOString(),
    until: new Date(to).toISOString(),
    ...figuresOf(sumOver(counts, sources)),
    by_source: bySource,
  };
  if (query.bucket) {
    const grouped: StatsHour[][] = Array.from({ length: (to - from) / size }, () => []);
    for (const row of hours) grouped[Math.floor((Date.parse(row.hour) - from) / size)]?.push(row);
    answer.buckets = grouped.map(
      (rows, i): QualityBucket => ({
        start: new Date(from + i * size).toISOString(),
        ...figuresOfHours(rows, sources),
      }),
    );
  }
  return answer;
};
