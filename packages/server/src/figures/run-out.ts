import type { QueryEngine } from '../query/query-engine.js';
import type { VectorSample } from '../query/query-result.js';
import {
  type DailySpending,
  dailySpending,
  dayAhead,
  daysToAverage,
  MIN_DAYS,
  perDayRange,
} from './daily-spending.js';

type SeriesLabels = VectorSample['metric'];

/** When one series (free disk bytes, a quota's remainder) reaches zero if it keeps being spent as it was. */
export interface RunOut {
  readonly labels: SeriesLabels;
  /** What is left now: the latest sample. */
  readonly remaining: number;
  /** Change per second on a mean weekday (negative: falling). */
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
  /** How many series the selector matched over the window: those neither falling nor too new are steady. */
  readonly series: number;
  /** The falling series, soonest first. */
  readonly forecasts: readonly RunOut[];
  readonly notEnoughHistory: readonly TooLittleHistory[];
}

const DAY = 86_400_000;
/** The grid the history is read on: fine enough to place the last part of a day, 97 points a day. */
const STEP = 15 * 60_000;

/**
 * The series of `selector` that fall, soonest first, from their history over the last `maxDays`
 * days. Assumes they keep being spent as over as many whole days as the forecast looks ahead (7 to
 * `maxDays`, fewer while fewer are stored), each weekday at its share (daily-spending.ts), and that
 * the last part of a day goes as the hours of the days averaged did (a quota spent by day runs out
 * in the afternoon, not at night). A trend (spending that grows every week) is not followed, and a
 * sudden change shows only once it is most of the days averaged: for a disk filling in hours, alert
 * on `predict_linear` over an hour instead (docs/forecasts.md).
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
  if (result.resultType !== 'matrix') return { series: 0, forecasts, notEnoughHistory };
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
    // Spent day by day at `perDay` times each weekday's share, the last part as the hours went.
    const secondsAt = (perDay: number) => {
      const s = { ...spending, perDay };
      const { wholeDays, left } = wholeDaysUntil(s, remaining);
      return (wholeDays * DAY + partOfDay(left, dayAhead(s, wholeDays), s.days, now, at)) / 1000;
    };
    const seconds = secondsAt(spending.perDay);
    const { low, high } = perDayRange(spending, seconds / 86_400);
    forecasts.push({
      labels: series.metric,
      remaining,
      slopePerSecond: -spending.perDay / 86_400,
      daysAveraged: spending.days,
      seconds,
      // The range's ends are spent as the forecast is, weekday by weekday: at a flat rate they could
      // leave the forecast outside its own range (a quota spent on weekdays only: out on Tuesday,
      // range Monday to Monday).
      earliestSeconds: secondsAt(high),
      latestSeconds: low > 0 ? secondsAt(low) : null,
      text: approximately(seconds),
    });
  }
  forecasts.sort((a, b) => a.seconds - b.seconds);
  return {
    series: result.result.length,
    forecasts,
    notEnoughHistory: await historyOfNew(engine, selector, notEnoughHistory, now),
  };
}

/**
 * The history of series with less than a day stored, to the minute: the 15-minute grid that
 * finds them says 0 for the first quarter of an hour ("0 s of data" beside a series that has had
 * samples for 14 minutes). From the first sample of the last day; the grid's figure where the
 * query cannot tell series apart without their names (a selector across metric names).
 */
async function historyOfNew(
  engine: QueryEngine,
  selector: string,
  series: readonly TooLittleHistory[],
  now: number,
): Promise<readonly TooLittleHistory[]> {
  if (series.length === 0) return series;
  const key = (labels: SeriesLabels) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([name]) => name !== '__name__')
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  const first = new Map<string, number>();
  try {
    const result = await engine.instantQuery(`min_over_time(timestamp(${selector})[1d:1m])`, now);
    if (result.resultType === 'vector') for (const s of result.result) first.set(key(s.metric), s.value);
  } catch {
    return series;
  }
  return series.map((n) => {
    const since = first.get(key(n.labels));
    return since === undefined ? n : { ...n, historySeconds: Math.max(0, Math.round(now / 1000 - since)) };
  });
}

/**
 * The whole days ahead spent before `remaining` is (each at the level times its weekday's share),
 * and what is left of it for the day after them. Whole weeks at once.
 */
function wholeDaysUntil(s: DailySpending, remaining: number): { wholeDays: number; left: number } {
  let week = 0;
  for (let j = 0; j < 7; j++) week += dayAhead(s, j);
  const weeks = Math.max(0, Math.floor(remaining / week));
  let left = remaining - weeks * week;
  let j = 0;
  while (j < 7 && left > dayAhead(s, j)) left -= dayAhead(s, j++);
  return { wholeDays: 7 * weeks + j, left };
}

/**
 * Milliseconds into a day that spends `ofDay` until `left` is spent in it, as the same hours of the
 * last `days` days went: the first point where their share of those days' spending reaches it.
 */
function partOfDay(
  left: number,
  ofDay: number,
  days: number,
  now: number,
  at: (t: number) => number | undefined,
): number {
  if (left <= 0) return 0;
  const spentBy = (u: number) => {
    let spent = 0;
    for (let k = 1; k <= days; k++) {
      const from = at(now - k * DAY);
      const to = at(now - k * DAY + u);
      if (from !== undefined && to !== undefined) spent += from - to;
    }
    return spent;
  };
  const whole = spentBy(DAY);
  if (!(whole > 0) || !(ofDay > 0)) return DAY;
  for (let u = STEP; u < DAY; u += STEP)
    // Within rounding: a day spent exactly as before reaches it on the point, not a step later.
    if ((spentBy(u) / whole) * ofDay >= left * (1 - 1e-9)) return u;
  return DAY;
}

/** "~9 days": a forecast is not precise, so neither is its wording. "now" for what has run out. */
export function approximately(seconds: number): string {
  if (seconds <= 0) return 'now';
  if (seconds < 3600) return counted(Math.max(1, Math.round(seconds / 60)), 'minute');
  if (seconds < 2 * 86_400) return counted(Math.round(seconds / 3600), 'hour');
  return counted(Math.round(seconds / 86_400), 'day');
}

function counted(n: number, unit: string): string {
  return `~${n} ${unit}${n === 1 ? '' : 's'}`;
}
