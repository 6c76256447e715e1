import { daysInMonth, wallTime } from '../../time/wall-clock.js';

/**
 * Alertmanager's `time_intervals`: each named interval is a list of periods; a period holds when
 * every field it sets holds (times, weekdays, days of month, months, years, in its location), and a
 * named interval holds when any of its periods does. Ranges are inclusive, except `times`, whose end
 * is exclusive (`17:00` to `24:00` covers the evening).
 */
export interface TimePeriod {
  /** Minutes since local midnight, [start, end). */
  readonly times: readonly Range[] | undefined;
  /** 0 = Sunday. */
  readonly weekdays: readonly Range[] | undefined;
  /** 1..31, or negative from the end of the month (-1 is the last day). */
  readonly daysOfMonth: readonly Range[] | undefined;
  /** 1..12. */
  readonly months: readonly Range[] | undefined;
  readonly years: readonly Range[] | undefined;
  /** IANA time zone; UTC when unset. */
  readonly location: string;
}

export interface Range {
  readonly begin: number;
  readonly end: number;
}

export type TimeIntervals = ReadonlyMap<string, readonly TimePeriod[]>;

interface LocalTime {
  readonly minutes: number;
  readonly weekday: number;
  readonly day: number;
  readonly daysInMonth: number;
  readonly month: number;
  readonly year: number;
}

function localTime(ms: number, location: string): LocalTime {
  const t = wallTime(location, ms);
  return {
    minutes: t.hour * 60 + t.minute,
    weekday: t.weekday,
    day: t.day,
    daysInMonth: daysInMonth(t.year, t.month),
    month: t.month,
    year: t.year,
  };
}

function inRanges(ranges: readonly Range[] | undefined, value: number): boolean {
  return ranges === undefined || ranges.some((r) => value >= r.begin && value <= r.end);
}

export function periodContains(period: TimePeriod, ms: number): boolean {
  const t = localTime(ms, period.location);
  if (period.times && !period.times.some((r) => t.minutes >= r.begin && t.minutes < r.end)) return false;
  if (!inRanges(period.weekdays, t.weekday)) return false;
  if (
    period.daysOfMonth &&
    !period.daysOfMonth.some((r) => {
      const begin = r.begin < 0 ? t.daysInMonth + r.begin + 1 : r.begin;
      const end = r.end < 0 ? t.daysInMonth + r.end + 1 : r.end;
      return t.day >= begin && t.day <= end;
    })
  )
    return false;
  return inRanges(period.months, t.month) && inRanges(period.years, t.year);
}

/** True when `ms` falls in any period of any of the named intervals. */
export function inTimeIntervals(intervals: TimeIntervals, names: readonly string[], ms: number): boolean {
  for (const name of names) {
    for (const period of intervals.get(name) ?? []) if (periodContains(period, ms)) return true;
  }
  return false;
}
