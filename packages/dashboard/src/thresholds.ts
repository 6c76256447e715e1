export type ThresholdColor = 'green' | 'yellow' | 'orange' | 'red' | 'blue' | 'grey';

export interface Threshold {
  readonly value: number;
  readonly color: ThresholdColor;
}

/** CSS colours of the threshold names, readable on the dark background. */
export const COLORS: Readonly<Record<ThresholdColor, string>> = {
  green: '#3fb950',
  yellow: '#e3b341',
  orange: '#f0883e',
  red: '#f85149',
  blue: '#58a6ff',
  grey: '#8b949e',
};

/**
 * The colour of a value under ascending thresholds, as Grafana does: the last threshold at or below
 * the value wins; below the first one the base colour (green) applies.
 */
export function thresholdColor(
  value: number | null | undefined,
  thresholds: readonly Threshold[] = [],
): ThresholdColor {
  if (value === null || value === undefined || Number.isNaN(value)) return 'grey';
  let color: ThresholdColor = 'green';
  for (const t of thresholds) if (value >= t.value) color = t.color;
  return color;
}
