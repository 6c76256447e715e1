import type { ParsedFamily } from '@vigil/metrics';
import type { SeriesHistograms, SeriesLabels, SeriesSamples } from '../store/series-store.js';
import type { ParsedHistogramSample } from './protobuf-exposition.js';

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
  for (const family of families) {
    for (const sample of family.samples) {
      out.push({
        labels: seriesLabels(sample.name, sample.labels, options.extraLabels),
        timestamps: [timeOf(sample.timestampMs, options)],
        values: Float64Array.of(sample.value),
      });
    }
  }
  return out;
}

/** The native histograms of a protobuf exposition, labelled and timed as `expositionSamples` does. */
export function histogramSamples(
  samples: readonly ParsedHistogramSample[],
  options: ExpositionSampleOptions,
): SeriesHistograms[] {
  return samples.map((sample) => ({
    labels: seriesLabels(sample.name, sample.labels, options.extraLabels),
    timestamps: [timeOf(sample.timestampMs, options)],
    histograms: [sample.histogram],
  }));
}

function seriesLabels(
  name: string,
  exposed: Readonly<Record<string, string>>,
  extra: SeriesLabels | undefined,
): Record<string, string> {
  const labels: Record<string, string> = { __name__: name };
  for (const [key, value] of Object.entries(exposed)) if (value !== '') labels[key] = value;
  if (extra) {
    for (const [key, value] of Object.entries(extra)) {
      // Prometheus's honor_labels: false: a clashing exposed label is kept as exported_<name>.
      if (key in labels && labels[key] !== value) labels[`exported_${key}`] = labels[key]!;
      labels[key] = value;
    }
  }
  return labels;
}

function timeOf(timestampMs: number | undefined, options: ExpositionSampleOptions): number {
  return options.honorTimestamps && timestampMs !== undefined ? timestampMs : options.nowMs;
}
