import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canMeasureStretches, longestStretchWhile } from '../../../../test/support/event-loop-stretch.js';
import { seriesUptime, uptimeOf } from '../../src/status/component-uptime.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 11, 7, 18, 0);
const TOKEN = 'every-20s-7c1f';
/** Uptime Kuma's shortest push interval. */
const EVERY = 20_000;
/** A day without a push, 200 days back: long past the raw samples, in the hourly rollups. */
const SILENT_FROM = NOW - 200 * DAY;
/**
 * The longest stretch of CPU between two turns of the event loop a push monitor's uptime may take,
 * as /api/health's checks and the store's reads: probes, other requests and ingest wait behind it.
 */
const BOUND_MS = 50;

let dir: string;
let store: SqliteStore;

/**
 * A monitor pushing every 20 s for a year and a month but for one day, on a store with the default
 * retention (raw samples 30 days, hourly rollups a year): a yearly badge rebuilds about 1.6 million
 * heartbeats from the hourly rollups.
 */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-push-paced-'));
  const clock = new ManualClock(NOW);
  let writer = await openSqliteStore({ dir, clock, retentionDays: 400, flushIntervalMs: 10 * DAY });
  for (let from = NOW - 400 * DAY; from <= NOW; from += 20 * DAY) {
    const timestamps: number[] = [];
    for (let t = from; t < Math.min(from + 20 * DAY, NOW + 1); t += EVERY)
      if (t < SILENT_FROM || t >= SILENT_FROM + DAY) timestamps.push(t);
    writer.appendSync([
      { labels: { __name__: 'vigil_push_up', monitor: TOKEN }, timestamps, values: timestamps.map(() => 1) },
    ]);
    await writer.flush();
  }
  await writer.close();
  writer = await openSqliteStore({ dir, clock });
  await writer.maintain();
  store = writer;
}, 300_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(canMeasureStretches)('a push monitor’s uptime over a year', () => {
  it('hands the event loop back while it finds the missed heartbeats of a year of hourly rollups', async () => {
    const year = () => seriesUptime(store, { kind: 'push', token: TOKEN }, NOW - 365 * DAY, NOW, 365 * DAY);
    expect(await store.select([{ name: 'monitor', type: '=', value: TOKEN }], 0, NOW - 31 * DAY)).toEqual([]);
    await year();
    const { result, cpuMs } = await longestStretchWhile(year);
    // The silent day is down from twice the usual 20 s after the last push: 4,319 runs of 1,576,800.
    expect(uptimeOf(result)).toBeCloseTo(1 - 4319 / (365 * 4320), 6);
    expect(cpuMs).toBeLessThan(BOUND_MS);
  }, 120_000);
});
