import type { SeriesLabels, SeriesSamples } from '../store/series-store.js';

/** A batch as the remote is sent it, and the samples left out of it by reason. */
export interface OrderedBatch {
  readonly series: readonly SeriesSamples[];
  readonly samples: number;
  readonly rejected: Readonly<Record<string, number>>;
}

/**
 * A batch put in the shape a remote-write receiver takes whole: each series' samples ascending in
 * time, the second of two at one time left out (`duplicate`), and what no store can keep left out
 * (`invalid`: a label set with no non-empty value, a time that is not a whole millisecond, a time
 * without a value). Prometheus answers 400 to a request holding one out-of-order sample and keeps
 * none of it, so one bad sample sent as given would lose every sample queued beside it.
 */
export function orderedBatch(batch: readonly SeriesSamples[]): OrderedBatch {
  const series: SeriesSamples[] = [];
  let samples = 0;
  let invalid = 0;
  let duplicate = 0;
  for (const entry of batch) {
    const tn = entry.timestamps.length;
    const vn = entry.values.length;
    const n = Math.min(tn, vn);
    invalid += Math.max(tn, vn) - n;
    const labels = storedLabels(entry.labels);
    if (labels === undefined) {
      invalid += n;
      continue;
    }
    const order: number[] = [];
    for (let i = 0; i < n; i++) {
      if (Number.isInteger(entry.timestamps[i])) order.push(i);
      else invalid++;
    }
    // Stable: of two samples at one time, the first given is kept, as the embedded store keeps it.
    order.sort((a, b) => entry.timestamps[a]! - entry.timestamps[b]!);
    const timestamps: number[] = [];
    const values = new Float64Array(order.length);
    for (const i of order) {
      const t = entry.timestamps[i]!;
      if (timestamps.length > 0 && timestamps.at(-1) === t) {
        duplicate++;
        continue;
      }
      values[timestamps.length] = entry.values[i]!;
      timestamps.push(t);
    }
    if (timestamps.length === 0) continue;
    series.push({ labels, timestamps, values: values.subarray(0, timestamps.length) });
    samples += timestamps.length;
  }
  const rejected: Record<string, number> = {};
  if (duplicate > 0) rejected.duplicate = duplicate;
  if (invalid > 0) rejected.invalid = invalid;
  return { series, samples, rejected };
}

/** The labels without the empty ones (an empty value is no label), or undefined when nothing is left. */
function storedLabels(labels: SeriesLabels): SeriesLabels | undefined {
  const out: Record<string, string> = {};
  let any = false;
  for (const [name, value] of Object.entries(labels)) {
    if (name === '' || typeof value !== 'string') return undefined;
    if (value === '') continue;
    out[name] = value;
    any = true;
  }
  return any ? out : undefined;
}
