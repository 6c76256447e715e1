/**
 * One step of Neumaier's compensated summation, as Prometheus 3's kahansum.Inc (util/kahansum): adding
 * `inc` to a running `sum` with compensation `c` (the answer being `sum + c`), returns the new
 * compensation; the new sum is `sum + inc`. An infinite sum sets it to 0, so that the answer stays
 * that infinity instead of Inf - Inf = NaN. Prometheus 2.42 summed plainly.
 */
export function kahanCompensation(sum: number, inc: number, c: number): number {
  const t = sum + inc;
  if (t === Number.POSITIVE_INFINITY || t === Number.NEGATIVE_INFINITY) return 0;
  return Math.abs(sum) >= Math.abs(inc) ? c + (sum - t + inc) : c + (inc - t + sum);
}

/** A compensated sum of values added one at a time (sum_over_time, deriv's and stdvar_over_time's sums). */
export class KahanSum {
  #sum = 0;
  #c = 0;
  add(v: number): void {
    this.#c = kahanCompensation(this.#sum, v, this.#c);
    this.#sum += v;
  }
  get value(): number {
    return this.#sum + this.#c;
  }
}

/**
 * The running state of Prometheus 3's mean of floats (`avg`, `avg_over_time`): a compensated sum,
 * divided by the count at the end, until adding a value would overflow it; from that value on, a
 * compensated incremental mean (upstream issue 16714: the direct mean is the more accurate, the
 * incremental one cannot overflow). Prometheus 2.42 took an uncompensated incremental mean
 * throughout, so the two can differ in the last bits, and more where large values cancel.
 */
export interface CompensatedMean {
  /** The sum of the values so far; their mean once `incremental`. */
  value: number;
  c: number;
  incremental: boolean;
}

export function startMean(m: CompensatedMean, first: number): void {
  m.value = first;
  m.c = 0;
  m.incremental = false;
}

/** Adds the `n`-th value (n ≥ 2) to the mean. */
export function addToMean(m: CompensatedMean, v: number, n: number): void {
  if (!m.incremental) {
    const sum = m.value + v;
    if (sum !== Number.POSITIVE_INFINITY && sum !== Number.NEGATIVE_INFINITY) {
      m.c = kahanCompensation(m.value, v, m.c);
      m.value = sum;
      return;
    }
    m.incremental = true;
    m.value /= n - 1;
    m.c /= n - 1;
  }
  const q = (n - 1) / n;
  const mean = q * m.value;
  const inc = v / n;
  m.c = kahanCompensation(mean, inc, q * m.c);
  m.value = mean + inc;
}

/** The mean of the `n` values added. */
export function meanOf(m: CompensatedMean, n: number): number {
  return m.incremental ? m.value + m.c : m.value / n + m.c / n;
}
