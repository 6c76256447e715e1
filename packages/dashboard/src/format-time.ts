/**
 * The one way the dashboard writes times: charts, tables, tooltips and legends all go through here,
 * in the browser's locale, in local time or UTC as the user picked (kept in localStorage).
 */
const STORAGE_KEY = 'vigil.timezone';

function stored(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

let utc = stored() === 'utc';
const formats = new Map<string, Intl.DateTimeFormat>();

function format(options: Intl.DateTimeFormatOptions, locale?: string): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${utc}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, ...(utc && { timeZone: 'UTC' }) });
    formats.set(key, f);
  }
  return f;
}

export function isUtc(): boolean {
  return utc;
}

export function setUtc(on: boolean): void {
  utc = on;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, on ? 'utc' : 'local');
  } catch {
    // Private windows may refuse storage: the choice then lasts until the page is closed.
  }
}

const FULL: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
};
const TIME_S: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', second: '2-digit' };
const TIME_M: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
const DAY: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric' };
const MONTH: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short' };

/** A point in time (Unix ms) in full: `Dec 7, 2026, 14:18:05`, with ` UTC` when showing UTC. */
export function formatTime(ms: number, locale?: string): string {
  if (!Number.isFinite(ms)) return '—';
  return `${format(FULL, locale).format(ms)}${utc ? ' UTC' : ''}`;
}

/** An ISO or RFC 3339 time from the API written as formatTime writes it; other text unchanged. */
export function formatTimeText(text: string, locale?: string): string {
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? formatTime(ms, locale) : text;
}

/**
 * Labels of a time axis's ticks (Unix seconds, `increment` seconds apart): as precise as the
 * spacing needs (seconds only below a minute) and the date under the first tick of each day, so
 * a label never repeats its neighbour and none carries more than it must.
 */
export function formatTimeTicks(ticks: readonly number[], increment: number, locale?: string): string[] {
  if (increment >= 28 * 86_400) return ticks.map((t) => format(MONTH, locale).format(t * 1000));
  if (increment >= 86_400) return ticks.map((t) => format(DAY, locale).format(t * 1000));
  const time = format(increment < 60 ? TIME_S : TIME_M, locale);
  const day = format(DAY, locale);
  let previous = '';
  return ticks.map((t) => {
    const date = day.format(t * 1000);
    const label = time.format(t * 1000);
    const first = date !== previous;
    previous = date;
    return first ? `${label}\n${date}` : label;
  });
}
