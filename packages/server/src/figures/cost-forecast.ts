import { acrossNames } from './across-names.js';
import { dailySpending, dayAhead, MIN_DAYS, PROFILE_DAYS, perDayRange } from './daily-spending.js';
import { dataSpan } from './span-rate.js';

/** The LLM cost at the end of the calendar month (UTC), in USD. */
export interface MonthEndCostForecast {
  /**
   * `month_so_far`: the days left are priced from the month's whole days so far (the last 7 while
   * fewer have passed) and the weekday profile of the last weeks; `not_enough_history`: less than 7 days of cost are stored, so no figure
   * is given rather than a line through a few hours.
   */
  readonly basis: 'month_so_far' | 'not_enough_history';
  /** Seconds of cost data stored, counted up to 32 days (to within a minute under a day, 32 minutes past it). */
  readonly history_seconds: number;
  readonly month_to_date: number;
  /** Days (fractional) from now to the end of the month. */
  readonly days_left: number;
  /** Whole days averaged for the level: those of the month so far, at least the last 7. */
  readonly days_averaged: number | null;
  /**
   * Month to date, each 24 hours left at the level times its weekday's share, and the hours left
   * after them (now's time of day to midnight) as their share of the days averaged.
   */
  readonly expected: number | null;
  /** The 80% range around it, from the spread of the days and of the weeks. */
  readonly low: number | null;
  readonly high: number | null;
  /**
   * The days read, newest first (each the 24 hours ending that many days before now): the days
   * averaged, and up to 4 whole weeks for the weekday profile.
   */
  readonly daily: readonly number[] | null;
}

const DAY_S = 86_400;
/** An hour's slack: history that started a few minutes after a whole number of days ago still counts. */
const SLACK_S = 3600;

/**
 * The month-end forecast of the cost counter `selector` (USD, a counter), from instant queries run
 * by `one`; `names` are the metric names it matches when they may be several (across-names.ts). Assumes the days left cost what the month's days so far did (daily-spending.ts: the
 * middle half of those days, each weekday at its share). A trend within the month (growing
 * traffic) is not followed, and a price change shows only once it is most of the days averaged.
 */
export async function monthEndCostForecast(
  one: (expr: string) => Promise<number>,
  selector: string,
  now: number,
  names: readonly string[] = [],
): Promise<MonthEndCostForecast> {
  // The cost over `range` ending `offset` before now.
  const spent = (range: string, offset = '') =>
    `sum(${acrossNames(selector, names, (s) => `increase(${s}[${range}]${offset && ` offset ${offset}`})`)})`;
  const date = new Date(now);
  const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const nextMonth = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  const sinceStartS = Math.max(60, Math.floor((now - monthStart) / 1000));
  const [lastDay, month, monthToDate] = await Promise.all([
    one(dataSpan(selector, '1d', names)),
    one(dataSpan(selector, '32d', names)),
    one(spent(`${sinceStartS}s`)),
  ]);
  // The 32-day subquery steps every 32 minutes: on a fresh install its first step may not have come
  // yet. Up to a day the day's one-minute steps say how much there is.
  const history = month > DAY_S ? month : lastDay;
  const leftS = (nextMonth - now) / 1000;
  const base = {
    history_seconds: Math.round(history),
    month_to_date: monthToDate,
    days_left: leftS / DAY_S,
  };
  const storedDays = Math.floor((history + SLACK_S) / DAY_S);
  if (storedDays < MIN_DAYS)
    return {
      basis: 'not_enough_history',
      ...base,
      days_averaged: null,
      expected: null,
      low: null,
      high: null,
      daily: null,
    };
  const days = Math.min(storedDays, Math.max(MIN_DAYS, Math.floor(sinceStartS / DAY_S)));
  const read = Math.max(days, Math.min(storedDays, PROFILE_DAYS));
  const wholeDaysLeft = Math.floor(leftS / DAY_S);
  const restS = Math.round(leftS - wholeDaysLeft * DAY_S);
  const [daily, sameHours] = await Promise.all([
    Promise.all(Array.from({ length: read }, (_, k) => one(spent('1d', k > 0 ? `${k}d` : '')))),
    // The hours left after the whole days: the same hours (now's time of day onwards) of the days averaged.
    restS >= 60
      ? Promise.all(
          Array.from({ length: days }, (_, k) => one(spent(`${restS}s`, `${(k + 1) * DAY_S - restS}s`))),
        )
      : Promise.resolve([] as number[]),
  ]);
  const spending = dailySpending(daily, days);
  let ahead = 0;
  for (let j = 0; j < wholeDaysLeft; j++) ahead += dayAhead(spending, j);
  if (restS > 0) {
    const spentInDays = daily.slice(0, days).reduce((a, b) => a + b, 0);
    const share =
      sameHours.length > 0 && spentInDays > 0
        ? sameHours.reduce((a, b) => a + b, 0) / spentInDays
        : restS / DAY_S;
    ahead += share * dayAhead(spending, wholeDaysLeft);
  }
  const expected = monthToDate + ahead;
  const { high } = perDayRange(spending, base.days_left);
  const half = base.days_left * (high - spending.perDay);
  return {
    basis: 'month_so_far',
    ...base,
    days_averaged: days,
    expected,
    low: Math.max(monthToDate, expected - half),
    high: expected + half,
    daily,
  };
}
