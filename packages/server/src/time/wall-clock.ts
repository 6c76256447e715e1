/** A moment as the clocks of one time zone show it; `month` 1..12, `weekday` 0 = Sunday. */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly weekday: number;
}

const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
/** Formatting is the costly part of reading a zone's clock: one formatter per zone. */
const formats = new Map<string, Intl.DateTimeFormat>();

/** Whether the platform knows the IANA time zone name. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** What the clocks of `timeZone` show at `utcMs`. */
export function wallTime(timeZone: string, utcMs: number): WallTime {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formats.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(utcMs)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
  };
}

/** Days in a month (1..12) of a year. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The UTC time at which `timeZone`'s clocks show the given wall time (`month` 1..12). A time
 * skipped by a daylight saving change (02:30 on the night clocks go forward) comes out an hour
 * later, as cron runs it; a time shown twice (the night clocks go back) comes out once.
 */
export function zonedTime(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const first = asUtc - utcOffsetMs(timeZone, asUtc);
  return asUtc - utcOffsetMs(timeZone, first);
}

/** How far `timeZone`'s clocks are ahead of UTC at `utcMs`, in ms: 3,600,000 in Paris in winter. */
export function utcOffsetMs(timeZone: string, utcMs: number): number {
  const w = wallTime(timeZone, utcMs);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(utcMs / 1000) * 1000;
}
