import { wallTime, zonedTime } from './wall-clock.js';

/** A 5-field cron schedule: the minutes, hours, days of month, months and weekdays it runs at. */
export interface Cron {
  readonly text: string;
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  /** Index 1..31. */
  readonly daysOfMonth: readonly boolean[];
  /** Index 1..12. */
  readonly months: readonly boolean[];
  /** Index 0..6, 0 = Sunday. */
  readonly weekdays: readonly boolean[];
  /** Whether the day-of-month and weekday fields were both given (not `*`): then either may match, as in cron. */
  readonly eitherDay: boolean;
}

const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** The first name's number: 1 for months, 0 for days. */
  readonly nameBase?: number;
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  // 7 is Sunday too, as in every cron.
  { name: 'day of week', min: 0, max: 7, names: DAYS, nameBase: 0 },
];

const SHORTHAND =
  /^(?:(daily)|weekly (sunday|monday|tuesday|wednesday|thursday|friday|saturday)) ([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Parses standard 5-field cron (`minute hour day-of-month month day-of-week`): `*`, numbers, names
 * (`jan`, `mon`), ranges `a-b`, steps `*\/n` and `a-b/n`, lists `a,b`; the macros `@hourly`,
 * `@daily`, `@weekly`, `@monthly`, `@yearly`; and vigil's shorthands `daily HH:MM` and
 * `weekly DAY HH:MM` (`weekly monday 09:30` is `30 9 * * 1`). An error names the field and what was
 * wrong; a schedule that never falls due (`0 0 31 2 *`) is one too.
 */
export function parseCron(text: string): Cron | { readonly error: string } {
  const short = SHORTHAND.exec(text.trim().toLowerCase());
  const expanded = short
    ? `${Number(short[4])} ${Number(short[3])} * * ${short[1] ? '*' : DAYS.indexOf(short[2]!.slice(0, 3))}`
    : (MACROS[text.trim().toLowerCase()] ?? text.trim());
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5)
    return {
      error: `expected 5 fields (minute hour day-of-month month day-of-week), "daily HH:MM" or "weekly DAY HH:MM", got ${parts.length} fields: "${text}"`,
    };
  const sets: boolean[][] = [];
  for (const [i, field] of FIELDS.entries()) {
    const set = parseField(parts[i]!, field);
    if (typeof set === 'string') return { error: `${field.name} "${parts[i]}": ${set}` };
    sets.push(set);
  }
  const weekdays = sets[4]!;
  if (weekdays[7]) weekdays[0] = true;
  const cron: Cron = {
    text: text.trim(),
    minutes: sets[0]!,
    hours: sets[1]!,
    daysOfMonth: sets[2]!,
    months: sets[3]!,
    weekdays: weekdays.slice(0, 7),
    eitherDay: !parts[2]!.startsWith('*') && !parts[4]!.startsWith('*'),
  };
  if (lastCronTime(cron, 'UTC', NEVER_CHECK) === undefined)
    return { error: `"${text}" never falls due (no such day in any month it names)` };
  return cron;
}

/** A time late enough that every schedule that can fall due has, within the days looked back. */
const NEVER_CHECK = Date.UTC(2040, 0, 1);

function parseField(text: string, f: Field): boolean[] | string {
  const set = new Array<boolean>(f.max + 1).fill(false);
  for (const item of text.split(',')) {
    const m = /^(\*|[a-z0-9]+)(?:-([a-z0-9]+))?(?:\/(\d+))?$/i.exec(item);
    if (!m) return `cannot read "${item}"`;
    const [, from, to, stepText] = m;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) return 'a step must be 1 or more';
    let begin: number;
    let end: number;
    if (from === '*') {
      if (to !== undefined) return '"*" cannot start a range';
      [begin, end] = [f.min, f.name === 'day of week' ? 6 : f.max];
    } else {
      const a = value(from!, f);
      if (typeof a === 'string') return a;
      begin = a;
      const b = to === undefined ? (stepText === undefined ? a : f.max) : value(to, f);
      if (typeof b === 'string') return b;
      end = b;
      if (end < begin) return `the range ${from}-${to} runs backwards`;
    }
    for (let v = begin; v <= end; v += step) set[v] = true;
  }
  return set;
}

function value(text: string, f: Field): number | string {
  const name = f.names?.indexOf(text.toLowerCase()) ?? -1;
  const n = name >= 0 ? name + (f.nameBase ?? 0) : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(n))
    return `"${text}" is not a number${f.names ? ` or a name (${f.names.join(', ')})` : ''}`;
  if (n < f.min || n > f.max) return `${n} is outside ${f.min}-${f.max}`;
  return n;
}

/** How far back a schedule is looked for: `0 0 29 2 *` falls due once in up to 8 years. */
const MAX_DAYS_BACK = 8 * 366 + 2;

/**
 * The latest time at or before `nowMs` the schedule fell due, in `timeZone`'s wall-clock time;
 * undefined when it never does (`0 0 31 2 *`). A time a daylight saving change skips falls due an
 * hour later; a time shown twice when clocks go back falls due once.
 */
export function lastCronTime(cron: Cron, timeZone: string, nowMs: number): number | undefined {
  const today = wallTime(timeZone, nowMs);
  for (let back = 0; back <= MAX_DAYS_BACK; back++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day - back));
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (!cron.months[month]) continue;
    const dom = cron.daysOfMonth[day]!;
    const dow = cron.weekdays[date.getUTCDay()]!;
    if (cron.eitherDay ? !(dom || dow) : !(dom && dow)) continue;
    for (let hour = 23; hour >= 0; hour--) {
      if (!cron.hours[hour]) continue;
      for (let minute = 59; minute >= 0; minute--) {
        if (!cron.minutes[minute]) continue;
        const t = zonedTime(timeZone, year, month, day, hour, minute);
        if (t <= nowMs) return t;
      }
    }
  }
  return undefined;
}
