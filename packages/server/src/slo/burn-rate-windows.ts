/**
 * The SRE workbook's multi-window, multi-burn-rate alerts (chapter 5, "Alerting on SLOs"): each pair
 * alerts when both its long and its short window burn faster than `factor`. The factor is the share of
 * the budget spent in the long window times the SLO window over the long window, so a 30-day window
 * gives 14.4, 6, 3 and 1, and a 28-day one 13.44, 5.6, 2.8 and 0.93.
 */
export interface BurnRateWindow {
  readonly severity: 'page' | 'ticket';
  readonly longMs: number;
  readonly shortMs: number;
  /** Share of the whole budget spent in `longMs` at the threshold burn rate. */
  readonly budgetShare: number;
  /** Burn rate that alerts: error ratio / error budget. */
  readonly factor: number;
}

const HOUR = 3_600_000;
const MIN = 60_000;

const PAIRS: readonly Omit<BurnRateWindow, 'factor'>[] = [
  { severity: 'page', longMs: HOUR, shortMs: 5 * MIN, budgetShare: 0.02 },
  { severity: 'page', longMs: 6 * HOUR, shortMs: 30 * MIN, budgetShare: 0.05 },
  { severity: 'ticket', longMs: 24 * HOUR, shortMs: 2 * HOUR, budgetShare: 0.1 },
  { severity: 'ticket', longMs: 72 * HOUR, shortMs: 6 * HOUR, budgetShare: 0.1 },
];

export function burnRateWindows(windowDays: number): BurnRateWindow[] {
  const windowMs = windowDays * 24 * HOUR;
  return PAIRS.map((p) => ({
    ...p,
    factor: Number(((p.budgetShare * windowMs) / p.longMs).toPrecision(4)),
  }));
}

/**
 * Windows recorded straight from the SLI's own queries. The SLO's whole window (28 or 30 days) instead
 * averages the 5m recording, as Sloth's optimised period rule does: a month of raw samples per
 * evaluation would be the costliest query vigil runs. The alert windows stay exact: averaging a
 * recording that began an hour ago would call that hour "the last three days".
 */
export const RAW_WINDOWS_MS: readonly number[] = [
  5 * MIN,
  30 * MIN,
  HOUR,
  2 * HOUR,
  6 * HOUR,
  24 * HOUR,
  72 * HOUR,
];
