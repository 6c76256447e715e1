import { dropName, type Metric, makeMetric, type Vector } from './metric.js';

interface Bucket {
  upper: number;
  count: number;
}

/**
 * histogram_quantile over classic buckets, grouped by every label but `le` (the metric name too,
 * as Prometheus does); a bucket whose `le` does not parse as a float is skipped.
 */
export function histogramQuantile(q: number, input: Vector): Vector {
  const groups = new Map<string, { metric: Metric; buckets: Bucket[] }>();
  for (const sample of input) {
    const le = sample.metric.labels.le;
    const upper = le === undefined ? Number.NaN : parseLe(le);
    if (Number.isNaN(upper)) continue;
    const { le: _, ...rest } = sample.metric.labels;
    const withName = makeMetric(rest);
    let group = groups.get(withName.key);
    if (!group) {
      group = { metric: dropName(withName), buckets: [] };
      groups.set(withName.key, group);
    }
    group.buckets.push({ upper, count: sample.value });
  }
  return [...groups.values()].map((g) => ({ metric: g.metric, value: bucketQuantile(q, g.buckets) }));
}

function parseLe(text: string): number {
  const t = text.trim();
  if (/^[+-]?inf(inity)?$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) ? Number(t) : Number.NaN;
}

/**
 * Prometheus's bucketQuantile (promql/quantile.go, v2.42): buckets with the same bound are merged,
 * counts are made monotonic (a scrape can see buckets of different ages), the rank is found
 * by binary search and the value interpolated linearly inside its bucket; the +Inf bucket answers
 * with the highest finite bound.
 */
export function bucketQuantile(q: number, unsorted: Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...unsorted].sort((a, b) => a.upper - b.upper);
  if (sorted.at(-1)!.upper !== Infinity) return Number.NaN;
  const buckets: Bucket[] = [];
  for (const b of sorted) {
    const last = buckets.at(-1);
    if (last && last.upper === b.upper) last.count += b.count;
    else buckets.push({ ...b });
  }
  let max = -Infinity;
  for (const b of buckets) {
    if (b.count > max) max = b.count;
    else if (b.count < max) b.count = max;
  }
  if (buckets.length < 2) return Number.NaN;
  const observations = buckets.at(-1)!.count;
  if (observations === 0) return Number.NaN;
  let rank = q * observations;
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (buckets[mid]!.count >= rank) hi = mid;
    else lo = mid + 1;
  }
  const b = lo;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.upper;
  if (b === 0 && buckets[0]!.upper <= 0) return buckets[0]!.upper;
  let start = 0;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.upper;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return start + (buckets[b]!.upper - start) * (rank / count);
}
