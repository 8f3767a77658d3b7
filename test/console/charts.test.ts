/**
 * The overview's chart options (console/src/views/overview-charts.ts) with the real uPlot: count axes start
 * at 0, so stacked bars are drawn to scale (9 blocks of 21 is 9/21 of the bar, not its smallest slice), and
 * count ticks are whole numbers.
 */
import type uPlot from 'uplot';
import { describe, expect, it } from 'vitest';
import type { StatsBucket } from '../../console/src/api/types.js';
import { decisionsChart, defastraChart, degradedChart } from '../../console/src/views/overview-charts.js';

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
