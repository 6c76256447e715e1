import { dataSpan } from './span-rate.js';

/** The LLM cost at the end of the calendar month (UTC), in USD. */
export interface MonthEndCostForecast {
  /**
   * `last_7_days`: the days left are priced from the last 7 days; `not_enough_history`: less than
   * 7 days of cost are stored, so no figure is given rather than a line through a few hours.
   */
  readonly basis: 'last_7_days' | 'not_enough_history';
  /** Seconds of cost data stored, counted up to 8 days. */
  readonly history_seconds: number;
  readonly month_to_date: number;
  /** Days (fractional) from now to the end of the month. */
  readonly days_left: number;
  /** Month to date plus each day left at the mean of the last 7 days. */
  readonly expected: number | null;
  /** Each day left as cheap as the cheapest of the last 7 / as dear as the dearest. */
  readonly low: number | null;
  readonly high: number | null;
  /** The last 7 days' costs, newest first (each the 24 hours ending that many days before now). */
  readonly daily: readonly number[] | null;
}

const DAY_S = 86_400;
/** Seven days less an hour: history that started a few minutes after a week ago still counts. */
const ENOUGH_S = 7 * DAY_S - 3600;

/**
 * The month-end forecast of the cost counter `selector` (USD, a counter), from instant queries run
 * by `one`. Assumes the days left look like the last seven taken together: a weekly rhythm
 * (weekends) is inside the range, a trend (growing traffic) is not; a price change shows only
 * once it is in the last seven days.
 */
export async function monthEndCostForecast(
  one: (expr: string) => Promise<number>,
  selector: string,
  now: number,
): Promise<MonthEndCostForecast> {
  const date = new Date(now);
  const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const nextMonth = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  const sinceStartS = Math.max(60, Math.floor((now - monthStart) / 1000));
  const [history, monthToDate, ...daily] = await Promise.all([
    one(dataSpan(selector, '8d')),
    one(`sum(increase(${selector}[${sinceStartS}s]))`),
    ...Array.from({ length: 7 }, (_, k) =>
      one(`sum(increase(${selector}[1d]${k > 0 ? ` offset ${k}d` : ''}))`),
    ),
  ]);
  const daysLeft = (nextMonth - now) / (DAY_S * 1000);
  const base = {
    history_seconds: Math.round(history),
    month_to_date: monthToDate,
    days_left: daysLeft,
  };
  if (history < ENOUGH_S)
    return { basis: 'not_enough_history', ...base, expected: null, low: null, high: null, daily: null };
  const mean = daily.reduce((a, b) => a + b, 0) / daily.length;
  return {
    basis: 'last_7_days',
    ...base,
    expected: monthToDate + daysLeft * mean,
    low: monthToDate + daysLeft * Math.min(...daily),
    high: monthToDate + daysLeft * Math.max(...daily),
    daily,
  };
}
