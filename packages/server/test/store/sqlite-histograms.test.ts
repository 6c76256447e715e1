import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { NativeHistogram } from '../../src/store/native-histogram.js';
import { type LabelMatcher, staleNaN } from '../../src/store/series-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const NOW = Date.UTC(2026, 0, 10, 12);
const HOUR = 3_600_000;
const DAY = 86_400_000;
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-hist-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const name = (value: string): LabelMatcher => ({ name: '__name__', type: '=', value });

/** A counter histogram at scrape `i`: buckets grow, one appears halfway, the schema drops late. */
function scrape(i: number): NativeHistogram {
  const counts = [1 + i, 2 * i, i % 5];
  if (i >= 100) counts.push(3);
  const deltas = counts.map((c, k) => c - (counts[k - 1] ?? 0));
  const count = counts.reduce((a, b) => a + b, 0) + 2;
  return {
    kind: 'int',
    schema: i >= 200 ? 2 : 3,
    zeroThreshold: 2 ** -128,
    zeroCount: 2,
    count,
    sum: count * 0.125,
    positiveSpans: [{ offset: -2, length: counts.length }],
    positiveDeltas: deltas,
    negativeSpans: [],
    negativeDeltas: [],
    counterResetHint: i === 0 ? 'reset' : 'not_reset',
  };
}

const floatSample: NativeHistogram = {
  kind: 'float',
  schema: 0,
  zeroThreshold: 0.001,
  zeroCount: 0.5,
  count: 3.25,
  sum: staleNaN(),
  positiveSpans: [{ offset: 1, length: 2 }],
  positiveCounts: [1.25, 1.5],
  negativeSpans: [],
  negativeCounts: [],
  counterResetHint: 'gauge',
};

function sumBits(h: NativeHistogram): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, h.sum);
  return view.getBigUint64(0).toString(16);
}

describe('SqliteStore native histograms', () => {
  it('keeps histograms beside floats across chunk cuts, flushes and a restart, bit for bit', async () => {
    const dir = tempDir();
    const clock = new ManualClock(NOW);
    const start = NOW - 2 * HOUR;
    const timestamps = Array.from({ length: 300 }, (_, i) => start + i * 15_000);
    const histograms = timestamps.map((_, i) => scrape(i));
    let store = await openSqliteStore({ dir, clock });
    const labels = { __name__: 'rpc_seconds', job: 'api' };
    expect(
      await store.appendHistograms([{ labels, timestamps: timestamps.slice(0, 150), histograms }]),
    ).toEqual({
      accepted: 150,
      rejected: { invalid: 150 },
    });
    await store.flush();
    await store.appendHistograms([
      { labels, timestamps: timestamps.slice(150), histograms: histograms.slice(150) },
      { labels: { __name__: 'g_hist' }, timestamps: [start], histograms: [floatSample] },
    ]);
    await store.append([{ labels, timestamps: [start], values: [42] }]);
    const before = await store.selectHistograms([name('rpc_seconds')], start, NOW);
    expect(before).toEqual([{ labels, timestamps: Float64Array.from(timestamps), histograms }]);
    await store.close();

    store = await openSqliteStore({ dir, clock });
    expect(await store.selectHistograms([name('rpc_seconds')], start, NOW)).toEqual(before);
    const stale = await store.selectHistograms([name('g_hist')], start, start);
    expect(stale[0]!.histograms).toEqual([floatSample]);
    expect(sumBits(stale[0]!.histograms[0]!)).toBe('7ff0000000000002');
    // a window inside the range, the floats of the same series untouched, the series listed
    const window = await store.selectHistograms([name('rpc_seconds')], timestamps[130]!, timestamps[140]!);
    expect(window[0]!.histograms).toEqual(histograms.slice(130, 141));
    expect((await store.select([name('rpc_seconds')], start, NOW))[0]!.values).toEqual(Float64Array.of(42));
    expect(await store.series([[name('g_hist')]], start, NOW)).toEqual([{ __name__: 'g_hist' }]);
    await store.close();
  });

  it('refuses bad, duplicate, out-of-order and too old histograms by reason, keeping what is stored', async () => {
    const store = await openSqliteStore({ dir: tempDir(), clock: new ManualClock(NOW) });
    const labels = { __name__: 'h' };
    const t = NOW - HOUR;
    await store.appendHistograms([
      { labels, timestamps: [t, t + 15_000], histograms: [scrape(1), scrape(2)] },
    ]);
    const bad: NativeHistogram = { ...scrape(3), count: 1 };
    const overrun: NativeHistogram = { ...scrape(3), positiveSpans: [{ offset: 0, length: 9 }] };
    const result = await store.appendHistograms([
      {
        labels,
        timestamps: [t + 30_000, t + 30_000, t + 15_000, t, t + 45_000, NOW - 400 * DAY, 1.5],
        histograms: [bad, overrun, scrape(9), scrape(9), scrape(3), scrape(4), scrape(5)],
      },
    ]);
    expect(result).toEqual({
      accepted: 1,
      rejected: { invalid: 3, duplicate: 1, out_of_order: 1, too_old: 1 },
    });
    const [kept] = await store.selectHistograms([name('h')], 0, NOW);
    expect(kept!.histograms).toEqual([scrape(1), scrape(2), scrape(3)]);
    await store.close();
  });

  it('keeps histograms as long as raw samples, then forgets them', async () => {
    const clock = new ManualClock(NOW);
    const store = await openSqliteStore({ dir: tempDir(), clock, retentionDays: 7 });
    const timestamps = Array.from({ length: 200 }, (_, i) => NOW - HOUR + i * 15_000);
    await store.appendHistograms([
      { labels: { __name__: 'old' }, timestamps, histograms: timestamps.map((_, i) => scrape(i)) },
    ]);
    await store.flush();
    clock.advance(10 * DAY);
    await store.maintain();
    expect(await store.selectHistograms([name('old')], 0, clock.now())).toEqual([]);
    expect(await store.series([[name('old')]], 0, clock.now())).toEqual([]);
    await store.close();
  });
});

describe('data directory formats', () => {
  it('migrates a directory of the format before native histograms in place, its samples kept', async () => {
    const dir = tempDir();
    const clock = new ManualClock(NOW);
    let store = await openSqliteStore({ dir, clock });
    await store.append([{ labels: { __name__: 'g' }, timestamps: [NOW - 1000], values: [7] }]);
    await store.close();
    // What a vigil before native histograms left: format 1, without the histogram tables.
    const db = new Database(join(dir, 'vigil.db'));
    db.exec('DROP TABLE histogram_chunks; DROP TABLE histogram_head');
    db.prepare("UPDATE meta SET value = 1 WHERE key = 'schema'").run();
    db.close();

    store = await openSqliteStore({ dir, clock });
    expect((await store.select([name('g')], 0, NOW))[0]!.values).toEqual(Float64Array.of(7));
    await store.appendHistograms([
      { labels: { __name__: 'h' }, timestamps: [NOW - 500], histograms: [scrape(1)] },
    ]);
    await store.close();
    const after = new Database(join(dir, 'vigil.db'), { readonly: true });
    expect(after.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get()).toBe(4);
    expect(after.prepare('SELECT count(*) FROM histogram_chunks').pluck().get()).toBe(0);
    expect(after.prepare('SELECT count(*) FROM histogram_head').pluck().get()).toBe(1);
    after.close();
  });

  it('refuses a directory of a newer format with a message that says what to do, leaving it untouched', async () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'vigil.db'));
    db.exec(
      "CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID; INSERT INTO meta VALUES ('schema', 5)",
    );
    db.close();
    await expect(openSqliteStore({ dir, clock: new ManualClock(NOW) })).rejects.toThrow(
      `${join(dir, 'vigil.db')}: the data directory was written by a newer vigil (storage format 5); this vigil reads formats 1 to 4. Run the newer vigil, or give this one another data directory`,
    );
    const after = new Database(join(dir, 'vigil.db'), { readonly: true });
    expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual([
      'meta',
    ]);
    after.close();
  });
});
