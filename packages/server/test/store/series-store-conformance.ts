import { describe, expect, it } from 'vitest';
import {
  isStaleNaN,
  type LabelMatcher,
  type SeriesLabels,
  type SeriesStore,
  staleNaN,
} from '../../src/store/series-store.js';
import { StoreLimitError } from '../../src/store/store-limit-error.js';

/** A store under test, empty, whose clock reads `now`; samples up to a day before `now` are kept. */
export interface StoreUnderTest {
  readonly store: SeriesStore;
  readonly now: number;
  /**
   * Resolves once everything appended so far can be read back: a remote store's queue has reached the
   * remote. The embedded store reads its own writes at once and has none.
   */
  settle?(): Promise<void>;
  close(): Promise<void>;
}

const MIN = 60_000;
const HOUR = 3_600_000;

/** Label sets in one fixed order, so that a store may return them in any. */
function sorted(list: readonly SeriesLabels[]): SeriesLabels[] {
  const key = (l: SeriesLabels) => JSON.stringify(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1)));
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function bits(values: Float64Array): bigint[] {
  return [...new BigUint64Array(values.buffer, values.byteOffset, values.length)];
}

function floats(...patterns: bigint[]): Float64Array {
  return new Float64Array(new BigUint64Array(patterns).buffer);
}

const eq = (name: string, value: string): LabelMatcher => ({ name, type: '=', value });
const ne = (name: string, value: string): LabelMatcher => ({ name, type: '!=', value });
const re = (name: string, value: string): LabelMatcher => ({ name, type: '=~', value });
const nre = (name: string, value: string): LabelMatcher => ({ name, type: '!~', value });

/**
 * What a store cannot do by its nature, each part of the contract then checked as far as it can be:
 * - `nan-payloads`: read over the Prometheus API's JSON, a NaN is the text "NaN", so payloads are lost,
 *   and staleness markers are not returned (Prometheus leaves them out of range selections);
 * - `resent-duplicates`: a write is acknowledged once queued, before the remote sees it, so a sample
 *   sent again in a later batch is stored once but not counted as a duplicate;
 * - `stats`: it counts only what it holds itself (a remote's queue), not the series stored.
 */
export type StoreLimitation = 'nan-payloads' | 'resent-duplicates' | 'stats';

/** The store, whose `append` resolves only once the samples can be read back (see `settle`). */
function readingOwnWrites(t: StoreUnderTest): SeriesStore {
  const { store, settle } = t;
  if (!settle) return store;
  return new Proxy(store, {
    get(target, key) {
      if (key === 'append')
        return async (batch: Parameters<SeriesStore['append']>[0]) => {
          const result = await target.append(batch);
          await settle();
          return result;
        };
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * What every SeriesStore must do, whatever it runs on: the embedded SQLite store and the remote store
 * (tests of each call this). `open` gives a fresh, empty store each time; `cannot` names what the
 * store cannot do by its nature.
 */
export function describeSeriesStore(
  name: string,
  open: () => Promise<StoreUnderTest>,
  cannot: readonly StoreLimitation[] = [],
): void {
  const keepsNanPayloads = !cannot.includes('nan-payloads');
  describe(`SeriesStore conformance: ${name}`, () => {
    async function withStore(fn: (t: StoreUnderTest) => Promise<void>): Promise<void> {
      const t = await open();
      try {
        await fn({ ...t, store: readingOwnWrites(t) });
      } finally {
        await t.close();
      }
    }

    it('returns appended samples in time order, labels as given, values bit for bit', () =>
      withStore(async ({ store, now }) => {
        const labels = { __name__: 'temp_celsius', room: 'kitchen' };
        const t0 = now - HOUR;
        const patterns = [
          0x4035000000000000n, // 21
          0x7ff0000000000002n, // staleness marker
          0x7ff8000000000000n, // NaN
          0xfff8000000000123n, // NaN with sign and payload
          0x7ff0000000000000n, // +Inf
          0xfff0000000000000n, // -Inf
          0x8000000000000000n, // -0
          0x3fb999999999999an, // 0.1
        ];
        const result = await store.append([
          { labels, timestamps: patterns.map((_, i) => t0 + i * 15_000), values: floats(...patterns) },
        ]);
        expect(result).toEqual({ accepted: patterns.length, rejected: {} });
        const [series, ...rest] = await store.select([eq('__name__', 'temp_celsius')], t0, now);
        expect(rest).toEqual([]);
        expect(series!.labels).toEqual(labels);
        if (keepsNanPayloads) {
          expect([...series!.timestamps]).toEqual(patterns.map((_, i) => t0 + i * 15_000));
          expect(bits(series!.values)).toEqual(patterns);
          expect(isStaleNaN(series!.values[1]!)).toBe(true);
          expect(isStaleNaN(series!.values[2]!)).toBe(false);
        } else {
          // Every sample but the staleness marker, NaNs as NaN, everything else bit for bit.
          const kept = patterns.map((p, i) => [p, i] as const).filter(([p]) => p !== 0x7ff0000000000002n);
          expect([...series!.timestamps]).toEqual(kept.map(([, i]) => t0 + i * 15_000));
          const values = [...series!.values];
          expect(values.map(Number.isNaN)).toEqual(kept.map(([p]) => Number.isNaN(floats(p)[0]!)));
          expect(bits(Float64Array.from(values.filter((v) => !Number.isNaN(v))))).toEqual(
            kept.map(([p]) => p).filter((p) => !Number.isNaN(floats(p)[0]!)),
          );
        }
      }));

    it('sorts a batch given out of order and keeps the first of two samples at one time', () =>
      withStore(async ({ store, now }) => {
        const labels = { __name__: 'jobs_total' };
        const t = now - 10 * MIN;
        const result = await store.append([
          { labels, timestamps: [t + 2, t, t + 1, t + 1, t + 3, t + 3], values: [3, 1, 2, 2, 4, 99] },
        ]);
        expect(result.accepted).toBe(4);
        expect(result.rejected).toEqual({ duplicate: 2 });
        const [series] = await store.select([eq('__name__', 'jobs_total')], t, t + 3);
        expect([...series!.timestamps]).toEqual([t, t + 1, t + 2, t + 3]);
        expect([...series!.values]).toEqual([1, 2, 3, 4]);
      }));

    it('counts a resent sample as a duplicate and stores it once', () =>
      withStore(async ({ store, now }) => {
        const labels = { __name__: 'up', job: 'api' };
        const batch = [{ labels, timestamps: [now - MIN], values: [1] }];
        expect(await store.append(batch)).toEqual({ accepted: 1, rejected: {} });
        const again = await store.append(batch);
        if (!cannot.includes('resent-duplicates'))
          expect(again).toEqual({ accepted: 0, rejected: { duplicate: 1 } });
        const [series] = await store.select([eq('job', 'api')], now - HOUR, now);
        expect(series!.timestamps.length).toBe(1);
      }));

    it('keeps counter resets as raw values', () =>
      withStore(async ({ store, now }) => {
        const values = [10, 20, 30, 2, 5, 0, 7];
        const t0 = now - HOUR;
        await store.append([
          {
            labels: { __name__: 'requests_total' },
            timestamps: values.map((_, i) => t0 + i * 15_000),
            values,
          },
        ]);
        const [series] = await store.select([eq('__name__', 'requests_total')], t0, now);
        expect([...series!.values]).toEqual(values);
      }));

    it('refuses label sets it cannot store and counts them as invalid', () =>
      withStore(async ({ store, now }) => {
        const result = await store.append([
          { labels: {}, timestamps: [now], values: [1] },
          { labels: { __name__: '' }, timestamps: [now], values: [1] },
          { labels: { __name__: 'x' }, timestamps: [now - 1, now], values: [1] },
          { labels: { __name__: 'y' }, timestamps: [Number.NaN, 1.5], values: [1, 2] },
        ]);
        expect(result.accepted).toBe(1);
        expect(result.rejected).toEqual({ invalid: 5 });
      }));

    it('treats an empty label value as no label at all', () =>
      withStore(async ({ store, now }) => {
        await store.append([
          { labels: { __name__: 'm', env: '' }, timestamps: [now - 2 * MIN], values: [1] },
          { labels: { __name__: 'm' }, timestamps: [now - MIN], values: [2] },
        ]);
        const all = await store.select([eq('__name__', 'm')], now - HOUR, now);
        expect(all.map((s) => s.labels)).toEqual([{ __name__: 'm' }]);
        expect([...all[0]!.values]).toEqual([1, 2]);
      }));

    describe('matchers', () => {
      const fleet: SeriesLabels[] = [
        { __name__: 'http_requests_total', job: 'api', code: '200', path: '/a' },
        { __name__: 'http_requests_total', job: 'api', code: '500', path: '/a' },
        { __name__: 'http_requests_total', job: 'web', code: '200' },
        { __name__: 'http_requests_total', job: 'web', code: '404', path: 'line\nbreak' },
        { __name__: 'process_cpu_seconds_total', job: 'api' },
      ];
      async function match(
        store: SeriesStore,
        now: number,
        matchers: LabelMatcher[],
      ): Promise<SeriesLabels[]> {
        return sorted((await store.select(matchers, now - HOUR, now)).map((s) => s.labels));
      }
      const load = async (store: SeriesStore, now: number) => {
        await store.append(fleet.map((labels, i) => ({ labels, timestamps: [now - MIN], values: [i] })));
      };

      it('match =, !=, =~ and !~, regular expressions anchored at both ends', () =>
        withStore(async ({ store, now }) => {
          await load(store, now);
          const name = eq('__name__', 'http_requests_total');
          expect(await match(store, now, [name, eq('code', '200')])).toEqual(sorted([fleet[0]!, fleet[2]!]));
          expect(await match(store, now, [name, ne('code', '200')])).toEqual(sorted([fleet[1]!, fleet[3]!]));
          expect(await match(store, now, [name, re('code', '2..|404')])).toEqual(
            sorted([fleet[0]!, fleet[2]!, fleet[3]!]),
          );
          expect(await match(store, now, [name, re('code', '0')])).toEqual([]);
          expect(await match(store, now, [name, nre('code', '[45]..')])).toEqual(
            sorted([fleet[0]!, fleet[2]!]),
          );
          expect(await match(store, now, [re('__name__', 'http_.*'), eq('job', 'web')])).toEqual(
            sorted([fleet[2]!, fleet[3]!]),
          );
          expect(await match(store, now, [name, re('path', 'line.break')])).toEqual(sorted([fleet[3]!]));
          expect(await match(store, now, [re('job', 'api|web'), re('__name__', 'process.*')])).toEqual(
            sorted([fleet[4]!]),
          );
        }));

      it('let an empty value match series without the label, as Prometheus does', () =>
        withStore(async ({ store, now }) => {
          await load(store, now);
          const name = eq('__name__', 'http_requests_total');
          expect(await match(store, now, [name, eq('path', '')])).toEqual(sorted([fleet[2]!]));
          expect(await match(store, now, [name, ne('path', '')])).toEqual(
            sorted([fleet[0]!, fleet[1]!, fleet[3]!]),
          );
          expect(await match(store, now, [name, re('path', '/a|')])).toEqual(
            sorted([fleet[0]!, fleet[1]!, fleet[2]!]),
          );
          expect(await match(store, now, [name, nre('path', '.+')])).toEqual(sorted([fleet[2]!]));
          expect(await match(store, now, [eq('job', 'api'), eq('nothere', '')])).toEqual(
            sorted([fleet[0]!, fleet[1]!, fleet[4]!]),
          );
        }));

      it('answer series, label names and label values for any of several matcher lists', () =>
        withStore(async ({ store, now }) => {
          await load(store, now);
          const from = now - HOUR;
          expect(sorted(await store.series([[eq('job', 'web')], [eq('code', '500')]], from, now))).toEqual(
            sorted([fleet[1]!, fleet[2]!, fleet[3]!]),
          );
          expect(await store.labelNames([], from, now)).toEqual(['__name__', 'code', 'job', 'path']);
          expect(await store.labelNames([[eq('__name__', 'process_cpu_seconds_total')]], from, now)).toEqual([
            '__name__',
            'job',
          ]);
          expect(await store.labelValues('code', [], from, now)).toEqual(['200', '404', '500']);
          expect(await store.labelValues('path', [[eq('job', 'api')]], from, now)).toEqual(['/a']);
          expect(await store.labelValues('job', [], now - 3 * HOUR, now - 2 * HOUR)).toEqual([]);
        }));
    });

    it('selects by time range, ends included', () =>
      withStore(async ({ store, now }) => {
        const t0 = now - HOUR;
        const timestamps = Array.from({ length: 10 }, (_, i) => t0 + i * MIN);
        await store.append([{ labels: { __name__: 'g' }, timestamps, values: timestamps.map((_, i) => i) }]);
        const [series] = await store.select([eq('__name__', 'g')], t0 + 2 * MIN, t0 + 5 * MIN);
        expect([...series!.values]).toEqual([2, 3, 4, 5]);
        expect(await store.select([eq('__name__', 'g')], t0 - 2 * MIN, t0 - MIN)).toEqual([]);
        expect(await store.series([[eq('__name__', 'g')]], t0 + 20 * MIN, now)).toEqual([]);
      }));

    it('scans the samples select returns, series by series, values bit for bit', () =>
      withStore(async ({ store, now }) => {
        const t0 = now - HOUR;
        const timestamps = Array.from({ length: 1000 }, (_, i) => t0 + i * 1_000);
        const values = new Float64Array(timestamps.map((_, i) => Math.sin(i) * 100));
        values[500] = staleNaN();
        await store.append([{ labels: { __name__: 's', i: '1' }, timestamps, values }]);
        await store.flush();
        await store.append([
          { labels: { __name__: 's', i: '1' }, timestamps: [t0 + 1_000_000], values: [7] },
          { labels: { __name__: 's', i: '2' }, timestamps: [t0 + 5_000, t0 + 6_000], values: [1, 2] },
        ]);
        const m = [eq('__name__', 's')];
        const from = t0 + 3_000;
        const to = t0 + 1_000_000;
        const scanned: { labels: SeriesLabels; timestamps: number[]; values: Float64Array }[] = [];
        const runs: number[] = [];
        await store.scan(m, from, to, {
          series: (labels) => scanned.push({ labels, timestamps: [], values: new Float64Array(0) }),
          samples: (ts, vs, n) => {
            const s = scanned.at(-1)!;
            s.timestamps.push(...ts.subarray(0, n));
            s.values = Float64Array.of(...s.values, ...vs.subarray(0, n));
            runs.push(n);
          },
        });
        const selected = await store.select(m, from, to);
        expect(sorted(scanned.map((s) => s.labels))).toEqual(sorted(selected.map((s) => s.labels)));
        for (const s of selected) {
          const twin = scanned.find((x) => x.labels.i === s.labels.i)!;
          expect(twin.timestamps).toEqual([...s.timestamps]);
          expect(bits(twin.values)).toEqual(bits(s.values));
        }
        const first = scanned.find((x) => x.labels.i === '1')!;
        if (keepsNanPayloads) {
          expect(first.timestamps).toHaveLength(998);
          expect(isStaleNaN(first.values[497]!)).toBe(true);
        } else {
          expect(first.timestamps).toHaveLength(997);
          expect(first.timestamps).not.toContain(t0 + 500_000);
        }
        expect(runs.every((n) => n > 0)).toBe(true);
        await expect(
          store.scan(m, from, to, { series() {}, samples() {} }, { maxSamples: 900 }),
        ).rejects.toMatchObject({ code: 'VIGIL_STORE_LIMIT', limit: 'maxSamples' });
      }));

    it('rolls samples up per minute and per hour, skipping staleness markers', () =>
      withStore(async ({ store, now }) => {
        const hour = Math.floor((now - 3 * HOUR) / HOUR) * HOUR;
        const timestamps = [
          hour + 1_000,
          hour + 20_000,
          hour + 40_000,
          hour + MIN + 5_000,
          hour + MIN + 6_000,
        ];
        const values = new Float64Array([5, 1, 3, 7, 0]);
        values[4] = staleNaN();
        await store.append([{ labels: { __name__: 'r' }, timestamps, values }]);
        const [minutes] = await store.selectRollup([eq('__name__', 'r')], hour, hour + HOUR, 60_000);
        expect([...minutes!.timestamps]).toEqual([hour, hour + MIN]);
        expect([...minutes!.count]).toEqual([3, 1]);
        expect([...minutes!.sum]).toEqual([9, 7]);
        expect([...minutes!.min]).toEqual([1, 7]);
        expect([...minutes!.max]).toEqual([5, 7]);
        expect([...minutes!.last]).toEqual([3, 7]);
        const [hours] = await store.selectRollup([eq('__name__', 'r')], hour, hour + HOUR, 3_600_000);
        expect([...hours!.timestamps]).toEqual([hour]);
        expect([...hours!.count]).toEqual([4]);
        expect([...hours!.sum]).toEqual([16]);
        expect([...hours!.last]).toEqual([7]);
      }));

    it('throws a StoreLimitError past maxSeries or maxSamples', () =>
      withStore(async ({ store, now }) => {
        await store.append(
          [0, 1, 2].map((i) => ({
            labels: { __name__: 'lim', i: String(i) },
            timestamps: [now - 2, now - 1],
            values: [1, 2],
          })),
        );
        const m = [eq('__name__', 'lim')];
        await expect(store.select(m, now - HOUR, now, { maxSeries: 2 })).rejects.toBeInstanceOf(
          StoreLimitError,
        );
        await expect(store.select(m, now - HOUR, now, { maxSamples: 5 })).rejects.toMatchObject({
          code: 'VIGIL_STORE_LIMIT',
          limit: 'maxSamples',
        });
        expect(await store.select(m, now - HOUR, now, { maxSeries: 3, maxSamples: 6 })).toHaveLength(3);
        await expect(store.selectRollup(m, now - HOUR, now, 60_000, { maxSeries: 1 })).rejects.toBeInstanceOf(
          StoreLimitError,
        );
      }));

    it.skipIf(cannot.includes('stats'))('counts series and samples, and flushes on request', () =>
      withStore(async ({ store, now }) => {
        await store.append([
          { labels: { __name__: 'a' }, timestamps: [now - 2000, now - 1000], values: [1, 2] },
          { labels: { __name__: 'b' }, timestamps: [now - 1500], values: [1] },
        ]);
        await store.flush();
        const stats = await store.stats();
        expect(stats).toMatchObject({ series: 2, samples: 3, oldestMs: now - 2000, newestMs: now - 1000 });
        expect(stats.bytes).toBeGreaterThan(0);
      }),
    );
  });
}
