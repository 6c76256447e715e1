import { describe, expect, it } from 'vitest';
import { type SeriesSamples, staleNaN } from '../../src/store/series-store.js';
import { engineOverStore } from './engine-over-store.js';

/**
 * The series-wise path (`sum by (job) (rate(x[5m]))` folded series by series) must answer exactly
 * what the step-wise path answers: `* 1` keeps every value and forces the step-wise path.
 */
const T0 = Date.UTC(2026, 0, 10, 12);

const promql = engineOverStore({
  now: T0 + 7_200_000,
  fill: async (store) => {
    const series: SeriesSamples[] = [];
    let seed = 3;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let s = 0; s < 40; s++) {
      const timestamps: number[] = [];
      const values = new Float64Array(200);
      let v = 0;
      for (let i = 0; i < 200; i++) {
        timestamps.push(T0 + i * 15_000 + s * 97);
        // Series 7 resets, series 9 starts late, some values are NaN or infinite, series 13 has
        // staleness markers (one right after a reset, so drops are counted over the samples kept).
        v = (s === 7 || s === 13) && i === 100 ? 0 : v + Math.floor(random() * 50);
        values[i] =
          s === 11 && i % 17 === 0
            ? Number.NaN
            : s === 12 && i === 50
              ? Infinity
              : s === 13 && (i % 40 === 30 || i === 101)
                ? staleNaN()
                : v;
      }
      series.push({
        labels: { __name__: 'x', job: `j${s % 4}`, instance: `i${s}` },
        timestamps: s === 9 ? timestamps.slice(120) : timestamps,
        values: s === 9 ? values.slice(120) : values,
      });
    }
    series.push({
      labels: { __name__: 'y', job: 'j0', instance: 'i0' },
      timestamps: [T0],
      values: Float64Array.of(1),
    });
    await store.append(series);
  },
});

describe('series-wise aggregation of range functions', () => {
  for (const [agg, fn] of [
    ['sum by (job)', 'rate'],
    ['avg without (instance)', 'increase'],
    ['min', 'deriv'],
    ['max by (instance)', 'irate'],
    ['count by (job)', 'changes'],
    ['group by (job)', 'delta'],
    ['sum', 'avg_over_time'],
  ] as const) {
    it(`${agg} (${fn}(x[5m])) equals the step-wise answer, instant and range`, async () => {
      const fused = `${agg} (${fn}(x[5m]))`;
      const stepWise = `${agg} (${fn}(x[5m]) * 1)`;
      const range = [T0, T0 + 3_000_000, 30_000] as const;
      expect(await promql.engine.rangeQuery(fused, ...range)).toEqual(
        await promql.engine.rangeQuery(stepWise, ...range),
      );
      expect(await promql.engine.instantQuery(fused, T0 + 1_500_000)).toEqual(
        await promql.engine.instantQuery(stepWise, T0 + 1_500_000),
      );
    });
  }

  it('still refuses two series that collide once the name is dropped', async () => {
    await expect(
      promql.engine.instantQuery('sum(avg_over_time({__name__=~"x|y", instance="i0"}[5m]))', T0),
    ).rejects.toThrow('vector cannot contain metrics with the same labelset');
    // The same series, but never both inside one window: no error, as in Prometheus.
    const later = await promql.engine.instantQuery(
      'sum(avg_over_time({__name__=~"x|y", instance="i0"}[5m]))',
      T0 + 1_000_000,
    );
    expect(later.resultType).toBe('vector');
  });
});
