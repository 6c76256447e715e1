/**
 * What the forecasts of spending (cost to month end, when a disk or a quota runs out) take from the
 * past: the amount spent per day, averaged over whole days so that the daily rhythm (quiet nights)
 * cancels out, over as many of the last days as the forecast looks ahead.
 *
 * Why as many days as ahead: one week's mean carries that week's noise into every day forecast, so
 * a forecast weeks ahead is better served by the mean of several weeks; a forecast a few days ahead
 * by recent days, since the level drifts. Backtested in bench/forecast-backtest.js against repeating
 * the last week (docs/forecasts.md#backtest).
 */

/** The fewest days averaged: a whole week, so a weekly rhythm (quiet weekends) is inside the mean. */
export const MIN_DAYS = 7;
/** The most days averaged unless asked otherwise: past four weeks the level has usually moved. */
export const DEFAULT_MAX_DAYS = 28;
/** An 80% range: the normal quantile of 0.9. */
const Z_80 = 1.2816;

/** How many of the last days to average to forecast `aheadDays` ahead: as many, 7 to `maxDays`, no more than are stored. */
export function daysToAverage(aheadDays: number, storedDays: number, maxDays = DEFAULT_MAX_DAYS): number {
  const wanted = Math.min(maxDays, Math.max(MIN_DAYS, Math.round(aheadDays)));
  return Math.max(0, Math.min(wanted, Math.floor(storedDays)));
}

export interface DailySpending {
  /** Days averaged. */
  readonly days: number;
  /** Mean amount per day. */
  readonly perDay: number;
  /** Standard deviation of one day's amount (0 with a single day). */
  readonly spread: number;
}

/** The mean and spread of the first `days` of `amounts` (per-day amounts, newest first). */
export function dailySpending(amounts: readonly number[], days: number): DailySpending {
  const used = amounts.slice(0, days);
  const perDay = used.reduce((a, b) => a + b, 0) / used.length;
  const spread =
    used.length > 1 ? Math.sqrt(used.reduce((a, b) => a + (b - perDay) ** 2, 0) / (used.length - 1)) : 0;
  return { days: used.length, perDay, spread };
}

/**
 * The per-day amounts between which the mean of the next `aheadDays` days falls 8 times in 10, if
 * days are independent draws like the ones averaged: the error of the mean (spread / √days) and the
 * days ahead's own noise (spread / √aheadDays). A level that shifts (a new customer, a price change)
 * is outside it; the backtest reports how often the actual fell inside.
 */
export function perDayRange(s: DailySpending, aheadDays: number): { low: number; high: number } {
  const half = Z_80 * s.spread * Math.sqrt(1 / s.days + 1 / Math.max(aheadDays, 1 / 24));
  return { low: s.perDay - half, high: s.perDay + half };
}
