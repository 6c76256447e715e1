/**
 * What the forecasts of spending (cost to month end, when a disk or a quota runs out) take from the
 * past: the amount spent in each of the last days (24 hours ending a whole number of days before
 * now), read as a level times a weekday profile.
 *
 * - Whole days, so the daily rhythm (quiet nights) cancels out.
 * - The weekday profile: each weekday's share of a week over the last whole weeks (up to 4), pulled
 *   towards the mean day by as much of its spread as could be noise, so quiet Saturdays are priced
 *   as Saturdays where the weeks agree, and noisy days are not read as a rhythm.
 * - The level: the days averaged, each divided by its weekday's share, and of those the mean of the
 *   middle half, so a holiday or an outage among them does not move it (the plain mean while there
 *   is no profile yet).
 *
 * Backtested in bench/forecast-backtest.js against repeating the last week (docs/forecasts.md#backtest),
 * where each choice was made on the first quarter and checked on the second.
 */

/** The fewest days averaged: a whole week. */
export const MIN_DAYS = 7;
/** The most days averaged unless asked otherwise: past four weeks the level has usually moved. */
export const DEFAULT_MAX_DAYS = 28;
/** The most whole weeks the weekday profile is read from. */
const PROFILE_WEEKS = 4;
/** The days to read for a full weekday profile. */
export const PROFILE_DAYS = 7 * PROFILE_WEEKS;
/** An 80% range: the normal quantile of 0.9. */
const Z_80 = 1.2816;

/** How many of the last days to average to forecast `aheadDays` ahead: as many, 7 to `maxDays`, no more than are stored. */
export function daysToAverage(aheadDays: number, storedDays: number, maxDays = DEFAULT_MAX_DAYS): number {
  const wanted = Math.min(maxDays, Math.max(MIN_DAYS, Math.round(aheadDays)));
  return Math.max(0, Math.min(wanted, Math.floor(storedDays)));
}

export interface DailySpending {
  /** Days averaged for the level. */
  readonly days: number;
  /** The level: the amount of a mean weekday. */
  readonly perDay: number;
  /** Standard deviation of one day's amount about its weekday's (0 with a single day). */
  readonly spread: number;
  /** Standard deviation of the weekly levels over the weeks of the profile (0 with fewer than 2). */
  readonly weekSpread: number;
  /** Each weekday's share of a mean day (mean 1), by days before now modulo 7: [0] is the day ending now. */
  readonly weekday: readonly number[];
}

/**
 * The spending of `amounts` (per-day amounts, newest first: [k] is the 24 hours ending k days ago),
 * its level from the first `days` of them, its weekday profile from as many whole weeks as they
 * hold, up to 4. With fewer than 2 whole weeks every day is a mean day: one week cannot tell a
 * weekday from noise.
 */
export function dailySpending(amounts: readonly number[], days: number): DailySpending {
  const weeks = Math.min(PROFILE_WEEKS, Math.floor(amounts.length / 7));
  const weekday = weekdayProfile(amounts, weeks);
  // A weekday that spends nothing says nothing of the level.
  const adjusted = amounts.map((a, k) => (weekday[k % 7]! > 0 ? a / weekday[k % 7]! : undefined));
  const used = adjusted.slice(0, days).filter((a) => a !== undefined);
  const weekLevels = Array.from({ length: weeks >= 2 ? weeks : 0 }, (_, m) =>
    mean(adjusted.slice(7 * m, 7 * m + 7).filter((a) => a !== undefined)),
  );
  return {
    days: Math.min(days, amounts.length),
    // Without a profile the lowest days are mostly one weekday's (Saturdays): cutting them would
    // bias the level, so all count.
    perDay: weeks >= 2 ? middleHalfMean(used) : mean(used),
    spread: deviation(used),
    weekSpread: deviation(weekLevels),
    weekday,
  };
}

/** The expected amount of the 24 hours ending `j + 1` days from now (`j` from 0): the level times its weekday's share. */
export function dayAhead(s: DailySpending, j: number): number {
  // The day ahead j is the same weekday as the day ending 6 - j days ago, modulo 7.
  return s.perDay * s.weekday[(((6 - j) % 7) + 7) % 7]!;
}

/**
 * The per-day amounts between which the mean of the next `aheadDays` days falls 8 times in 10: the
 * error of the level (spread / √days), the days ahead's own noise (spread / √aheadDays), and the
 * level's moves from week to week (the spread of the weekly levels), which single days' noise does
 * not show. The backtest reports how often the actual fell inside.
 */
export function perDayRange(s: DailySpending, aheadDays: number): { low: number; high: number } {
  const half =
    Z_80 *
    Math.sqrt(
      s.spread ** 2 * (1 / Math.max(s.days, 1) + 1 / Math.max(aheadDays, 1 / 24)) + s.weekSpread ** 2,
    );
  return { low: s.perDay - half, high: s.perDay + half };
}

/**
 * Each weekday's share of the mean day over `weeks` whole weeks, shrunk towards 1 by the share of
 * its spread between weekdays that the weeks' disagreement could explain (none left when the
 * weekdays differ no more than weeks do).
 */
function weekdayProfile(amounts: readonly number[], weeks: number): number[] {
  const flat = [1, 1, 1, 1, 1, 1, 1];
  if (weeks < 2) return flat;
  const all = mean(amounts.slice(0, 7 * weeks));
  if (!(all > 0)) return flat;
  const bySlot = flat.map((_, s) => Array.from({ length: weeks }, (_, m) => amounts[s + 7 * m]! / all));
  const share = bySlot.map(mean);
  const noise = mean(bySlot.map((xs) => deviation(xs) ** 2)) / weeks;
  const between = share.reduce((a, f) => a + (f - 1) ** 2, 0) / 6;
  const kept = between > 0 ? Math.max(0, 1 - noise / between) : 0;
  return share.map((f) => Math.max(0, 1 + kept * (f - 1)));
}

function mean(xs: readonly number[]): number {
  return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

function deviation(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** The mean of the middle half (a quarter cut from each end; all of them below 4). */
function middleHalfMean(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 4);
  return mean(sorted.slice(cut, sorted.length - cut));
}
