/** A uPlot chart that fills its container's width and redraws when the container resizes. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartProps {
  /** Options without width and height (the wrapper measures them). */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height?: number;
  /** What the chart shows, for screen readers (a data table follows the chart too). */
  label: string;
}

export const Chart = ({ options, data, height = 220, label }: ChartProps) => {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = () => Math.max(280, Math.floor(element.getBoundingClientRect().width));
    const plot = new uPlot({ ...options, width: width(), height }, data, element);
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [options, data, height]);
  return <div class="chart" ref={box} role="img" aria-label={label} />;
};

const AXIS = {
  stroke: '#424a53',
  font: '12px system-ui, sans-serif',
  grid: { stroke: '#eaeef2', width: 1 },
  ticks: { stroke: '#d1d9e0', width: 1 },
};

/** Axes in the console's greys: time along the bottom, counts (or a unit) on the left. */
export const axes = (yFormat: (v: number) => string = (v) => String(v)): uPlot.Axis[] => [
  { ...AXIS },
  { ...AXIS, size: 48, values: (_u, ticks) => ticks.map(yFormat) },
];

/** Bars for buckets of `stepSeconds`, leaving half a bucket of room at each end so no bar is cut. */
export const timeScale = (stepSeconds: number): uPlot.Scales => ({
  x: {
    time: true,
    range: (_u, min, max) => [min - stepSeconds / 2, max + stepSeconds / 2],
  },
});

export const bars = (): uPlot.Series.PathBuilder => uPlot.paths.bars!({ size: [0.7, 48], gap: 1 });
