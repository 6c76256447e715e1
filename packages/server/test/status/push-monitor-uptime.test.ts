import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusPageConfig } from '../../src/config/status-pages-config.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { monitoredChecks } from '../../src/status/monitored-checks.js';
import { statusPageView } from '../../src/status/status-page-view.js';
import { StatusPages } from '../../src/status/status-pages.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A Monday, midnight UTC. */
const D = Date.UTC(2026, 10, 16);
const NOW = D + 2 * DAY + 12 * HOUR + 30 * 60_000;
const TOKEN = 'backup-job-5d2e91';
/**
 * A backup job that pushes every hour on the hour from D−3 00:00 to D 20:00, then stops for a day
 * and a half across midnight, and pushes again from D+2 08:00 (08:00 to 12:00 by now, 12:30).
 * Late from D 22:00 (twice the usual hour after the last push) to D+2 08:00: 34 hours down.
 */
const BEATS = [
  ...Array.from({ length: 3 * 24 + 21 }, (_, h) => D - 3 * DAY + h * HOUR),
  ...Array.from({ length: 5 }, (_, h) => D + 2 * DAY + (8 + h) * HOUR),
];

const page: StatusPageConfig = {
  slug: 'jobs',
  title: 'Jobs',
  description: '',
  groups: [
    { name: 'Jobs', components: [{ id: 'backup', name: 'Backup', source: { kind: 'push', token: TOKEN } }] },
  ],
};

let dir: string;
let store: SqliteStore;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-push-uptime-'));
  store = await openSqliteStore({ dir, clock: new ManualClock(NOW) });
  await store.append([
    { labels: { __name__: 'vigil_push_up', monitor: TOKEN }, timestamps: BEATS, values: BEATS.map(() => 1) },
  ]);
  await store.flush();
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sources = () => ({
  store,
  engine: new PromqlEngine({ store }),
  checks: (only: Parameters<typeof monitoredChecks>[2]) => monitoredChecks(store, NOW, only),
  incidents: () => [],
});

describe('a push monitor that stopped pushing', () => {
  it('is down in its bars from twice its usual gap after the last push, split across the days, grey before its first push', async () => {
    const view = await statusPageView(sources(), page, NOW);
    const backup = view.groups[0]!.components[0]!;
    const bar = (day: number) =>
      backup.days.find((b) => b.date === new Date(day).toISOString().slice(0, 10))!.uptime;
    expect(backup.days.at(-1)!.date).toBe('2026-11-18');
    // D−3 to D−1: 24 pushes each. D: 21 pushes (00:00-20:00), then 22:00-24:00 late, two runs down.
    expect([bar(D - 4 * DAY), bar(D - 3 * DAY), bar(D - DAY), bar(D)]).toEqual([null, 1, 1, 21 / 23]);
    // D+1: 24 hours late, red, not grey. D+2: 00:00-08:00 late, then 5 pushes.
    expect([bar(D + DAY), bar(D + 2 * DAY)]).toEqual([0, 5 / 13]);
    expect(backup.days.filter((b) => b.uptime === null)).toHaveLength(90 - 6);
    // The last 24 hours: from D+1 12:30, 19.5 hours late and 5 pushes.
    expect(backup.uptime24h).toBe(5 / 24.5);
    expect(backup.uptime30d).toBe(98 / 132);
    expect(backup.uptime90d).toBe(98 / 132);
    // Pushing again, but down 80% of the last 24 hours: degraded, as a target that flaky would be.
    expect(backup.state).toBe('degraded');
  });

  it('has 90 bars, today last and empty, on a page built at exactly midnight UTC', async () => {
    const midnight = D + DAY;
    const pages = new StatusPages({
      pages: [page],
      sources: { ...sources(), checks: (only) => monitoredChecks(store, midnight, only) },
      clock: new ManualClock(midnight),
    });
    const backup = (await pages.view('jobs'))!.groups[0]!.components[0]!;
    expect(backup.days).toHaveLength(90);
    expect(backup.days.at(0)!.date).toBe(new Date(midnight - 89 * DAY).toISOString().slice(0, 10));
    // Today has not begun: no data yet. Yesterday, D: 21 pushes, then 22:00-24:00 late.
    expect(backup.days.slice(-2)).toEqual([
      { date: '2026-11-16', uptime: 21 / 23 },
      { date: '2026-11-17', uptime: null },
    ]);
  });

  it('gives its uptime badges the same figures', async () => {
    const pages = new StatusPages({ pages: [page], sources: sources(), clock: new ManualClock(NOW) });
    const component = page.groups[0]!.components[0]!;
    expect(await pages.uptime(component, DAY)).toBe(5 / 24.5);
    // 48 hours, from D 12:30: 8 pushes (13:00-20:00) and 34 hours late, then 5 pushes.
    expect(await pages.uptime(component, 2 * DAY)).toBe(13 / 47);
    expect(await pages.uptime(component, 30 * DAY)).toBe(98 / 132);
  });

  it('is down now while it is late, as /api/health says', async () => {
    const late = D + DAY + 6 * HOUR;
    const view = await statusPageView(
      { ...sources(), checks: (only) => monitoredChecks(store, late, only) },
      page,
      late,
    );
    const backup = view.groups[0]!.components[0]!;
    expect(backup.state).toBe('down');
    // From D+0 06:00: 15 pushes (06:00-20:00), 22:00 to D+1 06:00 late.
    expect(backup.uptime24h).toBe(15 / 23);
  });

  it('has the uptime in /api/health that its status page component and badges show', async () => {
    const component = page.groups[0]!.components[0]!;
    for (const now of [D + DAY + 6 * HOUR, NOW]) {
      const view = await statusPageView(
        { ...sources(), checks: (only) => monitoredChecks(store, now, only) },
        page,
        now,
      );
      const shown = view.groups[0]!.components[0]!;
      const pages = new StatusPages({ pages: [page], sources: sources(), clock: new ManualClock(now) });
      const [health] = await monitoredChecks(store, now);
      expect(health).toMatchObject({
        uptime24h: shown.uptime24h,
        errorRate24h: 1 - shown.uptime24h!,
        uptime30d: await pages.uptime(component, 30 * DAY),
      });
    }
    // Late for 8 of the last 23 hours at D+1 06:00, 19.5 of 24.5 at D+2 12:30 (the heartbeats alone: 100%).
    const [late] = await monitoredChecks(store, D + DAY + 6 * HOUR);
    expect(late).toMatchObject({ state: 'unhealthy', uptime24h: 15 / 23, runs24h: 15 });
    expect((await monitoredChecks(store, NOW))[0]).toMatchObject({
      uptime24h: 5 / 24.5,
      uptime30d: 98 / 132,
    });
  });

  it('is down from its hourly rollups once its raw heartbeats are past retention', async () => {
    // Raw samples kept a day: the job stopped at D 20:00 and never pushed again, so none are left.
    const old = mkdtempSync(join(tmpdir(), 'vigil-push-uptime-'));
    const clock = new ManualClock(D + 21 * HOUR);
    let kept = await openSqliteStore({ dir: old, clock, retentionDays: 4 });
    try {
      const stopped = BEATS.filter((t) => t <= D + 20 * HOUR);
      await kept.append([
        {
          labels: { __name__: 'vigil_push_up', monitor: TOKEN },
          timestamps: stopped,
          values: stopped.map(() => 1),
        },
      ]);
      await kept.close();
      clock.advance(NOW - clock.now());
      kept = await openSqliteStore({ dir: old, clock, retentionDays: 1 });
      await kept.maintain();
      const matchers = [{ name: 'monitor', type: '=', value: TOKEN } as const];
      expect(await kept.select(matchers, 0, NOW)).toEqual([]);
      const view = await statusPageView(
        { ...sources(), store: kept, engine: new PromqlEngine({ store: kept }), checks: async () => [] },
        page,
        NOW,
      );
      const days = view.groups[0]!.components[0]!.days.slice(-4).map((b) => b.uptime);
      // Each hour's push is taken as at its middle: the last at D 20:30, late from D 22:30.
      expect(days).toEqual([1, 21 / 22.5, 0, 0]);
    } finally {
      await kept.close();
      rmSync(old, { recursive: true, force: true });
    }
  });
});

describe('a push monitor that never missed a heartbeat', () => {
  it('is up all along where its raw heartbeats give way to hourly rollups inside an hour', async () => {
    // Every minute from D−3 00:17: chunks are cut every 120 samples, at 17 past, so the oldest raw
    // heartbeat left after retention is at 17 past an hour whose earlier ones are in its rollup only.
    const dir = mkdtempSync(join(tmpdir(), 'vigil-push-uptime-'));
    const clock = new ManualClock(NOW);
    const beats = Array.from(
      { length: Math.floor((NOW - D + 3 * DAY - 17 * 60_000) / 60_000) + 1 },
      (_, i) => D - 3 * DAY + 17 * 60_000 + i * 60_000,
    );
    let kept = await openSqliteStore({ dir, clock, retentionDays: 10 });
    try {
      await kept.append([
        {
          labels: { __name__: 'vigil_push_up', monitor: TOKEN },
          timestamps: beats,
          values: beats.map(() => 1),
        },
      ]);
      await kept.close();
      kept = await openSqliteStore({ dir, clock, retentionDays: 1 });
      await kept.maintain();
      const matchers = [{ name: 'monitor', type: '=', value: TOKEN } as const];
      const [raw] = await kept.select(matchers, 0, NOW);
      expect(raw!.timestamps[0]! % HOUR).toBe(17 * 60_000);
      expect(raw!.timestamps[0]!).toBeGreaterThan(D - 3 * DAY);
      const view = await statusPageView(
        { ...sources(), store: kept, engine: new PromqlEngine({ store: kept }), checks: async () => [] },
        page,
        NOW,
      );
      const backup = view.groups[0]!.components[0]!;
      expect(backup.days.slice(-6).map((b) => b.uptime)).toEqual([1, 1, 1, 1, 1, 1]);
      expect(backup.uptime90d).toBe(1);
    } finally {
      await kept.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
