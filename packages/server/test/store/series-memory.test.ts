import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeHistogramBytes } from '../../src/store/histogram-head.js';
import { seriesBytes } from '../../src/store/series-index.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { example } from './fixtures/native-histogram-example.js';

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

  it('loads at start-up only the series that fit, newest first, and accepts no new series until there is room for all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-series-memory-'));
    dirs.push(dir);
    const perSeries = seriesBytes(JSON.stringify({ __name__: 'long', id: '0', path: 'p'.repeat(3000) }));
    const clock = new ManualClock(NOW + 60_000);
    // Series i's last sample is at NOW + i s: the higher i, the more recent.
    const written = await openSqliteStore({ dir, clock });
    await written.append(
      Array.from({ length: 12 }, (_, i) => ({ ...long(i), timestamps: [NOW + i * 1000] })),
    );
    await written.close();

    const small = await openSqliteStore({ dir, clock, maxSeriesBytes: 5.5 * perSeries });
    try {
      const stats = await small.stats();
      expect(stats.series).toBe(5);
      expect(stats.memoryBytes).toBeLessThanOrEqual(5.5 * perSeries);
      expect(stats.notLoaded?.series).toBe(7);
      expect(stats.notLoaded?.why).toMatch(
        /holds 12 series.*the 5 with the newest samples are loaded, the other 7/,
      );
      const read = await small.select([{ name: '__name__', type: '=', value: 'long' }], 0, NOW + 60_000);
      expect(read.map((s) => s.labels.id).sort()).toEqual(['10', '11', '7', '8', '9']);
      // A loaded series takes samples; one left out, or a new one, would be a second row for its labels.
      expect(await small.append([{ ...long(11), timestamps: [NOW + 30_000] }])).toEqual({
        accepted: 1,
        rejected: {},
      });
      expect(await small.append([{ ...long(0), timestamps: [NOW + 30_000] }])).toEqual({
        accepted: 0,
        rejected: { memory_limit: 1 },
      });
      expect(
        await small.append([
          { labels: { __name__: 'short' }, timestamps: [NOW], values: Float64Array.of(1) },
        ]),
      ).toEqual({ accepted: 0, rejected: { memory_limit: 1 } });
    } finally {
      await small.close();
    }

    const large = await openSqliteStore({ dir, clock });
    try {
      const stats = await large.stats();
      expect(stats.series).toBe(12);
      expect(stats.notLoaded).toBeUndefined();
      const read = await large.select([{ name: '__name__', type: '=', value: 'long' }], 0, NOW + 60_000);
      expect(read.map((s) => s.values.length).reduce((a, b) => a + b)).toBe(13);
    } finally {
      await large.close();
    }
  });

  it('counts native histogram heads against the series budget, cutting a head into a chunk to make room', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-series-memory-'));
    dirs.push(dir);
    const labels = { __name__: 'latency', job: 'api' };
    const perSeries = seriesBytes(JSON.stringify(labels));
    const perHistogram = nativeHistogramBytes(example);
    // Room for the series and 30 histograms in its head: the head is cut into a chunk at 30, not 120.
    const maxSeriesBytes = perSeries + 30.5 * perHistogram;
    const store = await openSqliteStore({ dir, clock: new ManualClock(NOW), maxSeriesBytes });
    try {
      const histogramsAt = (from: number, n: number) => ({
        labels,
        timestamps: Array.from({ length: n }, (_, i) => NOW + (from + i) * 1000),
        histograms: Array.from({ length: n }, () => example),
      });
      expect(await store.appendHistograms([histogramsAt(0, 10)])).toEqual({ accepted: 10, rejected: {} });
      expect((await store.stats()).memoryBytes).toBe(perSeries + 10 * perHistogram);
      expect(await store.appendHistograms([histogramsAt(10, 45)])).toEqual({ accepted: 45, rejected: {} });
      const stats = await store.stats();
      expect(stats.memoryBytes).toBeLessThanOrEqual(maxSeriesBytes);
      // 30 in the first head, cut into a chunk; 25 in the head now.
      expect(stats.memoryBytes).toBe(perSeries + 25 * perHistogram);
      const read = await store.selectHistograms(
        [{ name: '__name__', type: '=', value: 'latency' }],
        0,
        NOW + 60_000,
      );
      expect(read[0]!.histograms).toHaveLength(55);
    } finally {
      await store.close();
    }
    // No room for even one histogram beside the series: refused, not held.
    const tight = await openSqliteStore({
      dir: mkdtempSync(join(tmpdir(), 'vigil-series-memory-')),
      clock: new ManualClock(NOW),
      maxSeriesBytes: perSeries + perHistogram / 2,
    });
    try {
      expect(await tight.appendHistograms([{ labels, timestamps: [NOW], histograms: [example] }])).toEqual({
        accepted: 0,
        rejected: { memory_limit: 1 },
      });
    } finally {
      await tight.close();
    }
  });

  it('holds the chunks waiting for a flush to maxUnflushedBytes, and takes samples again once they are written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-series-memory-'));
    dirs.push(dir);
    const store = await openSqliteStore({
      dir,
      clock: new ManualClock(NOW),
      flushIntervalMs: 3_600_000,
      chunkSamples: 8,
      maxUnflushedBytes: 2048,
    });
    try {
      let t = NOW;
      const eight = () => ({
        labels: { __name__: 'waiting', job: 'a' },
        timestamps: Array.from({ length: 8 }, () => (t += 1000)),
        values: Array.from({ length: 8 }, (_, i) => Math.sin(t + i) * 1e6),
      });
      let accepted = 0;
      let refused: Record<string, number> | undefined;
      for (let i = 0; i < 1000 && refused === undefined; i++) {
        const result = await store.append([eight()]);
        accepted += result.accepted;
        if (result.accepted === 0) refused = result.rejected;
      }
      expect(refused).toEqual({ memory_limit: 8 });
      // Every chunk was cut at 8 samples; they stopped at about 2 KiB of them.
      expect(accepted).toBeGreaterThan(8 * 10);
      expect(accepted).toBeLessThan(8 * 200);
      const [series] = await store.select([{ name: '__name__', type: '=', value: 'waiting' }], 0, t);
      expect(series!.values.length).toBe(accepted);
      await store.flush();
      expect(await store.append([eight()])).toEqual({ accepted: 8, rejected: {} });
    } finally {
      await store.close();
    }
  });
});
