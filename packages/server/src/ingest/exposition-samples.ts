import type { ParsedFamily } from '@vigil/metrics';
import type { SeriesLabels, SeriesSamples } from '../store/series-store.js';

export interface ExpositionSampleOptions {
  /** Timestamp for samples that carry none (and for all of them when `honorTimestamps` is false). */
  readonly nowMs: number;
  readonly honorTimestamps: boolean;
  /** Labels added to every series (job, instance, a push group); they win over the exposed ones. */
  readonly extraLabels?: SeriesLabels;
}

/** The samples of parsed Prometheus text / OpenMetrics, one entry per sample line. */
export function expositionSamples(
  families: readonly ParsedFamily[],
  options: ExpositionSampleOptions,
): SeriesSamples[] {
  const out: SeriesSamples[] = [];
  const extra = options.extraLabels;
  for (const family of families) {
    for (const sample of family.samples) {
      const labels: Record<string, string> = { __name__: sample.name };
      for (const [name, value] of Object.entries(sample.labels)) if (value !== '') labels[name] = value;
      if (extra) {
        for (const [name, value] of Object.entries(extra)) {
          // Prometheus's honor_labels: false: a clashing exposed label is kept as exported_<name>.
          if (name in labels && labels[name] !== value) labels[`exported_${name}`] = labels[name]!;
          labels[name] = value;
        }
      }
      const t =
        options.honorTimestamps && sample.timestampMs !== undefined ? sample.timestampMs : options.nowMs;
      out.push({ labels, timestamps: [t], values: Float64Array.of(sample.value) });
    }
  }
  return out;
}
