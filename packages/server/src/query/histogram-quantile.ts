import { nativeQuantile } from './histogram-functions.js';
import { dropName, type Metric, makeMetric, type Vector } from './metric.js';

interface Bucket {
  upper: number;
  count: number;
}

/** What histogram_quantile tells about its input, as Prometheus's annotations. */
export interface QuantileNotes {
  badBucketLabel(metricName: string, le: string): void;
  forcedMonotonicity(metricName: string): void;
  mixedClassicNative(metricName: string): void;
}

/**
 * histogram_quantile of one step's vector, as Prometheus 3: classic buckets grouped by every label
 * but `le` (the metric name too), a bucket whose `le` does not parse as a float skipped (and
 * noted), native histograms on their own; a series that has both classic buckets and a native
 * histogram answers neither (noted).
 */
export function histogramQuantile(q: number, input: Vector, notes: QuantileNotes): Vector {
  const groups = classicGroups(input, notes);
  const out: Vector = [];
  for (const sample of input) {
    if (!sample.histogram) continue;
    if (groups.delete(sample.metric.key)) {
      notes.mixedClassicNative(sample.metric.labels.__name__ ?? '');
      continue;
    }
    out.push({ metric: dropName(sample.metric), value: nativeQuantile(q, sample.histogram) });
  }
  for (const g of groups.values()) {
    const { value, forced } = bucketQuantile(q, g.buckets);
    if (forced) notes.forcedMonotonicity(g.metric.labels.__name__ ?? '');
    out.push({ metric: dropName(g.metric), value });
  }
  return out;
}

/**
 * histogram_fraction over classic buckets (Prometheus 3): the share of observations between
 * `lower` and `upper`, interpolated linearly inside the buckets holding them, as histogram_quantile
 * reads buckets (the first bucket starts at 0 when its bound is positive).
 */
export function classicFraction(lower: number, upper: number, input: Vector, notes: QuantileNotes): Vector {
  const out: Vector = [];
  for (const g of classicGroups(input, notes).values())
    out.push({ metric: dropName(g.metric), value: bucketFraction(lower, upper, g.buckets) });
  return out;
}

/** The classic buckets of a vector by series (every label but `le`); a malformed `le` is noted and skipped. */
function classicGroups(
  input: Vector,
  notes: QuantileNotes,
): Map<string, { metric: Metric; buckets: Bucket[] }> {
  const groups = new Map<string, { metric: Metric; buckets: Bucket[] }>();
  for (const sample of input) {
    if (sample.histogram) continue;
    const le = sample.metric.labels.le;
    const upper = le === undefined ? Number.NaN : parseLe(le);
    if (Number.isNaN(upper)) {
      notes.badBucketLabel(sample.metric.labels.__name__ ?? '', le ?? '');
      continue;
    }
    const { le: _, ...rest } = sample.metric.labels;
    const withName = makeMetric(rest);
    let group = groups.get(withName.key);
    if (!group) {
      group = { metric: withName, buckets: [] };
      groups.set(withName.key, group);
    }
    group.buckets.push({ upper, count: sample.value });
  }
  return groups;
}

/** Buckets sorted by bound, those with the same bound merged. */
function coalesced(unsorted: Bucket[]): Bucket[] {
  const buckets: Bucket[] = [];
  for (const b of [...unsorted].sort((a, c) => a.upper - c.upper)) {
    const last = buckets.at(-1);
    if (last && last.upper === b.upper) last.count += b.count;
    else buckets.push({ ...b });
  }
  return buckets;
}

function bucketFraction(lower: number, upper: number, unsorted: Bucket[]): number {
  const buckets = coalesced(unsorted);
  if (buckets.at(-1)!.upper !== Infinity) return Number.NaN;
  const count = buckets.at(-1)!.count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return Number.NaN;
  if (lower >= upper) return 0;
  /** Observations at or below `v`, `v` inside bucket `i`: linear within it, all of it when it starts at -Inf. */
  const rankAt = (v: number, i: number, from: number): number => {
    const below = i > 0 ? buckets[i - 1]!.count : 0;
    const b = buckets[i]!;
    if (from === -Infinity) return b.count;
    if (b.upper === Infinity) return below;
    return below + ((b.count - below) * (v - from)) / (b.upper - from);
  };
  const rankOf = (v: number): number => {
    let from = buckets[0]!.upper > 0 ? 0 : -Infinity;
    for (let i = 0; i < buckets.length; i++) {
      if (i > 0) from = buckets[i - 1]!.upper;
      if (v <= from) return i > 0 ? buckets[i - 1]!.count : 0;
      if (v < buckets[i]!.upper) return rankAt(v, i, from);
    }
    return count;
  };
  return (Math.min(rankOf(upper), count) - Math.min(rankOf(lower), count)) / count;
}

function parseLe(text: string): number {
  const t = text.trim();
  if (/^[+-]?inf(inity)?$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) ? Number(t) : Number.NaN;
}

/**
 * Prometheus's bucketQuantile (promql/quantile.go, v2.42): buckets with the same bound are merged,
 * counts are made monotonic (a scrape can see buckets of different ages; `forced` says so), the rank is found
 * by binary search and the value interpolated linearly inside its bucket; the +Inf bucket answers
 * with the highest finite bound.
 */
function bucketQuantile(q: number, unsorted: Bucket[]): { value: number; forced: boolean } {
  const value = (v: number, forced = false) => ({ value: v, forced });
  if (Number.isNaN(q)) return value(Number.NaN);
  if (q < 0) return value(-Infinity);
  if (q > 1) return value(Infinity);
  const buckets = coalesced(unsorted);
  if (buckets.at(-1)!.upper !== Infinity) return value(Number.NaN);
  let max = -Infinity;
  let forced = false;
  for (const b of buckets) {
    if (b.count > max) max = b.count;
    else if (b.count < max) {
      b.count = max;
      forced = true;
    }
  }
  if (buckets.length < 2) return value(Number.NaN, forced);
  const observations = buckets.at(-1)!.count;
  if (observations === 0) return value(Number.NaN, forced);
  let rank = q * observations;
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (buckets[mid]!.count >= rank) hi = mid;
    else lo = mid + 1;
  }
  const b = lo;
  if (b === buckets.length - 1) return value(buckets[buckets.length - 2]!.upper, forced);
  if (b === 0 && buckets[0]!.upper <= 0) return value(buckets[0]!.upper, forced);
  let start = 0;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.upper;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return value(start + (buckets[b]!.upper - start) * (rank / count), forced);
}
