import { describe, expect, it } from 'vitest';
import { type Cron, lastCronTime, parseCron } from '../../src/time/cron.js';

const cron = (text: string): Cron => {
  const c = parseCron(text);
  if ('error' in c) throw new Error(c.error);
  return c;
};
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const last = (text: string, zone: string, now: string) =>
  iso(lastCronTime(cron(text), zone, Date.parse(now)));

describe('cron', () => {
  it('reads lists, ranges, steps, names and macros', () => {
    const c = cron('*/15 9-17 * jan,jul mon-fri');
    expect(c.minutes.flatMap((on, m) => (on ? [m] : []))).toEqual([0, 15, 30, 45]);
    expect(c.hours.flatMap((on, h) => (on ? [h] : []))).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(c.months.flatMap((on, m) => (on ? [m] : []))).toEqual([1, 7]);
    expect(c.weekdays).toEqual([false, true, true, true, true, true, false]);
    expect(cron('0 0 * * 7').weekdays[0]).toBe(true);
    expect(cron('@weekly')).toMatchObject({
      text: '@weekly',
      weekdays: [true, false, false, false, false, false, false],
    });
    expect(cron('weekly Monday 09:30')).toMatchObject({
      minutes: cron('30 9 * * 1').minutes,
      weekdays: cron('30 9 * * 1').weekdays,
    });
    expect(cron('daily 08:05').hours[8]).toBe(true);
    expect(cron('5 4 1-10/3 * *').daysOfMonth.flatMap((on, d) => (on ? [d] : []))).toEqual([1, 4, 7, 10]);
  });

  it('names the field and the problem of a bad schedule', () => {
    expect(parseCron('0 9 * *')).toEqual({
      error:
        'expected 5 fields (minute hour day-of-month month day-of-week), "daily HH:MM" or "weekly DAY HH:MM", got 4 fields: "0 9 * *"',
    });
    expect(parseCron('60 9 * * *')).toEqual({ error: 'minute "60": 60 is outside 0-59' });
    expect(parseCron('0 9 * foo *')).toEqual({
      error:
        'month "foo": "foo" is not a number or a name (jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec)',
    });
    expect(parseCron('0 17-9 * * *')).toEqual({ error: 'hour "17-9": the range 17-9 runs backwards' });
    expect(parseCron('*/0 * * * *')).toEqual({ error: 'minute "*/0": a step must be 1 or more' });
    expect(parseCron('0 0 31 2 *')).toEqual({
      error: '"0 0 31 2 *" never falls due (no such day in any month it names)',
    });
  });

  it('finds the last due time in a time zone', () => {
    expect(last('30 9 * * mon', 'Europe/Paris', '2026-06-10T12:00:00Z')).toBe('2026-06-08T07:30:00.000Z');
    expect(last('30 9 * * mon', 'Europe/Paris', '2026-06-08T07:30:00Z')).toBe('2026-06-08T07:30:00.000Z');
    expect(last('30 9 * * mon', 'Europe/Paris', '2026-06-08T07:29:59Z')).toBe('2026-06-01T07:30:00.000Z');
    expect(last('*/15 * * * *', 'UTC', '2026-06-08T07:29:59Z')).toBe('2026-06-08T07:15:00.000Z');
    // Leap day: four years back at most.
    expect(last('0 0 29 2 *', 'UTC', '2026-06-08T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
  });

  it('runs when either the day of month or the weekday matches, when both are given', () => {
    // The 13th, or any Friday: Friday 2026-06-05 comes before the 13th in June.
    expect(last('0 12 13 * fri', 'UTC', '2026-06-07T00:00:00Z')).toBe('2026-06-05T12:00:00.000Z');
    expect(last('0 12 13 * *', 'UTC', '2026-06-07T00:00:00Z')).toBe('2026-05-13T12:00:00.000Z');
  });

  it('runs a skipped time an hour later and a repeated one once, across daylight saving changes', () => {
    // Paris skips 02:00-03:00 on 2026-03-29: 02:30 runs at 03:30 local, 01:30 UTC.
    expect(last('30 2 * * *', 'Europe/Paris', '2026-03-29T12:00:00Z')).toBe('2026-03-29T01:30:00.000Z');
    // Paris shows 02:00-03:00 twice on 2026-10-25; 02:30 falls due once that night.
    const t = lastCronTime(cron('30 2 * * *'), 'Europe/Paris', Date.parse('2026-10-25T12:00:00Z'))!;
    expect(lastCronTime(cron('30 2 * * *'), 'Europe/Paris', t - 1)).toBeLessThan(t - 20 * 3_600_000);
  });
});
