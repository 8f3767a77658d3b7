/**
 * The overview's charts as uPlot options and data, built from GET /stats buckets (no DOM, tested on their own):
 * decisions per bucket as stacked bars, the degraded share, and Defastra calls against cache hits. A new chart
 * is one more builder here and one more figure in overview.tsx.
 */
import type uPlot from 'uplot';
import type { StatsBucket } from '../api/types.js';
import { axes, bars, timeScale } from '../components/chart-options.js';
import { formatCount } from '../format.js';

export const COLOURS = {
  allow: '#2da44e',
  review: '#d4a72c',
  block: '#cf222e',
  degraded: '#bc4c00',
  calls: '#0969da',
  hits: '#8250df',
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
