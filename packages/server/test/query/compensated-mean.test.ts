import { describe, expect, it } from 'vitest';
import { KahanSum } from '../../src/query/kahan-sum.js';
import { engineOverStore } from './engine-over-store.js';

/**
 * Prometheus 3's `avg` and `avg_over_time` (promql/engine.go's aggregation, promql/functions.go's
 * funcAvgOverTime): a compensated (Neumaier) sum divided by the count, turning into a compensated
 * incremental mean from the value that would overflow the sum. The expected values are worked out
 * by hand from that definition; where Prometheus 2.42's uncompensated incremental mean answers
 * differently, its answer is in the comment.
 */
const T0 = Date.UTC(2026, 0, 10, 12);
const S = 1000;
const BIG = 9.988465674311579e307;

/** Series `name` with one label per value, every value at T0 (for `avg`). */
function across(name: string, values: number[]) {
  return values.map((v, i) => ({
    labels: { __name__: name, point: String.fromCharCode(97 + i) },
    timestamps: [T0],
    values: [v],
  }));
}

/** One series `name` holding `values` `stepS` seconds apart from T0 (for the `_over_time` functions). */
function along(name: string, values: number[], stepS = 10) {
  return { labels: { __name__: name }, timestamps: values.map((_, i) => T0 + i * stepS * S), values };
}

const promql = engineOverStore({
  now: T0 + 3_600_000,
  fill: async (store) => {
    await store.append([
      ...across('cancel', [1e100, 1, -1e100]),
      ...across('big', [BIG, BIG, BIG, BIG]),
      ...across('bigzero', [-BIG, -BIG, BIG, BIG]),
      ...across('inf_first', [Infinity, 2]),
      ...across('inf_last', [2, Infinity]),
      ...across('neg_inf', [2, -Infinity, 3]),
      ...across('inf_inf', [Infinity, -Infinity]),
      ...across('has_nan', [2, Number.NaN, 3]),
      ...across('tenths', [0.1, 0.2, 0.3]),
      // The avg cases of Prometheus's promqltest aggregators.test, with its expected answers.
      ...across('ten', [8, 10, 12]),
      ...across('pos_inf', [0, Infinity, 0, Infinity]),
      ...across('minus_inf', [-Infinity, -Infinity, 0]),
      ...across('inf2', [Infinity, 0, Infinity]),
      ...across('minus_inf2', [-Infinity, 0, -Infinity]),
      ...across('both_inf', [-Infinity, 0, Infinity]),
      ...across('minus_big', [-BIG, -BIG, -BIG, -BIG]),
      ...across('lone_inf', [Infinity]),
      ...across('lone_nan', [Number.NaN]),
      along('lone_inf_t', [Infinity]),
      along('cancel_t', [1e100, 1, -1e100]),
      along('big_t', [BIG, BIG, -BIG, 3]),
      along('inf_t', [1, Infinity, 2]),
      along('inf_inf_t', [1, Infinity, -Infinity]),
      along('sum_inf_t', [1, Infinity, 2]),
      along('overflow_t', [1e308, 1e308]),
      along('deriv_t', [1e308, 1e308, -1e308], 1),
    ]);
  },
});

// Every sample is inside the 1-minute ranges: they are left-open, (at - 1m, at].
const at = T0 + 50 * S;

async function value(query: string): Promise<number> {
  const result = await promql.engine.instantQuery(query, at);
  if (result.resultType !== 'vector') throw new Error(`expected a vector, got ${result.resultType}`);
  expect(result.result).toHaveLength(1);
  return result.result[0]!.value;
}

describe('avg as Prometheus 3 computes it', () => {
  it('compensates the sum: large values that cancel leave the small ones', async () => {
    // Kahan: sum 1e100 then 0, compensation 1; the mean is 0/3 + 1/3. 2.42 said 0.
    expect(await value('avg(cancel)')).toBe(1 / 3);
    // The same through the series-wise path (an aggregation of a range function of a selector).
    expect(await value('avg(last_over_time(cancel[1m]))')).toBe(1 / 3);
    // Exactly 0.2: the compensation carries what 0.1 + 0.2 rounded away (a plain sum divided by
    // the count says 0.20000000000000004).
    expect(await value('avg(tenths)')).toBe(0.2);
    expect(await value('avg(last_over_time(tenths[1m]))')).toBe(0.2);
  });

  it('turns to the incremental mean when the sum would overflow', async () => {
    // BIG + BIG overflows: from the second value on, mean = (n-1)/n · mean + v/n.
    expect(await value('avg(big)')).toBeCloseTo(BIG, -300);
    expect((await value('avg(big)')) / BIG).toBeCloseTo(1, 12);
    // -BIG, -BIG overflows; then -BIG, -BIG/3, 0.
    expect(await value('avg(bigzero)')).toBe(0);
    expect(await value('avg(last_over_time(bigzero[1m]))')).toBe(0);
  });

  it('keeps infinities, and NaN where they meet', async () => {
    expect(await value('avg(inf_first)')).toBe(Infinity);
    expect(await value('avg(inf_last)')).toBe(Infinity);
    expect(await value('avg(neg_inf)')).toBe(-Infinity);
    expect(await value('avg(inf_inf)')).toBeNaN();
    expect(await value('avg(has_nan)')).toBeNaN();
    expect(await value('avg(last_over_time(inf_first[1m]))')).toBe(Infinity);
    expect(await value('avg(last_over_time(neg_inf[1m]))')).toBe(-Infinity);
    expect(await value('avg(last_over_time(inf_inf[1m]))')).toBeNaN();
  });

  it("answers the avg cases of Prometheus's aggregators.test as it expects", async () => {
    expect(await value('avg(ten)')).toBe(10);
    expect(await value('avg(pos_inf)')).toBe(Infinity);
    expect(await value('avg(inf2)')).toBe(Infinity);
    expect(await value('avg(minus_inf)')).toBe(-Infinity);
    expect(await value('avg(minus_inf2)')).toBe(-Infinity);
    expect(await value('avg(both_inf)')).toBeNaN();
    // promqltest compares within 1e-6 relative; these are within 1e-12.
    expect((await value('avg(big)')) / BIG).toBeCloseTo(1, 12);
    expect((await value('avg(minus_big)')) / -BIG).toBeCloseTo(1, 12);
    expect(await value('avg(bigzero)')).toBe(0);
  });

  it('answers each step of a range query on its own', async () => {
    // At T0 - 30 s nothing is there; at T0 and T0 + 30 s every series is.
    const result = await promql.engine.rangeQuery(
      'avg(last_over_time(cancel[1m]))',
      T0 - 30 * S,
      T0 + 30 * S,
      30 * S,
    );
    if (result.resultType !== 'matrix') throw new Error(`expected a matrix, got ${result.resultType}`);
    expect(result.result.map((s) => [...s.values])).toEqual([[1 / 3, 1 / 3]]);
  });
});

describe('avg_over_time and sum_over_time as Prometheus 3 computes them', () => {
  it('compensates the sum over time', async () => {
    expect(await value('avg_over_time(cancel_t[1m])')).toBe(1 / 3);
    expect(await value('sum_over_time(cancel_t[1m])')).toBe(1);
  });

  it('turns to the incremental mean when the sum would overflow', async () => {
    // BIG + BIG overflows at the 2nd sample: mean BIG, then BIG/3, then BIG/4 + 3/4.
    expect((await value('avg_over_time(big_t[1m])')) / (BIG / 4)).toBeCloseTo(1, 12);
    // The plain sum overflows to +Inf, its compensation is dropped rather than making NaN.
    expect(await value('sum_over_time(overflow_t[1m])')).toBe(Infinity);
  });

  it('keeps infinities, and NaN where they meet', async () => {
    expect(await value('avg_over_time(inf_t[1m])')).toBe(Infinity);
    expect(await value('sum_over_time(sum_inf_t[1m])')).toBe(Infinity);
    expect(await value('avg_over_time(inf_inf_t[1m])')).toBeNaN();
    expect(await value('sum_over_time(inf_inf_t[1m])')).toBeNaN();
  });

  it("deriv's sums drop their compensation once infinite, as Prometheus's kahansum.Inc does", async () => {
    // x = 0, 1, 2 s. Σy overflows to +Inf (not Inf + -Inf = NaN): cov(x, y) = Σxy - Σx·Σy/n =
    // -1e308 - Inf = -Inf, var(x) = 5 - 9/3 = 2, slope -Inf. Before the rule, Σy read NaN and so did deriv.
    expect(await value('deriv(deriv_t[1m])')).toBe(-Infinity);
  });
});

describe('stddev and stdvar as Prometheus 3 computes them', () => {
  it('are NaN for a group whose first value is NaN or infinite, even alone', async () => {
    // promql/engine.go starts such a group's variance at NaN; 2.42 started every group at 0.
    expect(await value('stddev(lone_inf)')).toBeNaN();
    expect(await value('stdvar(lone_nan)')).toBeNaN();
    expect(await value('stddev_over_time(lone_inf_t[1m])')).toBeNaN();
    // 8, 10, 12: mean 10, variance 8/3.
    expect(await value('stdvar(ten)')).toBeCloseTo(8 / 3, 12);
  });
});

describe('KahanSum', () => {
  it('adds with compensation and stays infinite once the sum is', () => {
    const cancel = new KahanSum();
    for (const v of [1e100, 1, -1e100]) cancel.add(v);
    expect(cancel.value).toBe(1);
    const overflow = new KahanSum();
    for (const v of [1e308, 1e308, -1e308]) overflow.add(v);
    expect(overflow.value).toBe(Infinity);
    const down = new KahanSum();
    for (const v of [-Infinity, 5, 1e308]) down.add(v);
    expect(down.value).toBe(-Infinity);
  });
});
