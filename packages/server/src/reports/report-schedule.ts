/** When a scheduled report is made: every day, or every week on one day, at a wall-clock time in a time zone. */
export interface ReportSchedule {
  readonly every: 'day' | 'week';
  /** 0 = Sunday … 6 = Saturday, for `week`. */
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  readonly timeZone: string;
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** `daily 08:00` or `weekly monday 09:30`; undefined when the text is neither. */
export function parseSchedule(text: string, timeZone: string): ReportSchedule | undefined {
  const m =
    /^(?:(daily)|weekly (sunday|monday|tuesday|wednesday|thursday|friday|saturday)) ([01]\d|2[0-3]):([0-5]\d)$/.exec(
      text.trim().toLowerCase(),
    );
  if (!m) return undefined;
  return {
    every: m[1] ? 'day' : 'week',
    weekday: m[2] ? DAYS.indexOf(m[2]) : 0,
    hour: Number(m[3]),
    minute: Number(m[4]),
    timeZone,
  };
}

/** Whether the platform knows the IANA time zone name. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The latest time at or before `nowMs` the schedule fell due. */
export function lastDue(s: ReportSchedule, nowMs: number): number {
  const today = wallDate(s.timeZone, nowMs);
  for (let back = 0; back <= 8; back++) {
    const day = new Date(Date.UTC(today.year, today.month, today.day - back));
    if (s.every === 'week' && day.getUTCDay() !== s.weekday) continue;
    const t = zonedTime(
      s.timeZone,
      day.getUTCFullYear(),
      day.getUTCMonth(),
      day.getUTCDate(),
      s.hour,
      s.minute,
    );
    if (t <= nowMs) return t;
  }
  throw new Error('unreachable: a weekly schedule falls due within 8 days');
}

/** The wall-clock date in `timeZone` at `utcMs`. */
function wallDate(timeZone: string, utcMs: number): { year: number; month: number; day: number } {
  const w = wall(timeZone, utcMs);
  return { year: w.getUTCFullYear(), month: w.getUTCMonth(), day: w.getUTCDate() };
}

/** The wall-clock time in `timeZone` at `utcMs`, as if it were UTC. */
function wall(timeZone: string, utcMs: number): Date {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(utcMs);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return new Date(
    Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')),
  );
}

/**
 * The UTC time at which `timeZone`'s clocks show the given wall time. A time skipped by a daylight
 * saving change (02:30 on the night clocks go forward) comes out an hour later, as cron does.
 */
function zonedTime(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): number {
  const asUtc = Date.UTC(year, month, day, hour, minute);
  const offset = (t: number) => wall(timeZone, t).getTime() - Math.floor(t / 1000) * 1000;
  const first = asUtc - offset(asUtc);
  return asUtc - offset(first);
}
