/**
 * PromQL for the φ-quantile of a histogram over a window, grouped by `by`: from the native histogram
 * where a series has one (exponential buckets, about 1% accurate), from its classic `_bucket`
 * series otherwise. `or` keeps the native answer for every group that has one, so a fleet where
 * only some services expose native histograms still shows a percentile for each. A native answer
 * of NaN (no observation in the window, as a native series that began within it has none yet) is
 * dropped by `>= -Inf` first: it would hide a classic answer that has observations.
 */
export function percentileQuery(
  q: number,
  metric: string,
  window: string,
  options: { readonly by?: readonly string[]; readonly matchers?: string } = {},
): string {
  const by = options.by ?? [];
  const m = options.matchers ? `{${options.matchers}}` : '';
  const sum = by.length > 0 ? `sum by (${by.join(', ')}) (` : 'sum(';
  const native = `histogram_quantile(${q}, ${sum}rate(${metric}${m}[${window}])))`;
  const classic = `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (rate(${metric}_bucket${m}[${window}])))`;
  return `(${native} >= -Inf) or ${classic}`;
}
