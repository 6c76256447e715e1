import { existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Counter, ManualClock, Registry } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../../../../test/support/until.js';
import { mountTmpfs } from '../../../../test/support/vigil-process.js';
import { IngestWriter } from '../../src/ingest/ingest-writer.js';
import type { SeriesSamples } from '../../src/store/series-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { StoreUnwritableError } from '../../src/store/store-unwritable-error.js';

const NOW = 1_700_000_000_000;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `n` new series of one sample each, with labels long enough to fill pages quickly. */
function batch(b: number, n: number, t: number): SeriesSamples[] {
  return Array.from({ length: n }, (_, i) => ({
    labels: { __name__: 'full_total', b: String(b), i: `${i}-${'x'.repeat(120)}` },
    timestamps: [t],
    values: [b * n + i],
  }));
}

async function count(store: {
  select: typeof import('../../src/store/sqlite-store.js').SqliteStore.prototype.select;
}) {
  const series = await store.select([{ name: '__name__', type: '=', value: 'full_total' }], 0, 4e12);
  return series.reduce((n, s) => n + s.values.length, 0);
}

describe('a full database is a state, not a crash', () => {
  it('at max_page_count: flushes fail, acknowledged ingest is refused, StatsD and scrapes are dropped and counted, nothing appended is lost from memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-pages-'));
    dirs.push(dir);
    const errors: Error[] = [];
    const store = await openSqliteStore({
      dir,
      clock: new ManualClock(NOW),
      flushIntervalMs: 3_600_000,
      maintenanceIntervalMs: 86_400_000,
      minFreeDiskSpaceBytes: 0,
      maxPageCount: 48,
      onError: (e) => errors.push(e),
    });
    const registry = new Registry();
    const writer = new IngestWriter(store, registry);
    let acked = 0;
    let refused: unknown;
    for (let b = 0; b < 500 && refused === undefined; b++) {
      try {
        acked += (await writer.write('remote_write', batch(b, 50, NOW))).accepted;
      } catch (error) {
        refused = error;
      }
      await store.flush().catch(() => {});
    }
    expect(refused).toBeInstanceOf(StoreUnwritableError);
    expect((refused as Error).message).toMatch(/SQLITE_FULL/);
    expect(store.unwritable()).toMatch(/vigil\.db failed \(SQLITE_FULL/);
    // What was acknowledged is still served (from memory) and waits for the disk.
    expect(await count(store)).toBe(acked);
    await expect(store.flush()).rejects.toThrow(/SQLITE_FULL/);

    const dropped = await writer.write('statsd', batch(9999, 7, NOW));
    expect(dropped).toEqual({ accepted: 0, rejected: { unwritable: 7 } });
    const rejected = registry.getMetric('vigil_ingest_rejected_samples_total') as Counter;
    expect(rejected.get({ source: 'statsd', reason: 'unwritable' })).toBe(7);
    expect(() => writer.assertWritable()).toThrow(StoreUnwritableError);
    expect(await count(store)).toBe(acked);
    await store.close().catch(() => {});
  });

  it('below the free-space watermark the store refuses before SQLite fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-watermark-'));
    dirs.push(dir);
    const store = await openSqliteStore({ dir, minFreeDiskSpaceBytes: Number.MAX_SAFE_INTEGER });
    expect(store.unwritable()).toMatch(
      /bytes free, below the minimum of \d+ \(storage\.minFreeDiskSpaceBytes\)/,
    );
    const writer = new IngestWriter(store, new Registry());
    await expect(writer.write('import_prometheus', batch(0, 1, Date.now()))).rejects.toThrow(
      StoreUnwritableError,
    );
    await store.close();
  });
});

const tmpfs = mountTmpfs(24);
const mount = tmpfs?.dir;
afterAll(() => tmpfs?.unmount());

describe.runIf(mount !== undefined)('a real full disk (tmpfs, as root)', () => {
  it('keeps every acknowledged sample through the disk filling up, a stop while full, and a restart once space returns', async () => {
    const dir = join(mount!, 'data');
    mkdirSync(dir);
    writeFileSync(join(mount!, 'filler-1'), Buffer.alloc(3 << 20));
    const options = { dir, flushIntervalMs: 3_600_000, minFreeDiskSpaceBytes: 0 };
    const errors: Error[] = [];
    // The upkeep timer writes the disk reserve: the disk is near its watermark, with room for it.
    const store = await openSqliteStore({
      ...options,
      maintenanceIntervalMs: 20,
      onError: (e) => errors.push(e),
    });
    const reserve = join(dir, 'vigil.db.reserve');
    await until('the upkeep timer to write the disk reserve', () => existsSync(reserve));
    // Something else fills the disk to its last half megabyte.
    const { bavail, bsize } = statfsSync(mount!);
    writeFileSync(join(mount!, 'filler-2'), Buffer.alloc(bavail * bsize - (512 << 10)));

    const writer = new IngestWriter(store, new Registry());
    let acked = 0;
    let refused: unknown;
    const t = Date.now();
    for (let b = 0; b < 2000 && refused === undefined; b++) {
      try {
        acked += (await writer.write('remote_write', batch(b, 100, t))).accepted;
      } catch (error) {
        refused = error;
      }
      await store.flush().catch(() => {});
    }
    expect(refused).toBeInstanceOf(StoreUnwritableError);
    expect(errors.map((e) => e.message).join('\n')).toMatch(/released the reserve/);
    expect(acked).toBeGreaterThan(0);
    await store.close(); // stopped while the disk is still full

    rmSync(join(mount!, 'filler-1'));
    rmSync(join(mount!, 'filler-2'));
    const again = await openSqliteStore({ ...options, maintenanceIntervalMs: 86_400_000 });
    expect(await count(again)).toBe(acked);
    expect(again.unwritable()).toBe(undefined);
    await again.close();
  }, 30_000);
});
