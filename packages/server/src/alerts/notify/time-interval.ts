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

const WEEKDAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const formats = new Map<string, Intl.DateTimeFormat>();

function localTime(ms: number, location: string): LocalTime {
  let format = formats.get(location);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: location,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formats.set(location, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(ms)) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  return {
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    weekday: WEEKDAYS[(parts.weekday ?? '').toLowerCase()] ?? 0,
    day: Number(parts.day),
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
    month,
    year,
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
