import { copyFileSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canMeasureStretches, longestStretchWhile } from '../../../../test/support/event-loop-stretch.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { SqliteStoreOptions } from '../../src/store/sqlite-store-options.js';

const NOW = Date.UTC(2026, 0, 10, 12);
const DAY = 86_400_000;
/** In one transaction, writing this many new series held the event loop for 1-3 s. */
const SERIES = 30_000;
/**
 * The longest stretch of CPU between two turns of the event loop a write may take: a flush's
 * transactions last 25 ms plus their commit (20 ms more on a loaded machine); health checks are to be
 * answered within 100 ms.
 */
const BOUND_MS = 80;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function open(options: Partial<SqliteStoreOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-paced-writes-'));
  dirs.push(dir);
  const clock = new ManualClock(NOW);
  // No timer flush: the write under test is the only one.
  const store = await openSqliteStore({ dir, clock, flushIntervalMs: 10 * DAY, ...options });
  return { store, clock, dir };
}

const series = (from: number, t: number) =>
  Array.from({ length: SERIES }, (_, i) => ({
    labels: { __name__: 'paced', job: 'test', instance: `host-${from + i}` },
    timestamps: [t],
    values: [i],
  }));

describe.runIf(canMeasureStretches)('SqliteStore writes what waits in paced transactions', () => {
  it('at close: the event loop is handed back while 30,000 new series are written, and all of them are', async () => {
    const { store, dir } = await open();
    await store.append(series(0, NOW));
    const { cpuMs } = await longestStretchWhile(() => store.close());
    expect(cpuMs).toBeLessThan(BOUND_MS);
    const again = await openSqliteStore({ dir, clock: new ManualClock(NOW) });
    expect((await again.stats()).series).toBe(SERIES);
    expect(
      await again.select([{ name: 'instance', type: '=', value: `host-${SERIES - 1}` }], 0, NOW),
    ).toHaveLength(1);
    await again.close();
  }, 120_000);

  it('before an acknowledgement on a low disk: the same, and every acknowledged sample is written first', async () => {
    // Within 256 MiB of the watermark (low: flushed before acknowledged) and above it (not refused).
    const s = statfsSync(tmpdir());
    const { store, dir } = await open({
      minFreeDiskSpaceBytes: Math.max(0, s.bavail * s.bsize - 128 * 2 ** 20),
    });
    await store.append(series(0, NOW));
    const { cpuMs } = await longestStretchWhile(() => store.beforeAcknowledge());
    expect(cpuMs).toBeLessThan(BOUND_MS);
    // Read back through a second connection: the samples are in the database, not only in memory.
    const again = await openSqliteStore({ dir, clock: new ManualClock(NOW), flushIntervalMs: 10 * DAY });
    expect((await again.stats()).series).toBe(SERIES);
    await again.close();
    await store.close();
  }, 120_000);

  it('before an acknowledgement on a low disk, while another connection reads the database (a backup): the WAL is not waited for', async () => {
    const s = statfsSync(tmpdir());
    const { store, dir } = await open({
      minFreeDiskSpaceBytes: Math.max(0, s.bavail * s.bsize - 128 * 2 ** 20),
    });
    await store.append(series(0, NOW));
    await store.flush();
    // A reader on a snapshot of its own: the WAL cannot be emptied until it ends. Waiting for it (the
    // checkpoint's busy handler, 5 s) sleeps, so the stretch shows in wall time, not in CPU time.
    const reader = new Database(join(dir, 'vigil.db'), { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM series').get();
    try {
      await store.append(series(SERIES, NOW));
      const { cpuMs, wallMs } = await longestStretchWhile(() => store.beforeAcknowledge());
      expect(cpuMs).toBeLessThan(BOUND_MS);
      expect(wallMs).toBeLessThan(1000);
    } finally {
      reader.exec('COMMIT');
      reader.close();
    }
    const again = await openSqliteStore({ dir, clock: new ManualClock(NOW), flushIntervalMs: 10 * DAY });
    expect((await again.stats()).series).toBe(2 * SERIES);
    await again.close();
    await store.close();
  }, 120_000);

  it('during upkeep: cutting idle heads, sealing their rollups and retention over 30,000 series', async () => {
    const { store, clock } = await open({ retentionDays: 1 });
    await store.append(series(0, NOW));
    await store.flush();
    // The heads go idle, their rollup blocks complete and, a day after, the raw samples expire.
    clock.advance(2 * DAY);
    const { cpuMs } = await longestStretchWhile(() => store.maintain());
    expect(cpuMs).toBeLessThan(BOUND_MS);
    const [hours] = await store.selectRollup(
      [{ name: 'instance', type: '=', value: 'host-7' }],
      NOW - DAY,
      clock.now(),
      3_600_000,
    );
    expect([...hours!.count]).toEqual([1]);
    expect(await store.select([{ name: '__name__', type: '=', value: 'paced' }], 0, clock.now())).toEqual([]);
    await store.close();
  }, 120_000);
});

describe.runIf(canMeasureStretches)('SqliteStore retention that empties 30,000 series', () => {
  it('forgets them with the event loop handed back, and a series sent again after is a new one that is stored', async () => {
    const { store, clock, dir } = await open({
      retentionDays: 1,
      rollup1mRetentionDays: 1,
      rollup1hRetentionDays: 1,
      maintenanceIntervalMs: 10 * DAY,
    });
    await store.append(series(0, NOW));
    await store.maintain();
    // Past every retention, rollups of days (kept in week blocks) included: nothing is left of any series.
    clock.advance(30 * DAY);
    const { cpuMs } = await longestStretchWhile(() => store.maintain());
    expect(cpuMs).toBeLessThan(BOUND_MS);
    expect((await store.stats()).series).toBe(0);
    const t = clock.now();
    await store.append([{ labels: series(0, t)[7]!.labels, timestamps: [t], values: [7] }]);
    await store.close();
    const again = await openSqliteStore({ dir, clock: new ManualClock(t), flushIntervalMs: 10 * DAY });
    expect((await again.stats()).series).toBe(1);
    const [back] = await again.select([{ name: 'instance', type: '=', value: 'host-7' }], 0, t);
    expect([...(back?.values ?? [])]).toEqual([7]);
    await again.close();
  }, 120_000);
});

describe.runIf(canMeasureStretches)('SqliteStore after an upgrade from format 3', () => {
  it("the first upkeep folds every series' hourly blocks into days with the event loop handed back", async () => {
    const { store, clock, dir } = await open({ retentionDays: 400, maintenanceIntervalMs: 10 * DAY });
    // 400 series, a sample every 6 hours for 300 days: 1,200 hourly blocks each, as a format-3
    // directory holds them (they had no days: 256 series' days were folded between two looks at the
    // clock, 150-300 ms).
    const start = NOW - 12 * 3_600_000 - 300 * DAY;
    for (let d = 0; d < 300; d += 10) {
      const t = Array.from({ length: 40 }, (_, k) => start + d * DAY + k * 6 * 3_600_000);
      store.appendSync(
        Array.from({ length: 400 }, (_, i) => ({
          labels: { __name__: 'upgraded', i: String(i) },
          timestamps: t,
          values: t.map((_, k) => k),
        })),
      );
    }
    await store.close();
    const db = new Database(join(dir, 'vigil.db'));
    db.prepare('DELETE FROM rollups WHERE resolution = 86400000').run();
    db.prepare('UPDATE series SET rolled_1d = NULL').run();
    db.prepare("UPDATE meta SET value = 3 WHERE key = 'schema'").run();
    db.close();
    const again = await openSqliteStore({
      dir,
      clock: new ManualClock(clock.now() + DAY),
      retentionDays: 400,
      flushIntervalMs: 10 * DAY,
      maintenanceIntervalMs: 10 * DAY,
    });
    const { cpuMs } = await longestStretchWhile(() => again.maintain());
    expect(cpuMs).toBeLessThan(BOUND_MS);
    const [days] = await again.selectRollup(
      [{ name: 'i', type: '=', value: '399' }],
      start + 100 * DAY,
      start + 107 * DAY - 1,
      DAY,
    );
    // The day the read starts in is read in hours (wholeDays), the six after it as days.
    expect([...days!.count]).toEqual([1, 1, 1, 1, 4, 4, 4, 4, 4, 4]);
    expect(days!.timestamps[4]).toBe(start + 101 * DAY);
    await again.close();
  }, 120_000);
});

const RETAIN_A_DAY = {
  retentionDays: 1,
  rollup1mRetentionDays: 1,
  rollup1hRetentionDays: 1,
  chunkSamples: 8,
  maintenanceIntervalMs: 10 * DAY,
};

/**
 * Runs an upkeep whose retention deletes the one stored chunk of `resumed`; while it pauses, before
 * it reaches `resumed`, 9 samples arrive, the first 7 cut with the flushed head into a chunk that
 * waits for the next flush (values 1 to 8 from `now`, a second apart; 9 and 10 stay in the head).
 */
async function retentionWhileAppending() {
  const { store, clock, dir } = await open(RETAIN_A_DAY);
  const filler = (i: number) => ({
    labels: { __name__: 'filler', i: String(i) },
    timestamps: [NOW],
    values: [i],
  });
  const target = { __name__: 'resumed', job: 'test' };
  // Series enough for retention to hand the event loop back many times before it reaches `resumed`.
  await store.append([
    ...Array.from({ length: 3000 }, (_, i) => filler(i)),
    { labels: target, timestamps: [NOW], values: [0] },
  ]);
  clock.advance(2 * DAY);
  const now = clock.now();
  // `resumed` comes back after two days: its old sample is a stored chunk that retention deletes.
  await store.append([{ labels: target, timestamps: [now], values: [1] }]);
  await store.flush();
  const late = Array.from({ length: 9 }, (_, i) => now + (i + 1) * 1000);
  const resent = [{ labels: target, timestamps: late, values: late.map((_, i) => i + 2) }];
  // Every look at the clock says a slice is over: retention pauses every 256 statements.
  let fake = performance.now();
  const spy = vi.spyOn(performance, 'now').mockImplementation(() => (fake += 100));
  try {
    const upkeep = store.maintain();
    let settled = false;
    void upkeep.finally(() => {
      settled = true;
    });
    let appended = false;
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      if (appended || settled) continue;
      const first = await store.select([{ name: 'i', type: '=', value: '0' }], 0, now);
      if (first.length > 0) continue;
      // Retention has begun (the first filler is gone) and has not reached `resumed`.
      store.appendSync(resent);
      appended = true;
    }
    await upkeep;
    expect(appended).toBe(true);
  } finally {
    spy.mockRestore();
  }
  return { store, dir, now, late: resent };
}

describe('SqliteStore retention in paced transactions, while samples arrive', () => {
  it('a chunk cut while retention runs stays readable when retention deletes every stored chunk before it', async () => {
    const { store, now } = await retentionWhileAppending();
    await store.flush();
    const [resumed] = await store.select([{ name: 'job', type: '=', value: 'test' }], now, now + 7000);
    expect([...(resumed?.values ?? [])]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await store.close();
  }, 120_000);

  it('after a crash before the next flush, the series row says only what is stored and the lost samples are accepted again', async () => {
    const { store, dir, now, late } = await retentionWhileAppending();
    // The files as a kill -9 would leave them now, before any flush writes the chunk cut meanwhile:
    // nothing is being written between two turns of the event loop, and the WAL holds every commit.
    const crashed = mkdtempSync(join(tmpdir(), 'vigil-paced-crash-'));
    dirs.push(crashed);
    for (const file of ['vigil.db', 'vigil.db-wal']) copyFileSync(join(dir, file), join(crashed, file));
    await store.close();

    const db = new Database(join(crashed, 'vigil.db'));
    const rows = db
      .prepare(
        'SELECT s.labels, s.samples, s.frozen_t AS frozenT, (SELECT total(count) FROM chunks WHERE series_id = s.id) AS stored FROM series s',
      )
      .all() as { labels: string; samples: number; frozenT: number | null; stored: number }[];
    db.close();
    for (const row of rows) expect(row.samples, row.labels).toBe(row.stored);
    const row = rows.find((r) => r.labels.includes('resumed'));
    // No stored chunk holds a sample after `now`: the row must not freeze the samples that were lost.
    expect(row?.frozenT ?? Number.NEGATIVE_INFINITY).toBeLessThanOrEqual(now);

    const again = await openSqliteStore({
      dir: crashed,
      clock: new ManualClock(now + 10_000),
      flushIntervalMs: 10 * DAY,
      ...RETAIN_A_DAY,
    });
    // The sender did not see these acknowledged by a flush: it sends them again.
    expect(again.appendSync(late).accepted).toBe(9);
    const [resumed] = await again.select([{ name: 'job', type: '=', value: 'test' }], now, now + 9000);
    expect([...(resumed?.values ?? [])]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await again.stats()).samples).toBe(10);
    await again.close();
  }, 120_000);
});

describe('SqliteStore forgetting empty series in paced transactions, while samples arrive', () => {
  it('a series forgotten before its sample arrives comes back as a new one; one that gets a sample first is kept', async () => {
    const { store, clock, dir } = await open({ ...RETAIN_A_DAY, rollup1hRetentionDays: 1 });
    const labels = (i: number) => ({ __name__: 'churn', i: String(i) });
    await store.append(
      Array.from({ length: 3000 }, (_, i) => ({ labels: labels(i), timestamps: [NOW], values: [i] })),
    );
    await store.maintain();
    clock.advance(30 * DAY);
    const now = clock.now();
    // Every look at the clock says a slice is over: retention pauses every 256 statements.
    let fake = performance.now();
    const spy = vi.spyOn(performance, 'now').mockImplementation(() => (fake += 100));
    try {
      const upkeep = store.maintain();
      let settled = false;
      void upkeep.finally(() => {
        settled = true;
      });
      let appended = false;
      while (!settled) {
        await new Promise((resolve) => setImmediate(resolve));
        if (appended || settled || (await store.stats()).series === 3000) continue;
        // Forgetting has begun: the first series is gone, the last one not yet.
        store.appendSync([
          { labels: labels(0), timestamps: [now], values: [100] },
          { labels: labels(2999), timestamps: [now], values: [2999] },
        ]);
        appended = true;
      }
      await upkeep;
      expect(appended).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect((await store.stats()).series).toBe(2);
    await store.close();
    const db = new Database(join(dir, 'vigil.db'));
    const rows = db.prepare('SELECT labels FROM series ORDER BY labels').pluck().all();
    db.close();
    expect(rows).toEqual([JSON.stringify(labels(0)), JSON.stringify(labels(2999))]);
    const again = await openSqliteStore({ dir, clock: new ManualClock(now), ...RETAIN_A_DAY });
    const back = await again.select([{ name: '__name__', type: '=', value: 'churn' }], 0, now);
    expect(back.map((s) => [s.labels.i, [...s.values]])).toEqual([
      ['0', [100]],
      ['2999', [2999]],
    ]);
    await again.close();
  }, 120_000);
});
