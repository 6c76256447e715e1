import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSamples } from '../../../../test/support/import-samples.js';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { approximately } from '../../src/figures/run-out.js';

const NOW = Date.UTC(2026, 0, 15, 12);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GB = 1e9;
let dir: string;
let server: RunningServer;

interface Answer {
  window: string;
  series: number;
  forecasts: {
    labels: Record<string, string>;
    seconds: number;
    remaining: number;
    days_averaged: number;
    text: string;
    at: string | null;
    earliest: string | null;
    latest: string | null;
    earliest_text: string;
    latest_text: string | null;
  }[];
  not_enough_history: { labels: Record<string, string>; history_seconds: number }[];
}

/** Bytes a disk written only from 08:00 to 20:00 UTC, 2 GB a day, has been written by `t` since `from`. */
function officeHoursWritten(from: number, t: number): number {
  let written = 0;
  for (let day = Math.floor(from / DAY) * DAY; day < t; day += DAY) {
    const start = Math.max(from, day + 8 * HOUR);
    const end = Math.min(t, day + 20 * HOUR);
    if (end > start) written += ((end - start) / (12 * HOUR)) * 2 * GB;
  }
  return written;
}

/** Bytes spent by `t` since `from` by a quota spent on weekdays only (UTC), 1 GB a weekday, evenly through it. */
function weekdaysSpent(from: number, t: number): number {
  let spent = 0;
  for (let day = Math.floor(from / DAY) * DAY; day < t; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const overlap = Math.min(t, day + DAY) - Math.max(from, day);
    if (overlap > 0) spent += (overlap / DAY) * GB;
  }
  return spent;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-run-out-'));
  server = await serve(
    loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}),
    new ManualClock(NOW),
  );
  // 29 days, a sample every 10 minutes: /data loses 1 GB a day, evenly, and has 9 GB left now;
  // /office is written in office hours only (2 GB a day) and has 5 GB left at noon; / stays at
  // 50 GB, /tmp grows; /new was mounted 6 hours ago.
  const lines: string[] = [];
  const from = NOW - 29 * DAY;
  for (let t = from; t <= NOW; t += 600_000) {
    const ago = (NOW - t) / 1000;
    lines.push(
      `vigil_system_disk_free_bytes{path="/data"} ${9 * GB + (ago * GB) / 86_400} ${t}`,
      `vigil_system_disk_free_bytes{path="/office"} ${5 * GB + officeHoursWritten(t, NOW)} ${t}`,
      `vigil_system_disk_free_bytes{path="/"} ${50 * GB} ${t}`,
      `vigil_system_disk_free_bytes{path="/tmp"} ${10 * GB - (ago * GB) / 86_400} ${t}`,
    );
    if (t >= NOW - 6 * HOUR) lines.push(`vigil_system_disk_free_bytes{path="/new"} ${GB - ago} ${t}`);
    lines.push(`quota_remaining_bytes{quota="weekdays"} ${2.5 * GB + weekdaysSpent(t, NOW)} ${t}`);
    // 1 TB free, 1 kB less a day: a billion days, past the last moment a date can name.
    lines.push(`archive_free_bytes ${1000 * GB + (ago * 1000) / 86_400} ${t}`);
  }
  // /fresh was mounted 14 minutes ago: a sample a minute.
  for (let t = NOW - 14 * 60_000; t <= NOW; t += 60_000)
    lines.push(`vigil_system_disk_free_bytes{path="/fresh"} ${GB - (NOW - t) / 1000} ${t}`);
  await importSamples(server.url, lines);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ask(query: string): Promise<Answer> {
  const res = await fetch(`${server.url}/api/forecasts/run-out?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

describe('GET /api/forecasts/run-out', () => {
  it('says when each falling series reaches zero, spent as over the last whole days, soonest first', async () => {
    const body = await ask(`selector=${encodeURIComponent('vigil_system_disk_free_bytes')}`);
    expect(body.window).toBe('28d');
    // /, /tmp (flat, rising), /new (6 hours) and /fresh are matched but not forecast.
    expect(body.series).toBe(6);
    expect(body.forecasts.map((f) => [f.labels.path, f.text])).toEqual([
      ['/office', '~2 days'],
      ['/data', '~9 days'],
    ]);
    // Written in office hours, 5 GB last two days and the next afternoon: full at 18:00 the day
    // after tomorrow, not at midnight as a straight line through the days would have it.
    const office = body.forecasts[0]!;
    expect(office.at).toBe(new Date(NOW + 2 * DAY + 6 * HOUR).toISOString());
    // Its range too is placed in office hours, not spread evenly over the days.
    expect([office.earliest, office.latest]).toEqual([office.at, office.at]);
    const data = body.forecasts[1]!;
    expect(data.seconds / (9 * 86_400)).toBeCloseTo(1, 6);
    expect(data.remaining / (9 * GB)).toBeCloseTo(1, 6);
    expect(data.at).toBe(new Date(NOW + 9 * DAY).toISOString());
    // As many days averaged as it looks ahead, at least a week; every day alike, so no range.
    expect(data.days_averaged).toBe(9);
    expect(office.days_averaged).toBe(7);
    expect(Date.parse(data.earliest) - Date.parse(data.at)).toBeLessThan(1000);
    expect(Date.parse(data.latest!) - Date.parse(data.at)).toBeLessThan(1000);
    expect([data.earliest_text, data.latest_text]).toEqual(['~9 days', '~9 days']);
  });

  it('spends each day ahead as its weekday was spent', async () => {
    // Thursday noon, 2.5 GB left of a quota spent only on weekdays, 1 GB a weekday: 1.5 GB by
    // Friday midnight, nothing at the weekend, 1 GB on Monday: gone at Tuesday 00:00. At the mean
    // day (5/7 GB) it would have been Monday 00:00.
    const body = await ask('selector=quota_remaining_bytes');
    const quota = body.forecasts[0]!;
    expect(Math.abs(Date.parse(quota.at!) - (NOW + 4.5 * DAY))).toBeLessThanOrEqual(HOUR);
    expect(quota.text).toBe('~5 days');
    // Its range is spent weekday by weekday too: every week alike, so it is the forecast itself (at
    // the mean day, Monday 00:00, the range had left the forecast outside it).
    expect([quota.earliest, quota.latest]).toEqual([quota.at, quota.at]);
  });

  it('answers a run-out too far ahead for a date with its seconds, and no moment', async () => {
    const body = await ask('selector=archive_free_bytes');
    expect(body.forecasts).toHaveLength(1);
    const archive = body.forecasts[0]!;
    expect(archive.seconds / (1e9 * 86_400)).toBeCloseTo(1, 3);
    expect(archive.text).toBe('~1000000000 days');
    expect([archive.at, archive.earliest, archive.latest]).toEqual([null, null, null]);
  });

  it('gives no forecast for a series with less than a day stored, and says so', async () => {
    const body = await ask(`selector=${encodeURIComponent('vigil_system_disk_free_bytes{path="/new"}')}`);
    expect(body.forecasts).toEqual([]);
    expect(body.not_enough_history).toHaveLength(1);
    expect(body.not_enough_history[0]!.labels.path).toBe('/new');
    expect(body.not_enough_history[0]!.history_seconds).toBe(6 * 3600);
    // To the minute, not to the quarter hour the history is read on (which said 0 here).
    const fresh = await ask(`selector=${encodeURIComponent('vigil_system_disk_free_bytes{path="/fresh"}')}`);
    expect(fresh.not_enough_history.map((n) => n.history_seconds)).toEqual([14 * 60]);
  });

  it('averages no more days than the window', async () => {
    const body = await ask(
      `selector=${encodeURIComponent('vigil_system_disk_free_bytes{path="/data"}')}&window=1w`,
    );
    expect(body.forecasts[0]!.days_averaged).toBe(7);
    expect(body.forecasts[0]!.text).toBe('~9 days');
  });

  it('refuses what is not a series selector, or a window that is not whole days', async () => {
    const bad = await fetch(`${server.url}/api/forecasts/run-out?selector=${encodeURIComponent('sum(x)')}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      'selector: got "sum(x)", expected a series selector such as vigil_system_disk_free_bytes{path="/"}',
    );
    for (const window of ['soon', '6h', '0d']) {
      const res = await fetch(`${server.url}/api/forecasts/run-out?selector=x&window=${window}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        `window: got "${window}", expected whole days from 1d to 366d, such as 28d or 4w`,
      );
    }
  });

  it('words a forecast as roughly as it is known', () => {
    expect(approximately(90)).toBe('~2 minutes');
    expect(approximately(5 * 3600)).toBe('~5 hours');
    expect(approximately(9.4 * 86_400)).toBe('~9 days');
    // One of a unit is one, and a series already at zero ran out: not "~1 minutes" from now.
    expect(approximately(50)).toBe('~1 minute');
    expect(approximately(4000)).toBe('~1 hour');
    expect(approximately(0)).toBe('now');
  });
});
