import type uPlot from 'uplot';
import { formatTimeTicks } from '../format-time.js';

/** Axis colours on the dark theme: labels, grid lines and ticks. */
export const AXIS = {
  stroke: '#8b949e',
  grid: { stroke: '#30363d', width: 1 },
  ticks: { stroke: '#30363d' },
};

/** The time axis at the foot of every chart: labels at least 70 px apart, written as format-time.ts does. */
export function timeAxis(style: uPlot.Axis = AXIS): uPlot.Axis {
  return {
    ...style,
    space: 70,
    size: 46,
    values: (_u: uPlot, ticks: number[], _a: number, _s: number, increment: number) =>
      formatTimeTicks(ticks, increment),
  };
}
