/**
 * The overview's charts as uPlot options and data, built from GET /stats buckets (no DOM, tested on their own):
 * decisions per bucket as stacked bars, the degraded share, and Defastra calls against cache hits; and from
 * GET /quality?bucket=week, fraud caught and legit blocked per week. A new chart is one more builder here and one
 * more figure in overview.tsx.
 */
import type uPlot from 'uplot';
import type { QualityBucket, QualityFigures, StatsBucket } from '../api/types.js';
import { axes, bars, timeScale } from '../components/chart-options.js';
import { formatCount } from '../format.js';

export const COLOURS = {
  allow: '#2da44e',
  review: '#d4a72c',
  block: '#cf222e',
  degraded: '#bc4c00',
  calls: '#0969da',
  hits: '#8250df',
  caught: '#1a7f37',
  legitBlocked: '#cf222e',
};

export interface ChartSpec {
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
}

const total = (b: StatsBucket) => b.allow + b.review + b.block;
const secondsOf = (buckets: StatsBucket[]) => buckets.map((b) => Math.floor(Date.parse(b.start) / 1000));

/**
 * Stacked bars: block at the bottom, then review, then allow; each series is drawn as its running total,
 * tallest first, while the legend shows the bucket's own count. The count axis starts at 0.
 */
export const decisionsChart = (buckets: StatsBucket[], stepSeconds: number): ChartSpec => {
  const own =
    (values: number[]) =>
    (_u: uPlot, _v: number | null, _s: number, i: number | null): string =>
      i === null || values[i] === undefined ? '—' : formatCount(values[i]);
  const bar = (n: number) => (n > 0 ? n : null); // an empty bucket draws no sliver of a bar
  const series = (label: string, colour: string, values: number[]): uPlot.Series => ({
    label,
    fill: colour,
    stroke: colour,
    paths: bars(),
    points: { show: false },
    value: own(values),
  });
  return {
    options: {
      scales: timeScale(stepSeconds),
      axes: axes(undefined, true),
      series: [
        {},
        series(
          'Allow',
          COLOURS.allow,
          buckets.map((b) => b.allow),
        ),
        series(
          'Review',
          COLOURS.review,
          buckets.map((b) => b.review),
        ),
        series(
          'Block',
          COLOURS.block,
          buckets.map((b) => b.block),
        ),
      ],
    },
    data: [
      secondsOf(buckets),
      buckets.map((b) => bar(b.block + b.review + b.allow)),
      buckets.map((b) => bar(b.block + b.review)),
      buckets.map((b) => bar(b.block)),
    ],
  };
};

/** The share of verdicts decided by on_error, in percent, from 0 to at least 5%. */
export const degradedChart = (buckets: StatsBucket[], stepSeconds: number): ChartSpec => ({
  options: {
    scales: {
      ...timeScale(stepSeconds),
      y: { range: (_u, _min, max) => [0, Math.max(5, Math.ceil((max ?? 0) * 1.2))] },
    },
    axes: axes((v) => `${v}%`),
    series: [
      {},
      {
        label: 'Degraded share',
        stroke: COLOURS.degraded,
        width: 2,
        fill: 'rgba(188, 76, 0, 0.12)',
        points: { show: true, size: 5 },
        spanGaps: false,
        value: (_u, v) => (v === null ? '—' : `${v.toFixed(1)}%`),
      },
    ],
  },
  data: [secondsOf(buckets), buckets.map((b) => (total(b) > 0 ? (100 * b.degraded) / total(b) : null))],
});

/** Defastra calls and cache hits per bucket, counts from 0. */
export const defastraChart = (buckets: StatsBucket[], stepSeconds: number): ChartSpec => ({
  options: {
    scales: timeScale(stepSeconds),
    axes: axes(undefined, true),
    series: [
      {},
      { label: 'Defastra calls', stroke: COLOURS.calls, width: 2, points: { show: true, size: 5 } },
      {
        label: 'Cache hits',
        stroke: COLOURS.hits,
        width: 2,
        dash: [6, 4],
        points: { show: true, size: 5 },
      },
    ],
  },
  data: [secondsOf(buckets), buckets.map((b) => b.defastra_calls), buckets.map((b) => b.cache_hits)],
});

/** The counts behind a quality share: known frauds and how many were caught, known good users and how many blocked. */
export interface QualityCounts {
  frauds: number;
  caught: number;
  legit: number;
  legitBlocked: number;
}

export const qualityCounts = (f: QualityFigures): QualityCounts => {
  const { allow, review, block } = f.by_decision;
  return {
    frauds: allow.fraud + review.fraud + block.fraud,
    caught: review.fraud + block.fraud,
    legit: allow.legit + review.legit + block.legit,
    legitBlocked: block.legit,
  };
};

const WEEK_SECONDS = 7 * 86_400;
const percent = (share: number | null) => (share === null ? null : Math.round(share * 1000) / 10);

/**
 * `fraud_caught` and `legit_blocked` per week as lines in percent, 0 to 100; a week with nothing labelled to divide
 * by has no point (the API's `null`), and the line is not drawn through it.
 */
export const qualityChart = (buckets: QualityBucket[]): ChartSpec => {
  const line = (label: string, colour: string, dash?: number[]): uPlot.Series => ({
    label,
    stroke: colour,
    width: 2,
    ...(dash ? { dash } : {}),
    points: { show: true, size: 8 },
    spanGaps: false,
    value: (_u, v) => (v === null ? '—' : `${v}%`),
  });
  const starts = buckets.map((b) => Math.floor(Date.parse(b.start) / 1000));
  const [x, y] = axes((v) => `${v}%`);
  // One tick per week at its Monday (UTC), every other one or fewer when the chart is narrow.
  const weekAxis: uPlot.Axis = {
    ...x,
    splits: () => starts,
    values: (u, ticks) => {
      const stride = Math.max(1, Math.ceil((ticks.length * 52) / Math.max(u.width, 1)));
      return ticks.map((t, i) => {
        const d = new Date(t * 1000);
        return (ticks.length - 1 - i) % stride === 0 ? `${d.getUTCMonth() + 1}/${d.getUTCDate()}` : '';
      });
    },
  };
  return {
    options: {
      scales: { ...timeScale(WEEK_SECONDS), y: { range: () => [0, 100] } },
      axes: [weekAxis, y!],
      series: [{}, line('Fraud caught', COLOURS.caught), line('Legit blocked', COLOURS.legitBlocked, [6, 4])],
    },
    data: [starts, buckets.map((b) => percent(b.fraud_caught)), buckets.map((b) => percent(b.legit_blocked))],
  };
};
