import type { Unit } from '../format-value.js';

/**
 * The y scale of a chart: from zero for values that never go below it, with a tenth of headroom;
 * a flat line at zero under a scale one unit tall (0-100% for a ratio), where uPlot's default
 * would centre it in ±100 units (an error-rate chart reading "10000%").
 */
export function yRange(min: number | null, max: number | null, unit: Unit): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min >= 0 && max === 0) return [0, unit === 'percent' ? 100 : 1];
  if (min === max) return [Math.min(0, min * 1.1), Math.max(0, max * 1.1)];
  const pad = (max - Math.min(0, min)) * 0.1;
  return [min >= 0 ? 0 : min - pad, max + pad];
}
