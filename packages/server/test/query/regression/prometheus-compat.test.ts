import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { PromqlEngine } from '../../../src/query/promql-engine.js';
import type { SeriesSamples, SeriesStore } from '../../../src/store/series-store.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';

/** Disagreements with Prometheus 2.42 that test/interop/promql-compat.test.ts found, one per symptom. */
const T0 = Date.UTC(2026, 0, 10, 12);
const stores: SeriesStore[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function engineWith(series: SeriesSamples[]): Promise<PromqlEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-promql-regression-'));
  dirs.push(dir);
  const store = await openSqliteStore({ dir, clock: new ManualClock(T0 + 3_600_000) });
  stores.push(store);
  await store.append(series);
  return new PromqlEngine({ store });
}

describe('regressions found against Prometheus 2.42', () => {
  it('sum_over_time over a window holding +Inf answered NaN instead of +Inf', async () => {
    const engine = await engineWith([
      {
        labels: { __name__: 'g', kind: 'inf' },
        timestamps: [T0, T0 + 15_000, T0 + 30_000],
        values: Float64Array.of(1, Infinity, 2),
      },
      {
        labels: { __name__: 'g', kind: 'neginf' },
        timestamps: [T0, T0 + 15_000],
        values: Float64Array.of(-Infinity, 0.5),
      },
    ]);
    const data = await engine.instantQuery('sum_over_time(g[1m])', T0 + 30_000);
    expect(data).toEqual({
      resultType: 'vector',
      timeMs: T0 + 30_000,
      result: [
        { metric: { kind: 'inf' }, value: Infinity },
        { metric: { kind: 'neginf' }, value: -Infinity },
      ],
    });
  });

  it('atan2 dropped the metric name, which Prometheus keeps', async () => {
    const engine = await engineWith([
      { labels: { __name__: 'g', a: '1' }, timestamps: [T0], values: Float64Array.of(10) },
    ]);
    const scalar = await engine.instantQuery('g atan2 10', T0);
    expect(scalar).toEqual({
      resultType: 'vector',
      timeMs: T0,
      result: [{ metric: { __name__: 'g', a: '1' }, value: Math.PI / 4 }],
    });
    const vector = await engine.instantQuery('g atan2 g', T0);
    expect(vector.resultType === 'vector' && vector.result[0]?.metric).toEqual({ __name__: 'g', a: '1' });
  });
});

describe('negative zero', () => {
  it('count_values made the label value "0" of -0, where Prometheus writes "-0"', async () => {
    const engine = await engineWith([
      { labels: { __name__: 'g', k: 'a' }, timestamps: [T0], values: Float64Array.of(-0) },
      { labels: { __name__: 'g', k: 'b' }, timestamps: [T0], values: Float64Array.of(0) },
    ]);
    const data = await engine.instantQuery('count_values("v", g)', T0);
    expect(data.resultType === 'vector' && data.result.map((r) => r.metric.v).sort()).toEqual(['-0', '0']);
    expect(await engine.instantQuery('g{k="a"}', T0)).toMatchObject({
      result: [{ value: -0 }],
    });
  });
});
