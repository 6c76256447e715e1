import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { seriesBytes } from '../../src/store/series-index.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const NOW = 1_700_000_000_000;
const long = (i: number) => ({
  labels: { __name__: 'long', id: String(i), path: 'p'.repeat(3000) },
  timestamps: [NOW],
  values: Float64Array.of(i),
});

describe('the store bounds its series by bytes (maxSeriesBytes)', () => {
  it('refuses new series past the budget as memory_limit, keeps taking samples of the others, and counts the budget again after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-series-memory-'));
    dirs.push(dir);
    const perSeries = seriesBytes(JSON.stringify({ __name__: 'long', id: '0', path: 'p'.repeat(3000) }));
    expect(perSeries).toBeGreaterThan(7000);
    const clock = new ManualClock(NOW);
    const options = { dir, clock, maxSeriesBytes: 10.5 * perSeries };
    const store = await openSqliteStore(options);
    const first = await store.append(Array.from({ length: 12 }, (_, i) => long(i)));
    expect(first).toEqual({ accepted: 10, rejected: { memory_limit: 2 } });
    expect(await store.append([{ ...long(3), timestamps: [NOW + 1000] }])).toEqual({
      accepted: 1,
      rejected: {},
    });
    // Short labels fit where long ones no longer do.
    expect(
      await store.append([{ labels: { __name__: 'short' }, timestamps: [NOW], values: Float64Array.of(1) }]),
    ).toEqual({ accepted: 1, rejected: {} });
    const stats = await store.stats();
    expect(stats.series).toBe(11);
    expect(stats.memoryBytes).toBeLessThanOrEqual(options.maxSeriesBytes);
    await store.close();

    const reopened = await openSqliteStore(options);
    try {
      expect((await reopened.stats()).memoryBytes).toBe(stats.memoryBytes);
      expect(await reopened.append([long(20)])).toEqual({ accepted: 0, rejected: { memory_limit: 1 } });
      const read = await reopened.select([{ name: '__name__', type: '=', value: 'long' }], 0, NOW + 2000);
      expect(read).toHaveLength(10);
    } finally {
      await reopened.close();
    }
  });
});
