import { formatNumber } from '../base/escape.js';
import type { HistogramSnapshot } from '../core/snapshot.js';
import { canonicalNumber } from './canonical-number.js';
import type { TextRope } from './text-rope.js';

/**
 * The `_bucket`, `_sum` and `_count` lines of a histogram family, the same in the Prometheus text
 * format and OpenMetrics except for how `le` is written. The `le="..."` texts are built once per
 * family, not once per point, since every point shares the bounds. Appended to `out`. A histogram whose classic buckets
 * are off has the +Inf bucket only, as client_golang writes one with native buckets alone.
 */
export function histogramSamples(metric: HistogramSnapshot, openMetrics: boolean, out: TextRope): void {
  const { name } = metric;
  const les = (metric.classic === false ? [] : metric.bounds).map(
    (bound) => `le="${canonicalNumber(bound, openMetrics)}"} `,
  );
  for (const point of metric.points) {
    const block = point.block;
    const labels = block === '' ? '' : `{${block}}`;
    const bucket = block === '' ? `${name}_bucket{` : `${name}_bucket{${block},`;
    // Flattened once here (charCodeAt flattens in place), not once for each of the series' lines
    // where the text's reader would walk its parts again (text-rope.ts).
    bucket.charCodeAt(0);
    labels.charCodeAt(0);
    for (let i = 0; i < les.length; i++) {
      out.add(`${bucket}${les[i]}${formatNumber(point.buckets[i] ?? point.count)}\n`);
    }
    out.add(`${bucket}le="+Inf"} ${formatNumber(point.count)}\n`);
    out.add(`${name}_sum${labels} ${formatNumber(point.sum)}\n`);
    out.add(`${name}_count${labels} ${formatNumber(point.count)}\n`);
  }
}
