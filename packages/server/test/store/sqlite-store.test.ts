import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ManualClock, VigilError } from '@vigil/metrics';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { queryVector } from '../../src/alerts/query-vector.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { RollupSamples } from '../../src/store/rollup-samples.js';
import type { LabelMatcher, RollupData, SeriesData } from '../../src/store/series-store.js';
import { staleNaN } from '../../src/store/series-store.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import type { SqliteStoreOptions } from '../../src/store/sqlite-store-options.js';
import { describeSeriesStore } from './series-store-conformance.js';

const NOW = Date.UTC(2026, 0, 10, 12);
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-store-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function open(options: Partial<SqliteStoreOptions> = {}, clock = new ManualClock(NOW)) {
  const dir = options.dir ?? tempDir();
  const store = await openSqliteStore({ clock, ...options, dir });
  return { store, clock, dir };
}

const name = (value: string): LabelMatcher => ({ name: '__name__', type: '=', value });

function bits(values: Float64Array): bigint[] {
  return [...new BigUint64Array(values.buffer, values.byteOffset, values.length)];
}

/** A number from the store's database, read through a second, read-only connection. */
function count(dir: string, sql: string): number {
  const db = new Database(join(dir, 'vigil.db'), { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

/** The rollup a store must return, computed here from raw samples the simple way. */
interface Expected {
  timestamps: number[];
  count: number[];
  sum: number[];
  min: number[];
  max: number[];
  last: number[];
  dropped: number[];
}

/** Buckets of `resolution` folded from the raw samples, as the store folds them. */
function expectedRollup(raw: SeriesData, resolution: number): Expected {
  const buckets = new Map<number, number[]>();
  const drops = new Map<number, number>();
  const words = new BigUint64Array(raw.values.buffer, raw.values.byteOffset, raw.values.length);
  let previous = Number.NaN;
  raw.timestamps.forEach((t, i) => {
    if (words[i] === 0x7ff0000000000002n) return;
    const v = raw.values[i]!;
    const b = Math.floor(t / resolution) * resolution;
    // A counter reset (a sample below the one before) drops the value before it.
    const reset = v < previous ? previous : 0;
    previous = v;
    if (!buckets.has(b)) {
      buckets.set(b, []);
      drops.set(b, reset);
    } else drops.set(b, drops.get(b)! + reset);
    buckets.get(b)!.push(v);
  });
  const out: Expected = { timestamps: [], count: [], sum: [], min: [], max: [], last: [], dropped: [] };
  for (const [b, vs] of buckets) {
    out.timestamps.push(b);
    out.count.push(vs.length);
    out.sum.push(vs.reduce((x, y) => x + y));
    let mn = vs[0]!;
    let mx = vs[0]!;
    for (const v of vs) {
      if (v < mn || Number.isNaN(mn)) mn = v;
      if (v > mx || Number.isNaN(mx)) mx = v;
    }
    out.min.push(mn);
    out.max.push(mx);
    out.last.push(vs[vs.length - 1]!);
    out.dropped.push(drops.get(b)!);
  }
  return out;
}

/**
 * A daily read of [start, end]: the raw samples' hours, those of the whole days between the day
 * `start` is in and `end + 1` (or of the spans of days given) merged into days, as the store folds
 * days from hours.
 */
function expectedDaily(
  raw: SeriesData,
  start: number,
  end: number,
  days?: readonly (readonly [number, number])[],
): Expected {
  const hours = expectedRollup(raw, HOUR);
  const from = (Math.floor(start / DAY) + 1) * DAY;
  const spans = days ?? [[from, Math.max(from, Math.floor((end + 1) / DAY) * DAY)]];
  const out: Expected = { timestamps: [], count: [], sum: [], min: [], max: [], last: [], dropped: [] };
  hours.timestamps.forEach((t, i) => {
    if (t < Math.floor(start / HOUR) * HOUR || t > end) return;
    const day = spans.some(([a, b]) => t >= a && t < b) ? Math.floor(t / DAY) * DAY : t;
    const k = out.timestamps.length - 1;
    if (k < 0 || out.timestamps[k] !== day || day === t) {
      out.timestamps.push(day);
      out.count.push(hours.count[i]!);
      out.sum.push(hours.sum[i]!);
      out.min.push(hours.min[i]!);
      out.max.push(hours.max[i]!);
      out.last.push(hours.last[i]!);
      out.dropped.push(hours.dropped[i]!);
      return;
    }
    out.count[k]! += hours.count[i]!;
    out.sum[k]! += hours.sum[i]!;
    if (hours.min[i]! < out.min[k]! || Number.isNaN(out.min[k]!)) out.min[k] = hours.min[i]!;
    if (hours.max[i]! > out.max[k]! || Number.isNaN(out.max[k]!)) out.max[k] = hours.max[i]!;
    out.last[k] = hours.last[i]!;
    out.dropped[k]! += hours.dropped[i]!;
  });
  return out;
}

describeSeriesStore('SqliteStore', async () => {
  const { store, dir } = await open();
  return {
    store,
    now: NOW,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStore', () => {
  it('accepts late samples into the open chunk and refuses them once the chunk is cut', async () => {
    const { store } = await open({ chunkSamples: 8 });
    const labels = { __name__: 'late' };
    const t0 = NOW - HOUR;
    const ts = (i: number) => t0 + i * 10_000;
    // 10 samples at even steps: the first 8 are cut into a chunk, 2 stay in the head
    await store.append([
      {
        labels,
        timestamps: [0, 2, 4, 6, 8, 10, 12, 14, 16, 18].map(ts),
        values: [0, 2, 4, 6, 8, 10, 12, 14, 16, 18],
      },
    ]);
    const late = await store.append([
      { labels, timestamps: [ts(17), ts(15), ts(13), ts(16)], values: [17, 15, 13, 99] },
    ]);
    // 13 is before the cut chunk's last sample (14): refused. 15 and 17 go into the head (16, 18),
    // which is re-encoded; 16 is there already.
    expect(late).toEqual({ accepted: 2, rejected: { out_of_order: 1, duplicate: 1 } });
    const [series] = await store.select([name('late')], t0, NOW);
    expect([...series!.values]).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 15, 16, 17, 18]);
    await store.close();
  });

  it('refuses samples older than the retention as too_old', async () => {
    const { store } = await open({ retentionDays: 1 });
    const result = await store.append([
      { labels: { __name__: 'old' }, timestamps: [NOW - DAY - 1, NOW - DAY, NOW + 1], values: [1, 2, 3] },
    ]);
    expect(result).toEqual({ accepted: 2, rejected: { too_old: 1 } });
    await store.close();
  });

  it('refuses new series past maxSeries and keeps taking samples for the others', async () => {
    const { store } = await open({ maxSeries: 2 });
    const batch = ['a', 'b', 'c'].map((n) => ({
      labels: { __name__: n },
      timestamps: [NOW - 1000, NOW],
      values: [1, 2],
    }));
    expect(await store.append(batch)).toEqual({ accepted: 4, rejected: { series_limit: 2 } });
    expect(
      await store.append([{ labels: { __name__: 'a' }, timestamps: [NOW + 1000], values: [3] }]),
    ).toEqual({ accepted: 1, rejected: {} });
    expect((await store.stats()).series).toBe(2);
    await store.close();
  });

  it('finds a series however its label object is spelled', async () => {
    const { store } = await open();
    await store.append([
      { labels: { __name__: 'm', a: '1', b: '2' }, timestamps: [NOW - 3000], values: [1] },
      { labels: { b: '2', __name__: 'm', a: '1' }, timestamps: [NOW - 2000], values: [2] },
      { labels: { a: '1', z: '', b: '2', __name__: 'm' }, timestamps: [NOW - 1000], values: [3] },
    ]);
    const all = await store.select([name('m')], 0, NOW);
    expect(all).toHaveLength(1);
    expect([...all[0]!.values]).toEqual([1, 2, 3]);
    await store.close();
  });

  it('answers matchers from the label index a page at a time, flushed and unflushed series alike', async () => {
    const { store } = await open();
    // 1,500 series: `job` shares a value among 750 series (pages of series ids), `id` repeats each
    // value three times (pages that end inside a value); 300 are appended after the flush.
    const labelsOf = (i: number) => ({
      __name__: 'm',
      job: i % 2 === 0 ? 'even' : 'odd',
      id: `v${i % 500}`,
      n: String(i),
    });
    const write = (from: number, to: number) =>
      store.append(
        Array.from({ length: to - from }, (_, k) => ({
          labels: labelsOf(from + k),
          timestamps: [NOW - 60_000 + from + k],
          values: [from + k],
        })),
      );
    await write(0, 1200);
    await store.flush();
    await write(1200, 1500);
    const ids = async (matchers: LabelMatcher[]) =>
      (await store.select(matchers, 0, NOW)).map((s) => s.values[0]!).sort((a, b) => a - b);
    const expected = (keep: (i: number) => boolean) => Array.from({ length: 1500 }, (_, i) => i).filter(keep);
    expect(await ids([{ name: 'job', type: '=', value: 'even' }])).toEqual(expected((i) => i % 2 === 0));
    expect(await ids([{ name: 'id', type: '=~', value: 'v1.*7' }])).toEqual(
      expected((i) => /^v1\d*7$/.test(`v${i % 500}`)),
    );
    expect(await ids([{ name: 'id', type: '=~', value: 'v4.+|v3' }])).toEqual(
      expected((i) => /^(v4.+|v3)$/.test(`v${i % 500}`)),
    );
    const listed = await store.series([[{ name: 'id', type: '=~', value: '.+' }]], 0, NOW);
    expect(listed).toHaveLength(1500);
    // Prometheus's order: label by label, values as strings ('1000' before '500').
    expect(listed.slice(0, 3).map((l) => l.n)).toEqual(['0', '1000', '500']);
    expect(listed.at(-1)).toEqual({ __name__: 'm', id: 'v99', job: 'odd', n: '99' });
    await store.close();
  });

  it('answers a selector asked before with the series flushed into the index since', async () => {
    const { store } = await open();
    const at = (job: string, v: number) => ({
      labels: { __name__: 'up', job },
      timestamps: [NOW - MIN],
      values: [v],
    });
    const jobs = async () => (await store.select([name('up')], 0, NOW)).map((s) => s.labels.job);
    await store.append([at('api', 1)]);
    await store.flush();
    expect(await jobs()).toEqual(['api']);
    // The same selector again (its ids now come from the postings cache), before and after the new
    // series leaves the unflushed ones for the label index.
    await store.append([at('db', 1)]);
    expect(await jobs()).toEqual(['api', 'db']);
    await store.flush();
    expect(await jobs()).toEqual(['api', 'db']);
    expect(await jobs()).toEqual(['api', 'db']);
    await store.close();
  });

  it('hands the event loop back during a long match and stops at the checkpoint that throws', async () => {
    const { store } = await open();
    await store.append(
      Array.from({ length: 30_000 }, (_, i) => ({
        labels: { __name__: 'm', id: `value_${i}` },
        timestamps: [NOW - 1000],
        values: [i],
      })),
    );
    await store.flush();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    let checkpoints = 0;
    const read = store.select([{ name: 'id', type: '=~', value: '.*x' }], 0, NOW, {
      checkpoint: () => {
        checkpoints++;
        if (ticks > 0) throw new Error('past the deadline');
      },
    });
    await expect(read).rejects.toThrow('past the deadline');
    clearInterval(ticker);
    expect(checkpoints).toBeGreaterThan(0);
    expect(await store.select([{ name: 'id', type: '=~', value: '.*x' }], 0, NOW)).toEqual([]);
    await store.close();
  });

  it('hands the event loop back during a match over long label values, fewer than a clock look', async () => {
    // 200 values of 50,000 characters: each regex test takes milliseconds, and counted as one unit
    // of work, 200 of them never reached the 256 units between two looks at the clock.
    const { store } = await open();
    const long = 'y'.repeat(50_000);
    const series = (i: number) => ({ __name__: 'm', path: `${i}-${long}` });
    await store.append(
      Array.from({ length: 100 }, (_, i) => ({ labels: series(i), timestamps: [NOW - 1000], values: [i] })),
    );
    await store.flush();
    // Half from the label index, half not yet flushed; by value (no literal narrows the regex) and
    // by series (a second matcher).
    await store.append(
      Array.from({ length: 100 }, (_, i) => ({
        labels: series(100 + i),
        timestamps: [NOW - 1000],
        values: [i],
      })),
    );
    for (const matchers of [
      [{ name: 'path', type: '=~', value: '.*[xz]' }],
      [name('m'), { name: 'path', type: '=~', value: '.*[xz]' }],
    ] as LabelMatcher[][]) {
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 0);
      expect(await store.select(matchers, 0, NOW)).toEqual([]);
      clearInterval(ticker);
      expect(ticks, JSON.stringify(matchers)).toBeGreaterThan(0);
    }
    await store.close();
  });

  it('hands the event loop back while it flushes many new series, and loses nothing appended meanwhile', async () => {
    const dir = tempDir();
    const { store } = await open({ dir });
    const wide = (round: number, i: number) => ({
      __name__: 'wide',
      job: 'flush',
      instance: `host-${i % 100}`,
      id: `${round}-${i}`,
    });
    const perRound = 20_000;
    const during: Promise<unknown>[] = [];
    let longest = Infinity;
    for (let round = 0; round < 3; round++) {
      await store.append(
        Array.from({ length: perRound }, (_, i) => ({
          labels: wide(round, i),
          timestamps: [NOW - 2000],
          values: [i],
        })),
      );
      // The most CPU time the process spent between two runs of a timer while the flush ran: in one
      // transaction, 20,000 series took 0.3-0.5 s. CPU time rather than wall time: on a machine
      // shared with other work, the wait for a core alone can stretch a 10 ms slice past 100 ms.
      const cpuMs = () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      };
      let last = cpuMs();
      let gap = 0;
      let ticks = 0;
      const ticker = setInterval(() => {
        const now = cpuMs();
        gap = Math.max(gap, now - last);
        last = now;
        if (ticks++ === 0 && round === 0) {
          // Mid-flush: a sample for a series most likely written already, one for the last series
          // (not yet written), a new series; and a query, which must see every series.
          during.push(
            store.append([
              { labels: wide(0, 0), timestamps: [NOW - 1000], values: [-1] },
              { labels: wide(0, perRound - 1), timestamps: [NOW - 1000], values: [-2] },
              { labels: { __name__: 'wide', id: 'late' }, timestamps: [NOW - 1000], values: [-3] },
            ]),
            store.series([[name('wide')]], 0, NOW),
          );
        }
      }, 1);
      last = cpuMs();
      await store.flush();
      clearInterval(ticker);
      gap = Math.max(gap, cpuMs() - last);
      expect(ticks, 'timer callbacks during the flush').toBeGreaterThan(0);
      longest = Math.min(longest, gap);
    }
    expect(longest, 'CPU ms between two runs of a 1 ms timer during a flush, best of three').toBeLessThan(50);
    const [appended, seen] = await Promise.all(during);
    expect(appended).toEqual({ accepted: 3, rejected: {} });
    expect(seen).toHaveLength(perRound + 1);
    await store.close();

    const again = await open({ dir });
    expect(await again.store.stats()).toMatchObject({ series: 3 * perRound + 1, samples: 3 * perRound + 3 });
    const [first, lastOne] = await Promise.all(
      [wide(0, 0).id, wide(0, perRound - 1).id].map((id) =>
        again.store.select([name('wide'), { name: 'id', type: '=', value: id }], 0, NOW),
      ),
    );
    expect([...first![0]!.values]).toEqual([0, -1]);
    expect([...lastOne![0]!.values]).toEqual([perRound - 1, -2]);
    await again.store.close();
  }, 120_000);

  it('recovers everything flushed, head included, after a restart', async () => {
    const dir = tempDir();
    const first = await open({ dir, chunkSamples: 16 });
    const t0 = NOW - HOUR;
    const values = new Float64Array(40).map((_, i) => i * 1.5);
    values[39] = staleNaN();
    const timestamps = Array.from({ length: 40 }, (_, i) => t0 + i * 15_000);
    await first.store.append([{ labels: { __name__: 'r', job: 'x' }, timestamps, values }]);
    await first.store.close();

    const second = await open({ dir, chunkSamples: 16 });
    const [series] = await second.store.select([name('r')], t0, NOW);
    expect([...series!.timestamps]).toEqual(timestamps);
    expect(bits(series!.values)).toEqual(bits(values));
    expect(await second.store.stats()).toMatchObject({ series: 1, samples: 40 });
    // the newest timestamp is known again: a resent sample is a duplicate, the next one fits
    expect(
      await second.store.append([
        { labels: { job: 'x', __name__: 'r' }, timestamps: [timestamps[39]!, NOW], values: [0, 7] },
      ]),
    ).toEqual({ accepted: 1, rejected: { duplicate: 1 } });
    await second.store.close();
  });

  it('reads many series at once: stored chunks, chunks not yet flushed and heads each go to their series', async () => {
    // 2,500 series span three of the store's read batches; each has its own values, so a chunk
    // given to the wrong series, or one left out, shows.
    const { store } = await open({ chunkSamples: 8 });
    const t0 = NOW - HOUR;
    const expected = new Map<string, number[]>();
    const sent = (k: number, i: number) => k * 1000 + i;
    const batch = (from: number, to: number) =>
      Array.from({ length: 2500 }, (_, k) => ({
        labels: { __name__: 'm', i: String(k) },
        timestamps: Array.from({ length: to - from }, (_, j) => t0 + (from + j) * 15_000),
        values: Array.from({ length: to - from }, (_, j) => sent(k, from + j)),
      }));
    await store.append(batch(0, 20));
    await store.flush();
    // cut but unflushed chunks, then an open head
    await store.append(batch(20, 30));
    for (let k = 0; k < 2500; k++)
      expected.set(
        String(k),
        Array.from({ length: 30 }, (_, i) => sent(k, i)),
      );
    const all = await store.select([name('m')], t0, NOW);
    expect(all).toHaveLength(2500);
    for (const s of all) expect([...s.values]).toEqual(expected.get(s.labels.i!));
    // a window that starts inside the stored chunks
    const later = await store.select([name('m')], t0 + 10 * 15_000, NOW);
    for (const s of later) expect([...s.values]).toEqual(expected.get(s.labels.i!)!.slice(10));
    await store.close();
  });

  it('makes appended samples durable when the flush timer fires', async () => {
    const { store, clock, dir } = await open({ flushIntervalMs: 500 });
    await store.append([{ labels: { __name__: 'd' }, timestamps: [NOW], values: [1] }]);
    const peek = () => count(dir, 'SELECT count(*) FROM head');
    expect(peek()).toBe(0);
    clock.advance(500);
    expect(peek()).toBe(1);
    await store.close();
  });

  it('serves the same rollups from written blocks, from raw samples and after a restart', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.integer({ min: 1, max: 20 * MIN }),
            fc.oneof(
              fc.integer({ min: -50, max: 1000 }),
              fc.double(),
              fc.constant(Number.NaN),
              fc.constant(-1),
            ),
          ),
          {
            minLength: 1,
            maxLength: 400,
          },
        ),
        async (steps) => {
          const dir = tempDir();
          const clock = new ManualClock(NOW - 3 * DAY);
          const opts = {
            dir,
            chunkSamples: 16,
            rollup1mRetentionDays: 60,
            flushIntervalMs: HOUR,
            maintenanceIntervalMs: DAY,
          };
          let { store } = await open(opts, clock);
          const timestamps: number[] = [];
          const values = new Float64Array(steps.length);
          let t = NOW - 3 * DAY;
          steps.forEach(([step, v], i) => {
            t += step;
            timestamps.push(t);
            values[i] = v === -1 ? staleNaN() : v;
          });
          await store.append([{ labels: { __name__: 'p' }, timestamps, values }]);
          clock.advance(3 * DAY + HOUR);
          let [raw] = await store.select([name('p')], 0, NOW + DAY);
          const check = async (s: SqliteStore) => {
            // Days from the whole range, and from one that starts and ends inside days.
            const within = [NOW - 2 * DAY - 7 * HOUR - 17 * MIN, NOW + DAY + 5 * HOUR + 3 * MIN] as const;
            // And given spans of days: apart (the day between them in hours, both written by
            // maintain()), and end to end (the second not written yet).
            const midnight = Math.floor(NOW / DAY) * DAY;
            const apart = [
              [midnight - 3 * DAY, midnight - 2 * DAY],
              [midnight - DAY, midnight],
            ] as const;
            const joined = [
              [midnight - DAY, midnight],
              [midnight, midnight + DAY],
            ] as const;
            for (const [resolution, start, end, days] of [
              [60_000, 0, NOW + 10 * DAY],
              [HOUR, 0, NOW + 10 * DAY],
              [DAY, 0, NOW + 10 * DAY],
              [DAY, ...within],
              [DAY, 0, NOW + 10 * DAY, apart],
              [DAY, ...within, joined],
            ] as const) {
              const [got] = await s.selectRollup([name('p')], start, end, resolution, days && { days });
              const want =
                resolution === DAY ? expectedDaily(raw!, start, end, days) : expectedRollup(raw!, resolution);
              expect(got === undefined ? [] : [...got.timestamps]).toEqual(want.timestamps);
              if (got === undefined) continue;
              expect([...got.count]).toEqual(want.count);
              expect([...got.sum]).toEqual(want.sum);
              expect([...got.min]).toEqual(want.min);
              expect([...got.max]).toEqual(want.max);
              expect([...got.last]).toEqual(want.last);
              expect([...got.dropped]).toEqual(want.dropped);
            }
          };
          await check(store);
          await store.maintain();
          await check(store);
          if (timestamps[timestamps.length - 1]! - timestamps[0]! > 13 * HOUR) {
            expect(count(dir, 'SELECT count(*) FROM rollups WHERE resolution = 60000')).toBeGreaterThan(0);
            expect(count(dir, 'SELECT count(*) FROM rollups WHERE resolution = 3600000')).toBeGreaterThan(0);
          }
          if (timestamps[timestamps.length - 1]! - timestamps[0]! > 3 * DAY) {
            expect(count(dir, 'SELECT count(*) FROM rollups WHERE resolution = 86400000')).toBeGreaterThan(0);
          }
          await store.close();
          ({ store } = await open(opts, clock));
          await check(store);
          // folding after a restart starts from the chunks on disk
          const next = timestamps[timestamps.length - 1]! + 7 * HOUR;
          await store.append([{ labels: { __name__: 'p' }, timestamps: [next, next + 1], values: [1, 2] }]);
          clock.advance(10 * HOUR);
          await store.maintain();
          const [after] = await store.select([name('p')], 0, next + 1);
          expect([...after!.timestamps]).toEqual([...raw!.timestamps, next, next + 1]);
          raw = after;
          await check(store);
          await store.close();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('serves the rollups of many series at once, each its own, from blocks and raw samples', async () => {
    // More series than one batch of the read (128), rolled up to different times: some series
    // stopped early (all in blocks), others run to the end (their last hours from raw samples).
    const { store, clock } = await open(
      { chunkSamples: 16, flushIntervalMs: HOUR },
      new ManualClock(NOW - 2 * DAY),
    );
    const start = NOW - 2 * DAY;
    const batch = Array.from({ length: 300 }, (_, i) => {
      const n = i % 3 === 0 ? 100 : 400;
      return {
        labels: { __name__: 'many', i: String(i) },
        timestamps: Array.from({ length: n }, (_, k) => start + k * 5 * MIN + i),
        values: Array.from({ length: n }, (_, k) => (k * (i + 1)) % 97),
      };
    });
    await store.append(batch);
    clock.advance(2 * DAY);
    await store.maintain();
    const raw = await store.select([name('many')], 0, NOW);
    const got = await store.selectRollup([name('many')], start + 3 * HOUR, NOW, 3_600_000);
    expect(got).toHaveLength(300);
    for (const series of raw) {
      const want = expectedRollup(series, 3_600_000);
      const from = want.timestamps.findIndex((t) => t >= start + 3 * HOUR);
      const mine = got.find((g) => g.labels.i === series.labels.i)!;
      expect([...mine.timestamps]).toEqual(want.timestamps.slice(from));
      expect([...mine.last]).toEqual(want.last.slice(from));
      expect([...mine.sum]).toEqual(want.sum.slice(from));
    }
    await store.close();
  });

  it('reads the spans of days it is given from daily blocks, the hours between them as hours', async () => {
    const clock = new ManualClock(NOW - 4 * DAY);
    const { store, dir } = await open({}, clock);
    // A counter scraped every minute, an hour at a time, that resets every 17 hours.
    for (let h = 0; h < 4 * 24; h++) {
      const timestamps = Array.from({ length: 60 }, (_, i) => clock.now() + i * MIN + 7000);
      await store.append([
        { labels: { __name__: 'c' }, timestamps, values: timestamps.map((t) => (t / MIN) % (17 * 60)) },
      ]);
      await store.flush();
      clock.advance(HOUR);
    }
    const midnight = Math.floor(NOW / DAY) * DAY;
    expect(count(dir, 'SELECT rolled_1d FROM series')).toBeGreaterThanOrEqual(midnight);
    const [raw] = await store.select([name('c')], 0, NOW);
    for (const days of [
      [
        [midnight - 3 * DAY, midnight - 2 * DAY],
        [midnight - DAY, midnight],
      ],
      [
        [midnight - 3 * DAY, midnight - DAY],
        [midnight - DAY, midnight],
      ],
    ] as const) {
      const [got] = await store.selectRollup([name('c')], NOW - 4 * DAY, NOW, DAY, { days });
      const want = expectedDaily(raw!, NOW - 4 * DAY, NOW, days);
      expect([...got!.timestamps]).toEqual(want.timestamps);
      expect([...got!.count]).toEqual(want.count);
      expect([...got!.sum]).toEqual(want.sum);
      expect([...got!.last]).toEqual(want.last);
      expect([...got!.dropped]).toEqual(want.dropped);
    }
    await store.close();
  });

  it('refuses spans of days that are not whole UTC days inside the read, naming them', async () => {
    const { store } = await open();
    const midnight = Math.floor(NOW / DAY) * DAY;
    const read = (days: readonly (readonly [number, number])[]) =>
      store.selectRollup([name('p')], midnight - 3 * DAY - HOUR, midnight, DAY, { days });
    for (const days of [
      [[midnight - DAY + HOUR, midnight]],
      [[midnight - 4 * DAY, midnight - 3 * DAY]],
      [[midnight - DAY, midnight + DAY]],
      [
        [midnight - DAY, midnight],
        [midnight - 2 * DAY, midnight - DAY],
      ],
    ] as const)
      await expect(read(days)).rejects.toThrow(
        `days: got [${days.at(-1)![0]}, ${days.at(-1)![1]}), expected spans on midnight UTC, ascending and apart, within [${midnight - 3 * DAY}, ${midnight})`,
      );
    await store.close();
  });

  describe('retention', () => {
    it('deletes raw samples past retentionDays and keeps their hourly rollups', async () => {
      const start = NOW - 2 * DAY;
      const clock = new ManualClock(start);
      const { store, dir } = await open(
        { retentionDays: 1, rollup1mRetentionDays: 1, chunkSamples: 60 },
        clock,
      );
      const day = Array.from({ length: (2 * DAY) / MIN }, (_, i) => start + i * MIN);
      for (let i = 0; i < day.length; i += 60) {
        clock.advance(HOUR);
        await store.append([
          {
            labels: { __name__: 'kept' },
            timestamps: day.slice(i, i + 60),
            values: day.slice(i, i + 60).map((_, j) => i + j),
          },
        ]);
      }
      await store.maintain();
      expect(clock.now()).toBe(NOW);
      const [raw] = await store.select([name('kept')], 0, NOW);
      // the raw samples left start within a chunk span (2 h) of the cutoff
      expect(raw!.timestamps[0]).toBeGreaterThanOrEqual(NOW - DAY - 2 * HOUR);
      expect(raw!.timestamps[0]).toBeLessThanOrEqual(NOW - DAY);
      const [hours] = await store.selectRollup([name('kept')], start, NOW, 3_600_000);
      expect(hours!.timestamps[0]).toBe(start);
      expect(hours!.count.length).toBe(48);
      expect([...hours!.count].every((c) => c === 60)).toBe(true);
      // and the whole day in between as one bucket, from its daily block
      const [days] = await store.selectRollup([name('kept')], start, NOW, 86_400_000);
      expect([...days!.timestamps]).toEqual([
        ...hours!.timestamps.slice(0, 12),
        NOW - DAY - 12 * HOUR,
        ...hours!.timestamps.slice(36),
      ]);
      expect([...days!.count]).toEqual([...Array(12).fill(60), 1440, ...Array(12).fill(60)]);
      expect(count(dir, 'SELECT count(*) FROM rollups WHERE resolution = 86400000')).toBe(1);
      // minute rollups live as long as raw samples by default: only the raw range is left
      const [minutes] = await store.selectRollup([name('kept')], start, NOW, 60_000);
      expect(minutes!.timestamps[0]).toBe(raw!.timestamps[0]);
      const stats = await store.stats();
      expect(stats.samples).toBe(raw!.timestamps.length);
      expect(stats.oldestMs).toBe(raw!.timestamps[0]);
      await store.close();
      const db = new Database(join(dir, 'vigil.db'), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    });

    it('keeps minute rollups beyond the raw samples when they are to live longer', async () => {
      const start = NOW - 3 * DAY;
      const clock = new ManualClock(start);
      const { store } = await open({ retentionDays: 1, rollup1mRetentionDays: 7, chunkSamples: 120 }, clock);
      for (let h = 0; h < 72; h++) {
        clock.advance(HOUR);
        const timestamps = Array.from({ length: 120 }, (_, i) => start + h * HOUR + i * 30_000);
        await store.append([
          { labels: { __name__: 'm' }, timestamps, values: timestamps.map((_, i) => i % 7) },
        ]);
        await store.maintain();
      }
      const [minutes] = await store.selectRollup([name('m')], start, NOW, 60_000);
      expect(minutes!.timestamps.length).toBe(72 * 60);
      expect([...minutes!.count].every((c) => c === 2)).toBe(true);
      const [raw] = await store.select([name('m')], start, NOW);
      expect(raw!.timestamps[0]).toBeGreaterThan(NOW - DAY - 3 * HOUR);
      await store.close();
    });

    it('forgets series whose data all expired, and drops rollups past their retention', async () => {
      const clock = new ManualClock(NOW);
      const { store } = await open(
        { retentionDays: 1, rollup1mRetentionDays: 1, rollup1hRetentionDays: 2 },
        clock,
      );
      await store.append([
        { labels: { __name__: 'gone' }, timestamps: [NOW - HOUR, NOW - MIN], values: [1, 2] },
      ]);
      await store.append([{ labels: { __name__: 'stays' }, timestamps: [NOW - MIN], values: [1] }]);
      clock.advance(DAY + 3 * HOUR);
      await store.append([{ labels: { __name__: 'stays' }, timestamps: [clock.now()], values: [2] }]);
      await store.maintain();
      expect(await store.series([[name('gone')]], 0, clock.now())).toEqual([{ __name__: 'gone' }]);
      const [hours] = await store.selectRollup([name('gone')], 0, clock.now(), 3_600_000);
      expect([...hours!.count]).toEqual([2]);
      clock.advance(3 * DAY);
      await store.append([{ labels: { __name__: 'stays' }, timestamps: [clock.now()], values: [3] }]);
      await store.maintain();
      expect(await store.series([[name('gone')]], 0, clock.now())).toEqual([]);
      expect(await store.labelValues('__name__', [], 0, clock.now())).toEqual(['stays']);
      await store.close();
    });

    it('deletes the oldest data once the pages in use pass retentionBytes', async () => {
      const start = NOW - 4 * DAY;
      const clock = new ManualClock(start);
      const budget = 2 * 1024 * 1024;
      const { store, dir } = await open({ retentionBytes: budget, maintenanceIntervalMs: HOUR }, clock);
      const random = fc.sample(fc.double({ noNaN: true }), { seed: 7, numRuns: 20_000 });
      for (let h = 0; h < 96; h++) {
        const timestamps = Array.from({ length: 240 }, (_, i) => start + h * HOUR + i * 15_000);
        await store.append(
          Array.from({ length: 20 }, (_, s) => ({
            labels: { __name__: 'noise', s: String(s) },
            timestamps,
            values: timestamps.map((_, i) => random[(h * 240 + i * 7 + s * 13) % random.length]!),
          })),
        );
        clock.advance(HOUR);
      }
      await store.maintain();
      const db = new Database(join(dir, 'vigil.db'), { readonly: true });
      const used =
        (db.pragma('page_count', { simple: true }) as number) -
        (db.pragma('freelist_count', { simple: true }) as number);
      expect(used * (db.pragma('page_size', { simple: true }) as number)).toBeLessThanOrEqual(budget);
      db.close();
      const [newest] = await store.select([{ name: 's', type: '=', value: '0' }], NOW - HOUR, NOW);
      expect(newest!.timestamps.length).toBe(240);
      const [oldest] = await store.select([{ name: 's', type: '=', value: '0' }], start, start + DAY);
      expect(oldest).toBeUndefined();
      const [hours] = await store.selectRollup(
        [{ name: 's', type: '=', value: '0' }],
        start,
        start + DAY,
        3_600_000,
      );
      expect(hours!.timestamps[0]).toBe(start);
      await store.close();
      // free pages beyond 1 MiB are handed back to the file system
      expect(statSync(join(dir, 'vigil.db')).size).toBeLessThanOrEqual(budget + 2 * 1024 * 1024);
    });
  });

  it('rejects bad options with a message naming the option', async () => {
    const dir = tempDir();
    const bad: [Partial<SqliteStoreOptions>, RegExp][] = [
      [{ flushIntervalMs: 0 }, /flushIntervalMs: got 0, expected a positive finite number/],
      [{ retentionDays: -1 }, /retentionDays/],
      [{ retentionBytes: 1000 }, /retentionBytes: got 1000, expected at least 1 MiB/],
      [{ maxSeries: 1.5 }, /maxSeries: got 1.5, expected a positive integer/],
      [{ chunkSamples: 4 }, /chunkSamples/],
      [{ synchronous: 'off' as 'full' }, /synchronous: got "off"/],
    ];
    for (const [options, message] of bad) {
      const attempt = openSqliteStore({ dir, ...options });
      await expect(attempt).rejects.toBeInstanceOf(VigilError);
      await expect(attempt).rejects.toThrow(message);
    }
    await expect(openSqliteStore({ dir: '' })).rejects.toThrow(/dir: got "", expected a directory path/);
  });

  it('reports an invalid regular expression by its matcher', async () => {
    const { store } = await open();
    await expect(store.select([{ name: 'a', type: '=~', value: '(' }], 0, NOW)).rejects.toThrow(
      /matcher a=~"\(": invalid regular expression/,
    );
    await store.close();
  });
});

describe('a data directory of format 3 (before daily rollups)', () => {
  /**
   * fixtures/format-3.db.gz: what vigil of storage format 3 (main before daily rollups) wrote for `c`, a counter that resets
   * once 2 days and 5 hours before NOW, and `g`, a gauge, sampled every 5 minutes for 4 days to NOW,
   * after its upkeep: hourly rollup blocks without the dropped column, raw samples, heads.
   */
  function format3(): string {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'vigil.db'),
      gunzipSync(readFileSync(join(import.meta.dirname, 'fixtures/format-3.db.gz'))),
    );
    return dir;
  }

  it('opens in place, reads days from its hours until they are folded, then from daily blocks', async () => {
    const dir = format3();
    const clock = new ManualClock(NOW);
    const { store } = await open({ dir }, clock);
    expect(count(dir, "SELECT value FROM meta WHERE key = 'schema'")).toBe(4);
    const [raw] = await store.select([name('c')], 0, NOW);
    const want = expectedDaily(raw!, 0, NOW);
    const same = (got: RollupData | undefined) => {
      expect([...got!.timestamps]).toEqual(want.timestamps);
      expect([...got!.count]).toEqual(want.count);
      expect([...got!.sum]).toEqual(want.sum);
      expect([...got!.min]).toEqual(want.min);
      expect([...got!.max]).toEqual(want.max);
      expect([...got!.last]).toEqual(want.last);
    };
    const rise = () => {
      let total = 0;
      for (let i = 1; i < raw!.values.length; i++) {
        const [a, b] = [raw!.values[i - 1]!, raw!.values[i]!];
        if (raw!.timestamps[i]! > NOW - 3 * DAY) total += b >= a ? b - a : b;
      }
      return total;
    };
    const increase = async () => {
      const engine = new PromqlEngine({ store: new RollupSamples(store, 'last') });
      const [sample] = await queryVector(engine, 'increase(c[3d])', NOW);
      return sample!.value;
    };
    // Before: days folded from the format-3 hours, whose resets are estimated (no dropped column).
    expect(count(dir, 'SELECT count(*) FROM rollups WHERE resolution = 86400000')).toBe(0);
    same((await store.selectRollup([name('c')], 0, NOW, DAY))[0]);
    expect(Math.abs((await increase()) - rise())).toBeLessThan(1e-6 * rise());
    // The next write folds each series' days from its hourly blocks.
    await store.append([
      { labels: { __name__: 'c' }, timestamps: [NOW + HOUR], values: [raw!.values.at(-1)! + 1] },
    ]);
    await store.flush();
    expect(count(dir, 'SELECT count(*) FROM rollups WHERE resolution = 86400000')).toBeGreaterThan(0);
    // Every day before today's is in daily blocks.
    expect(count(dir, 'SELECT rolled_1d FROM series WHERE labels = \'{"__name__":"c"}\'')).toBe(
      Math.floor(NOW / DAY) * DAY,
    );
    same((await store.selectRollup([name('c')], 0, NOW, DAY))[0]);
    expect(Math.abs((await increase()) - rise())).toBeLessThan(1e-6 * rise());
    await store.close();
  });
});
