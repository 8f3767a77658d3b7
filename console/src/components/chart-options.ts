/** uPlot options shared by the console's charts (no DOM, so they can be tested on their own): axes, scales and bars. */
import uPlot from 'uplot';

const AXIS = {
  stroke: '#424a53',
  font: '12px system-ui, sans-serif',
  grid: { stroke: '#eaeef2', width: 1 },
  ticks: { stroke: '#d1d9e0', width: 1 },
};

/** Whole-number tick steps for counts (uPlot's defaults include fractions). */
const COUNT_STEPS = [
  1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000,
];
const COUNT_INCRS = [...COUNT_STEPS, ...COUNT_STEPS.slice(-3).map((n) => n * 10), 1e6, 1e7];

/** Axes in the console's greys: time along the bottom, counts (or a unit) on the left. */
export const axes = (yFormat: (v: number) => string = (v) => String(v), counts = false): uPlot.Axis[] => [
  { ...AXIS },
  { ...AXIS, size: 48, values: (_u, ticks) => ticks.map(yFormat), ...(counts ? { incrs: COUNT_INCRS } : {}) },
];

/**
 * A count axis from 0 to a little above the largest value: a bar's height is its count, so 9 of 21 is drawn
 * as 9 of 21 (fitted to the data, uPlot would start the axis near the smallest bar).
 */
export const countRange: uPlot.Range.Function = (_u, _min, max) => [
  0,
  max === null || !Number.isFinite(max) || max <= 0 ? 1 : Math.ceil(max * 1.1),
];

/** Bars for buckets of `stepSeconds`, leaving half a bucket of room at each end so no bar is cut; counts from 0. */
export const timeScale = (stepSeconds: number): uPlot.Scales => ({
  x: {
    time: true,
    range: (_u, min, max) => [min - stepSeconds / 2, max + stepSeconds / 2],
  },
  y: { range: countRange },
});

export const bars = (): uPlot.Series.PathBuilder => uPlot.paths.bars!({ size: [0.7, 48], gap: 1 });
