import type { QueryEngine } from '../query/query-engine.js';
import type { VectorSample } from '../query/query-result.js';
import { dailySpending, daysToAverage, MIN_DAYS, perDayRange } from './daily-spending.js';

type SeriesLabels = VectorSample['metric'];

/** When one series (free disk bytes, a quota's remainder) reaches zero if it keeps being spent as it was. */
export interface RunOut {
  readonly labels: SeriesLabels;
  /** What is left now: the latest sample. */
  readonly remaining: number;
  /** Mean change per second over the days averaged (negative: falling). */
  readonly slopePerSecond: number;
  /** Whole days averaged: as many as the forecast looks ahead, 7 to the window, no more than stored. */
  readonly daysAveraged: number;
  readonly seconds: number;
  /** The 80% range: spent as fast as the dearest likely days / as slowly as the cheapest (null: it may never run out). */
  readonly earliestSeconds: number;
  readonly latestSeconds: number | null;
  /** "~9 days", "~5 hours", "~40 minutes". */
  readonly text: string;
}

/** A series with less than a day stored: no forecast, since a day's rhythm is not in it yet. */
export interface TooLittleHistory {
  readonly labels: SeriesLabels;
  readonly historySeconds: number;
}

export interface RunOuts {
  /** The falling series, soonest first. */
  readonly forecasts: readonly RunOut[];
  readonly notEnoughHistory: readonly TooLittleHistory[];
}

const DAY = 86_400_000;
/** The grid the history is read on: fine enough to place the last part of a day, 97 points a day. */
const STEP = 15 * 60_000;

/**
 * The series of `selector` that fall, soonest first, from their history over the last `maxDays`
 * days. Assumes they keep being spent as on average over as many whole days as the forecast looks
 * ahead (7 to `maxDays`, fewer while fewer are stored): the daily rhythm cancels over whole days, a
 * weekly rhythm over 7 or more, and the last part of a day is placed by the hours of the days
 * averaged (a quota spent by day runs out in the afternoon, not at night). A trend (spending that
 * grows every week) is not followed, and a sudden change shows only once it weighs in the mean: for
 * a disk filling in hours, alert on `predict_linear` over an hour instead (docs/forecasts.md).
 */
export async function runOut(
  engine: QueryEngine,
  selector: string,
  maxDays: number,
  now: number,
): Promise<RunOuts> {
  // The latest sample within the hour before each point: a quota read hourly has a value at each.
  const result = await engine.rangeQuery(`last_over_time(${selector}[1h])`, now - maxDays * DAY, now, STEP);
  const forecasts: RunOut[] = [];
  const notEnoughHistory: TooLittleHistory[] = [];
  if (result.resultType !== 'matrix') return { forecasts, notEnoughHistory };
  for (const series of result.result) {
    const byTime = new Map<number, number>();
    for (const [i, t] of series.timesMs.entries()) byTime.set(t, series.values[i]!);
    const at = (t: number) => byTime.get(t);
    const remaining = at(now);
    const first = series.timesMs[0];
    if (remaining === undefined || first === undefined) continue;
    // The first point can be up to a step after the first sample.
    const storedDays = (now - first + STEP) / DAY;
    if (storedDays < 1) {
      notEnoughHistory.push({ labels: series.metric, historySeconds: Math.round((now - first) / 1000) });
      continue;
    }
    const amounts: number[] = [];
    for (let k = 0; k < Math.min(maxDays, Math.floor(storedDays)); k++) {
      const before = at(now - (k + 1) * DAY);
      const after = at(now - k * DAY);
      if (before === undefined || after === undefined) break;
      amounts.push(before - after);
    }
    if (amounts.length === 0) continue;
    const week = dailySpending(amounts, daysToAverage(MIN_DAYS, amounts.length, maxDays));
    if (!(week.perDay > 0)) continue;
    const spending = dailySpending(amounts, daysToAverage(remaining / week.perDay, amounts.length, maxDays));
    if (!(spending.perDay > 0)) continue;
    const wholeDays = Math.max(0, Math.floor(remaining / spending.perDay));
    const seconds =
      (wholeDays * DAY + partOfDay(remaining - wholeDays * spending.perDay, spending.days, now, at)) / 1000;
    const { low, high } = perDayRange(spending, seconds / 86_400);
    forecasts.push({
      labels: series.metric,
      remaining,
      slopePerSecond: -spending.perDay / 86_400,
      daysAveraged: spending.days,
      seconds,
      earliestSeconds: (Math.max(0, remaining) / high) * 86_400,
      latestSeconds: low > 0 ? (Math.max(0, remaining) / low) * 86_400 : null,
      text: approximately(seconds),
    });
  }
  forecasts.sort((a, b) => a.seconds - b.seconds);
  return { forecasts, notEnoughHistory };
}

/**
 * Milliseconds from now until `left` is spent, spent as the same hours of the last `days` days
 * were on average: the first point of the day ahead where their mean spending reaches it.
 */
function partOfDay(left: number, days: number, now: number, at: (t: number) => number | undefined): number {
  if (left <= 0) return 0;
  for (let u = STEP; u < DAY; u += STEP) {
    let spent = 0;
    let n = 0;
    for (let k = 1; k <= days; k++) {
      const from = at(now - k * DAY);
      const to = at(now - k * DAY + u);
      if (from === undefined || to === undefined) continue;
      spent += from - to;
      n++;
    }
    // Within rounding: a day spent exactly as before reaches it on the point, not a step later.
    if (n > 0 && spent / n >= left * (1 - 1e-9)) return u;
  }
  return DAY;
}

/** "~9 days": a forecast is not precise, so neither is its wording. */
export function approximately(seconds: number): string {
  if (seconds < 3600) return `~${Math.max(1, Math.round(seconds / 60))} minutes`;
  if (seconds < 2 * 86_400) return `~${Math.round(seconds / 3600)} hours`;
  return `~${Math.round(seconds / 86_400)} days`;
}
