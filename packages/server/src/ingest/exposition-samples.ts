import { canonicalNumber, type ParsedFamily, parseNumber } from '@vigil/metrics';
import type { NativeHistogram } from '../store/native-histogram.js';
import type { SeriesHistograms, SeriesLabels, SeriesSamples } from '../store/series-store.js';
import type { ParsedHistogramSample } from './protobuf-exposition.js';

export interface ExpositionSampleOptions {
  /** Timestamp for samples that carry none (and for all of them when `honorTimestamps` is false). */
  readonly nowMs: number;
  readonly honorTimestamps: boolean;
  /** Labels added to every series (job, instance, a push group); they win over the exposed ones. */
  readonly extraLabels?: SeriesLabels;
}

/**
 * The samples of parsed Prometheus text / OpenMetrics, one entry per sample line. With `created`,
 * a sample that says when its series was created (before the sample) also puts a zero sample at that
 * time there, for `CreatedZeros` to write first.
 */
export function expositionSamples(
  families: readonly ParsedFamily[],
  options: ExpositionSampleOptions,
  created?: SeriesSamples[],
): SeriesSamples[] {
  const out: SeriesSamples[] = [];
  for (const family of families) {
    const bound = family.type === 'histogram' ? 'le' : family.type === 'summary' ? 'quantile' : undefined;
    for (const sample of family.samples) {
      const labels = seriesLabels(sample.name, sample.labels, options.extraLabels, bound);
      const t = timeOf(sample.timestampMs, options);
      out.push({ labels, timestamps: [t], values: Float64Array.of(sample.value) });
      const ct = sample.createdMs;
      if (created && ct !== undefined && ct < t)
        created.push({ labels, timestamps: [ct], values: Float64Array.of(0) });
    }
  }
  return out;
}

/**
 * The native histograms of a protobuf exposition, labelled and timed as `expositionSamples` does,
 * and likewise their zero histograms at the time their series were created into `created`.
 */
export function histogramSamples(
  samples: readonly ParsedHistogramSample[],
  options: ExpositionSampleOptions,
  created?: SeriesHistograms[],
): SeriesHistograms[] {
  return samples.map((sample) => {
    const labels = seriesLabels(sample.name, sample.labels, options.extraLabels);
    const t = timeOf(sample.timestampMs, options);
    const ct = sample.createdMs;
    if (created && ct !== undefined && ct < t)
      created.push({ labels, timestamps: [ct], histograms: [zeroHistogram(sample.histogram)] });
    return { labels, timestamps: [t], histograms: [sample.histogram] };
  });
}

/**
 * An empty histogram of the same schema and zero threshold, marked as a counter reset: what
 * Prometheus appends at a native histogram's created timestamp.
 */
function zeroHistogram(h: NativeHistogram): NativeHistogram {
  return {
    kind: 'int',
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: 0,
    count: 0,
    sum: 0,
    positiveSpans: [],
    negativeSpans: [],
    positiveDeltas: [],
    negativeDeltas: [],
    counterResetHint: 'reset',
  };
}

/**
 * A classic histogram's `le` or a summary's `quantile` written as an OpenMetrics canonical number
 * (`1` → `1.0`, `1e3` → `1000.0`), as Prometheus 3's text and OpenMetrics parsers store it: the same
 * bound from two exposers is one series, and `le="1.0"` selects it whoever wrote `1`. A value that is
 * no number stays as it is.
 */
function canonicalBound(text: string): string {
  const value = parseNumber(text);
  return value === undefined ? text : canonicalNumber(value, true);
}

function seriesLabels(
  name: string,
  exposed: Readonly<Record<string, string>>,
  extra: SeriesLabels | undefined,
  bound?: 'le' | 'quantile',
): Record<string, string> {
  const labels: Record<string, string> = { __name__: name };
  for (const [key, value] of Object.entries(exposed))
    if (value !== '') labels[key] = key === bound ? canonicalBound(value) : value;
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
