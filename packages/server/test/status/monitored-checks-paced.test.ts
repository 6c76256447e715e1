import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import type { CheckStatus } from '@vigil/metrics/health';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canMeasureStretches, longestStretchWhile } from '../../../../test/support/event-loop-stretch.js';
import { sharedMonitoredChecks } from '../../src/http/server-health.js';
import { monitoredChecks } from '../../src/status/monitored-checks.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 11, 7, 18, 30);
const TARGETS = 1000;
const STEP = 15_000;
/**
 * The longest stretch of CPU between two turns of the event loop /api/health's checks may take, as
 * the store's own reads: health probes, other requests and ingest wait behind it. Reading every
 * target's day at once held it for 130-140 ms here, and 0.7-1.5 s of CPU a call; reading the last up
 * of 999 down targets one after another, 74 ms.
 */
const BOUND_MS = 50;

let dir: string;
let store: SqliteStore;

/** A day of 1,000 scrape targets every 15 s, as vigil writes it, its rollups sealed by upkeep. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-checks-paced-'));
  const clock = new ManualClock(NOW);
  store = await openSqliteStore({ dir, clock, flushIntervalMs: 10 * DAY });
  for (let from = NOW - DAY + STEP; from <= NOW; from += 4 * HOUR) {
    const n = Math.floor((Math.min(from + 4 * HOUR - STEP, NOW) - from) / STEP) + 1;
    const timestamps = Array.from({ length: n }, (_, k) => from + k * STEP);
    // All but the first target are down for the last 90 minutes: each one's last up is read from an
    // hour's raw samples.
    const up = (k: number) => timestamps.map((t) => (k > 0 && t > NOW - 90 * 60_000 ? 0 : 1));
    const seconds = timestamps.map(() => 0.012);
    store.appendSync(
      Array.from({ length: TARGETS }, (_, k) => {
        const labels = { job: 'node', instance: `10.1.${k >> 8}.${k & 255}:9100` };
        return [
          { labels: { __name__: 'up', ...labels }, timestamps, values: up(k) },
          { labels: { __name__: 'scrape_duration_seconds', ...labels }, timestamps, values: seconds },
        ];
      }).flat(),
    );
    await store.flush();
  }
  await store.maintain();
}, 300_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(canMeasureStretches)('the checks of /api/health with 1,000 scrape targets', () => {
  it('hand the event loop back while they read every target’s day, with the figures of the raw samples', async () => {
    await monitoredChecks(store, NOW);
    const { result, cpuMs } = await longestStretchWhile(() => monitoredChecks(store, NOW));
    expect(result).toHaveLength(TARGETS);
    const runs = DAY / STEP;
    expect(result.filter((c) => c.state === 'healthy')).toHaveLength(1);
    expect(result.find((c) => c.name === 'node/10.1.0.7:9100')).toMatchObject({
      state: 'unhealthy',
      runs24h: runs,
      uptime24h: (runs - 360) / runs,
      lastSuccess: NOW - 90 * 60_000,
      lastCheck: NOW,
    });
    expect(result[0]).toMatchObject({ runs24h: runs, uptime24h: 1, uptime30d: 1, responseTimeMs: 12 });
    expect(cpuMs).toBeLessThan(BOUND_MS);
  }, 120_000);

  it('are read once for the probes that ask meanwhile, and again once 10 s of the server’s clock have passed', async () => {
    const clock = new ManualClock(NOW);
    const checks = sharedMonitoredChecks(store, clock);
    const target7 = (list: readonly CheckStatus[]) =>
      list.find((c) => c.name === 'node/10.1.0.7:9100')?.state;
    const [first, second] = [checks(), checks()];
    expect(second).toBe(first);
    expect(target7(await first)).toBe('unhealthy');
    // Target 7 answers again; a probe 9 s later is still given the read before, one 10 s later sees it.
    await store.append([
      {
        labels: { __name__: 'up', job: 'node', instance: '10.1.0.7:9100' },
        timestamps: [NOW + 5_000],
        values: [1],
      },
    ]);
    clock.advance(9_000);
    const reused = await longestStretchWhile(() => checks());
    expect(target7(reused.result)).toBe('unhealthy');
    expect(reused.cpuMs).toBeLessThan(5);
    clock.advance(1_000);
    expect(target7(await checks())).toBe('degraded');
  }, 120_000);
});
