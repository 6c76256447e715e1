/**
 * One step of Neumaier's compensated summation, as Prometheus 3's kahanSumInc (promql/functions.go)
 * for the `sum` aggregation: adding `inc` to a running `sum` with compensation `c` (the answer being
 * `sum + c`), returns the new compensation; the new sum is `sum + inc`. An infinite sum sets it to 0,
 * so that the answer stays that infinity instead of Inf - Inf = NaN. Prometheus 2.42 summed plainly.
 */
export function kahanCompensation(sum: number, inc: number, c: number): number {
  const t = sum + inc;
  if (t === Number.POSITIVE_INFINITY || t === Number.NEGATIVE_INFINITY) return 0;
  return Math.abs(sum) >= Math.abs(inc) ? c + (sum - t + inc) : c + (inc - t + sum);
}
