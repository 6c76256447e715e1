import type { BasisDefinition } from './dashboard-definition.js';
import { durationMs, formatDuration } from './format-duration.js';

/** What a stat says under its figure about the data the figure stands on. */
export interface BasisCaption {
  readonly text: string;
  /** False below the panel's `enough`: the figure is shown, but flagged. */
  readonly enough: boolean;
}

/**
 * "based on the last 24 h" once the window is full of data, "based on the last 2 h 14 min of data"
 * before, and "not enough history" below `enough` (with how much there is) or without any.
 * `seconds` is what the basis query answered at the end of the range.
 */
export function basisCaption(seconds: number | null, basis: BasisDefinition): BasisCaption {
  const window = durationMs(basis.window) ?? 0;
  const enough = durationMs(basis.enough) ?? 0;
  if (seconds === null || !Number.isFinite(seconds) || seconds <= 0)
    return { text: 'not enough history: no data yet', enough: false };
  const ms = seconds * 1000;
  if (ms < enough) return { text: `not enough history: ${formatDuration(ms)} of data`, enough: false };
  // The basis query finds the first sample to within a step: a window that is nearly full is full.
  if (ms >= window * 0.99) return { text: `based on the last ${formatDuration(window)}`, enough: true };
  return { text: `based on the last ${formatDuration(ms)} of data`, enough: true };
}
