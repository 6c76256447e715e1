import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { percentileQuery } from '../../src/query/percentile-query.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import type { NativeHistogram } from '../../src/store/native-histogram.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const T0 = Date.UTC(2026, 0, 10, 12);
const stores: SqliteStore[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** k·10 observations in (1, 2] at scrape k (schema 0, bucket 1). */
function native(k: number): NativeHistogram {
  return {
    kind: 'int',
    schema: 0,
    zeroThreshold: 0,
    zeroCount: 0,
    count: 10 * k,
    sum: 15 * k,
    positiveSpans: [{ offset: 1, length: 1 }],
    positiveDeltas: [10 * k],
    negativeSpans: [],
    negativeDeltas: [],
    counterResetHint: 'unknown',
  };
}

/** Native histograms for the ops in `withNative`; those in `idle` saw no observation in the window. */
async function engine(withNative: string[], idle: string[] = []): Promise<PromqlEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-percentile-'));
  dirs.push(dir);
  const store = await openSqliteStore({ dir, clock: new ManualClock(T0 + 600_000) });
  stores.push(store);
  const times = [0, 1, 2, 3, 4].map((k) => T0 + k * 15_000);
  for (const op of ['a', 'b']) {
    // Classic buckets put every observation in (1, 4]: a median of 2.5 by linear interpolation.
    for (const [le, per] of [
      ['1', 0],
      ['4', 10],
      ['+Inf', 10],
    ] as const)
      await store.append([
        {
          labels: { __name__: 'lat_seconds_bucket', op, le },
          timestamps: times,
          values: times.map((_, k) => per * k),
        },
      ]);
    if (withNative.includes(op))
      await store.appendHistograms([
        {
          labels: { __name__: 'lat_seconds', op },
          timestamps: times,
          histograms: times.map((_, k) => native(idle.includes(op) ? 1 : k)),
        },
      ]);
  }
  return new PromqlEngine({ store });
}

describe('percentileQuery', () => {
  it('reads the native histogram of a group that has one, the classic buckets of one that has not', async () => {
    const expr = percentileQuery(0.5, 'lat_seconds', '1m', { by: ['op'] });
    expect(expr).toBe(
      '(histogram_quantile(0.5, sum by (op) (rate(lat_seconds[1m]))) >= -Inf) or histogram_quantile(0.5, sum by (le, op) (rate(lat_seconds_bucket[1m])))',
    );
    const result = await (await engine(['a'])).instantQuery(expr, T0 + 60_000);
    if (result.resultType !== 'vector') throw new Error(result.resultType);
    const byOp = Object.fromEntries(result.result.map((s) => [s.metric.op, s.value]));
    expect(byOp).toEqual({ a: Math.SQRT2, b: 2.5 });
  });

  it('answers from the classic buckets where the native histogram has no observation in the window', async () => {
    // A native series that began within the window (a scrape of a new process, a backfill of classic
    // series only) has no rate yet: its NaN hid the classic answer, and /api/metrics showed null.
    const expr = percentileQuery(0.5, 'lat_seconds', '1m', { by: ['op'] });
    const result = await (await engine(['a', 'b'], ['b'])).instantQuery(expr, T0 + 60_000);
    if (result.resultType !== 'vector') throw new Error(result.resultType);
    const byOp = Object.fromEntries(result.result.map((s) => [s.metric.op, s.value]));
    expect(byOp).toEqual({ a: Math.SQRT2, b: 2.5 });
  });

  it('folds the native histograms series by series: answered where holding them all is refused', async () => {
    // What the dashboards, /api/metrics, vigil top and the reports ask: 20 series of 400 buckets,
    // 40 scrapes each, weigh 20 x 40 x 201 = 160,800 samples held at once; one series, 8,040.
    const dir = mkdtempSync(join(tmpdir(), 'vigil-percentile-'));
    dirs.push(dir);
    const store = await openSqliteStore({ dir, clock: new ManualClock(T0 + 600_000) });
    stores.push(store);
    const times = Array.from({ length: 40 }, (_, i) => T0 + i * 15_000);
    await store.appendHistograms(
      Array.from({ length: 20 }, (_, s) => ({
        labels: { __name__: 'wide_seconds', op: `o${s % 4}`, instance: `i${s}` },
        timestamps: times,
        histograms: times.map((_, k) => ({
          ...native(k),
          count: 400 * k,
          positiveSpans: [{ offset: -200, length: 400 }],
          positiveDeltas: Array.from({ length: 400 }, (_, b) => (b === 0 ? k : 0)),
        })),
      })),
    );
    const limited = new PromqlEngine({ store, maxSamples: 50_000 });
    const end = times.at(-1)!;
    for (const by of [[], ['op']]) {
      const expr = percentileQuery(0.99, 'wide_seconds', '5m', { by });
      const answered = await limited.rangeQuery(expr, T0 + 300_000, end, 15_000);
      expect(answered.result, expr).toHaveLength(by.length === 0 ? 1 : 4);
      const held = expr.replace('[5m])', '[5m]) * 1');
      await expect(limited.rangeQuery(held, T0 + 300_000, end, 15_000), held).rejects.toMatchObject({
        code: 'VIGIL_QUERY_TOO_MANY_SAMPLES',
      });
    }
  });

  it('writes matchers into both selectors and leaves out an empty grouping', () => {
    expect(percentileQuery(0.99, 'x', '5m', { matchers: 'job="api"' })).toBe(
      '(histogram_quantile(0.99, sum(rate(x{job="api"}[5m]))) >= -Inf) or histogram_quantile(0.99, sum by (le) (rate(x_bucket{job="api"}[5m])))',
    );
  });
});
