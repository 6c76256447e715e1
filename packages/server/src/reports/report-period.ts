import { utcOffsetMs } from '../time/wall-clock.js';

/**
 * A report's period as its reader's clocks show it: `2026-03-27 09:00 to 2026-03-28 09:00 UTC+1`
 * in Paris, with each end's offset when a daylight-saving change falls between them
 * (`2026-03-28 09:00 UTC+1 to 2026-03-29 09:00 UTC+2`); `... UTC` in UTC.
 */
export function periodText(startMs: number, endMs: number, timeZone: string): string {
  const start = at(startMs, timeZone);
  const end = at(endMs, timeZone);
  if (start.zone !== end.zone)
    return `${start.day} ${start.time} ${start.zone} to ${end.day} ${end.time} ${end.zone}`;
  return `${start.day} ${start.time} to ${end.day} ${end.time} ${end.zone}`;
}

/**
 * An email's subject and a Slack message's header: "vigil report weekly-ops: 2026-03-23 to
 * 2026-03-30" (the dates in `timeZone`), with the times for a period shorter than a day, which dates
 * alone do not tell apart: "vigil report hourly: 2026-12-08 00:14 to 01:14 UTC".
 */
export function reportSubject(name: string, startMs: number, endMs: number, timeZone: string): string {
  const start = at(startMs, timeZone);
  const end = at(endMs, timeZone);
  if (endMs - startMs >= 86_400_000) return `vigil report ${name}: ${start.day} to ${end.day}`;
  if (start.zone !== end.zone) return `vigil report ${name}: ${periodText(startMs, endMs, timeZone)}`;
  return `vigil report ${name}: ${start.day} ${start.time} to ${end.day === start.day ? '' : `${end.day} `}${end.time} ${end.zone}`;
}

/** `2026-03-27`, `09:00` and `UTC+1` (`UTC+5:30`, `UTC-4`; `UTC` where the clocks show UTC). */
function at(utcMs: number, timeZone: string): { day: string; time: string; zone: string } {
  const offset = utcOffsetMs(timeZone, utcMs);
  const [day, time] = new Date(utcMs + offset).toISOString().slice(0, 16).split('T') as [string, string];
  if (offset === 0) return { day, time, zone: 'UTC' };
  const minutes = Math.abs(offset) / 60_000;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return {
    day,
    time,
    zone: `UTC${offset > 0 ? '+' : '-'}${hours}${rest ? `:${String(rest).padStart(2, '0')}` : ''}`,
  };
}
