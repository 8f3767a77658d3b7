/**
 * The overview's chart options (console/src/views/overview-charts.ts) with the real uPlot: count axes start
 * at 0, so stacked bars are drawn to scale (9 blocks of 21 is 9/21 of the bar, not its smallest slice), and
 * count ticks are whole numbers.
 */
import type uPlot from 'uplot';
import { describe, expect, it } from 'vitest';
import type { QualityBucket, StatsBucket } from '../../console/src/api/types.js';
import {
  decisionsChart,
  defastraChart,
  degradedChart,
  qualityChart,
  qualityCounts,
} from '../../console/src/views/overview-charts.js';

const bucket = (start: string, counts: Partial<StatsBucket>): StatsBucket => ({
  start,
  allow: 0,
  review: 0,
  block: 0,
  degraded: 0,
  by_source: {},
  defastra_calls: 0,
  cache_hits: 0,
  velocity: 0,
  spend_limited: 0,
  monitored: 0,
  ...counts,
});

/** Two days the issue saw: 9 blocks of 21, and 7 allows (the smallest bar). */
const BUCKETS = [
  bucket('2026-11-29T00:00:00.000Z', { allow: 7, defastra_calls: 12, cache_hits: 9 }),
  bucket('2026-11-30T00:00:00.000Z', { allow: 8, review: 4, block: 9, defastra_calls: 30, cache_hits: 14 }),
];

/** The y range uPlot would use for the chart's data (the scale's range function over the data's extent). */
const yRange = (options: ReturnType<typeof decisionsChart>['options'], data: uPlot.AlignedData) => {
  const values = data
    .slice(1)
    .flatMap((series) => [...series].filter((v): v is number => typeof v === 'number'));
  const range = options.scales?.y?.range;
  expect(typeof range).toBe('function');
  return (range as uPlot.Range.Function)({} as uPlot, Math.min(...values), Math.max(...values), 'y');
};

describe('the overview charts', () => {
  it('decisions per day: stacked totals, and the axis starts at 0 whatever the smallest bar', () => {
    const { options, data } = decisionsChart(BUCKETS, 86_400);
    expect(data[1]).toEqual([7, 21]); // allow + review + block, drawn tallest first
    expect(data[3]).toEqual([null, 9]); // block alone at the bottom; an empty bucket draws nothing
    const [min, max] = yRange(options, data);
    expect(min).toBe(0);
    expect(max).toBeGreaterThanOrEqual(21);
    expect(max).toBeLessThanOrEqual(24);
  });

  it('an empty period still has a 0-based axis', () => {
    const { options } = decisionsChart([bucket('2026-11-30T00:00:00.000Z', {})], 86_400);
    const range = options.scales?.y?.range as uPlot.Range.Function;
    expect(range({} as uPlot, null as unknown as number, null as unknown as number, 'y')).toEqual([0, 1]);
  });

  it('Defastra calls and the degraded share start at 0 too', () => {
    const calls = defastraChart(BUCKETS, 86_400);
    expect(yRange(calls.options, calls.data)[0]).toBe(0);
    const degraded = degradedChart(BUCKETS, 86_400);
    expect(yRange(degraded.options, degraded.data)[0]).toBe(0);
  });

  it('count axes tick at whole numbers only', () => {
    for (const { options } of [decisionsChart(BUCKETS, 3600), defastraChart(BUCKETS, 3600)]) {
      const incrs = options.axes?.[1]?.incrs as number[];
      expect(incrs.length).toBeGreaterThan(5);
      for (const step of incrs) expect(Number.isInteger(step)).toBe(true);
    }
  });
});

describe('the weekly quality chart', () => {
  const cell = (fraud: number, legit: number) => ({ total: fraud + legit, fraud, legit });
  const week = (start: string, shares: [number | null, number | null]): QualityBucket => ({
    start,
    labelled: 0,
    by_decision: { allow: cell(1, 6), review: cell(2, 1), block: cell(2, 0) },
    fraud_caught: shares[0],
    legit_blocked: shares[1],
  });
  const WEEKS = [
    week('2026-11-23T00:00:00.000Z', [null, null]),
    week('2026-11-30T00:00:00.000Z', [0.8, 0.0714]),
  ];

  it('draws the shares in percent on 0–100, with no point for a week with nothing labelled', () => {
    const { options, data } = qualityChart(WEEKS);
    expect(data).toEqual([
      [Date.parse('2026-11-23T00:00:00Z') / 1000, Date.parse('2026-11-30T00:00:00Z') / 1000],
      [null, 80],
      [null, 7.1],
    ]);
    const range = options.scales?.y?.range as uPlot.Range.Function;
    expect(range({} as uPlot, 0, 7.1, 'y')).toEqual([0, 100]);
    expect(options.series.slice(1).map((s) => s.spanGaps)).toEqual([false, false]);
  });

  it('puts a tick on each week (its Monday), thinned when narrow', () => {
    const { options, data } = qualityChart(WEEKS);
    const x = options.axes![0]!;
    const ticks = (x.splits as () => number[])();
    expect(ticks).toEqual(data[0]);
    const values = x.values as (u: uPlot, t: number[]) => string[];
    expect(values({ width: 800 } as uPlot, ticks)).toEqual(['11/23', '11/30']);
    expect(values({ width: 60 } as uPlot, ticks)).toEqual(['', '11/30']);
  });

  it('counts behind the shares: known frauds and caught ones, known good users and blocked ones', () => {
    expect(qualityCounts(WEEKS[1]!)).toEqual({ frauds: 5, caught: 4, legit: 7, legitBlocked: 0 });
  });
});
