import { describe, expect, it } from 'vitest';
import { dailySpending, dayAhead, perDayRange } from '../../src/figures/daily-spending.js';

/** `weeks` weeks of per-day amounts, newest first, from `amount(k)` for the day ending k days ago. */
const days = (n: number, amount: (k: number) => number) => Array.from({ length: n }, (_, k) => amount(k));
/** Now is the end of a Sunday: the day ending k days ago is a Sunday at k = 0, 7, 14…, a Saturday at 1, 8… */
const weekend = (k: number) => k % 7 === 0 || k % 7 === 1;

describe('dailySpending', () => {
  it('prices each day ahead at its weekday, where the weeks agree on them', () => {
    const s = dailySpending(
      days(28, (k) => (weekend(k) ? 4 : 10)),
      28,
    );
    // The next 7 days: Monday to Friday at $10, then Saturday and Sunday at $4.
    expect(Array.from({ length: 7 }, (_, j) => dayAhead(s, j))).toEqual(
      [10, 10, 10, 10, 10, 4, 4].map((v) => expect.closeTo(v, 9)),
    );
    expect(s.perDay).toBeCloseTo(58 / 7, 9);
    // Nothing varies about the weekdays: no range.
    const { low, high } = perDayRange(s, 3);
    expect(high - low).toBeCloseTo(0, 9);
  });

  it('leaves a holiday among the days averaged out of the level', () => {
    // Every day $10, but the Monday 6 days ago cost $2.
    const s = dailySpending(
      days(28, (k) => (k === 6 ? 2 : 10)),
      14,
    );
    // The mean of the 14 days would be $9.43.
    expect(dayAhead(s, 0)).toBeCloseTo(10, 1);
    expect(s.perDay).toBeGreaterThan(9.9);
  });

  it('reads no weekday rhythm into days that differ no more than weeks do', () => {
    // Each weekday costs $12 one week and $8 the next, and Thursdays 20 cents more: their means
    // over 4 weeks differ far less than single weeks do.
    const s = dailySpending(
      days(28, (k) => 10 + 2 * ((Math.floor(k / 7) + (k % 7)) % 2 === 0 ? 1 : -1) + (k % 7 === 3 ? 0.2 : 0)),
      28,
    );
    expect(s.weekday.every((share) => share === 1)).toBe(true);
  });

  it('prices every day as the mean day with less than two whole weeks, a weekday rhythm or noise being one', () => {
    const s = dailySpending(
      days(10, (k) => (weekend(k) ? 4 : 10)),
      10,
    );
    expect(s.weekday).toEqual([1, 1, 1, 1, 1, 1, 1]);
    // The plain mean of the 10 days (4 weekend days among them).
    expect(s.perDay).toBeCloseTo((6 * 10 + 4 * 4) / 10, 9);
  });

  it('widens the range by how much the weekly level moves', () => {
    const steady = dailySpending(
      days(28, (k) => (k % 7 < 3 ? 9 : 11)),
      28,
    );
    const moving = dailySpending(
      days(28, (k) => (k % 7 < 3 ? 9 : 11) * (1 + 0.05 * (Math.floor(k / 7) % 2))),
      28,
    );
    expect(steady.weekSpread).toBeCloseTo(0, 9);
    expect(moving.weekSpread).toBeGreaterThan(0.25);
    const width = (s: typeof steady) => perDayRange(s, 14).high - perDayRange(s, 14).low;
    expect(width(moving)).toBeGreaterThan(width(steady));
  });
});
