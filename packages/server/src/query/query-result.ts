import type { SeriesLabels } from '../store/series-store.js';
import type { FloatHistogram } from './float-histogram.js';

/** One sample of an instant vector (Prometheus's promql.Sample). */
export interface VectorSample {
  readonly metric: SeriesLabels;
  readonly value: number;
  /** Set for a native histogram sample, whose `value` is then NaN. */
  readonly histogram?: FloatHistogram;
}

/** One series of a matrix, points ascending in time (Prometheus's promql.Series): `values[i]` is at `timesMs[i]`. */
export interface MatrixSeries {
  readonly metric: SeriesLabels;
  readonly timesMs: Float64Array;
  readonly values: Float64Array;
  /** The series' native histogram samples, when it has any: `histograms.values[i]` is at `histograms.timesMs[i]`. */
  readonly histograms?: { readonly timesMs: Float64Array; readonly values: readonly FloatHistogram[] };
}

/**
 * A query's answer as numbers, what Prometheus's engine returns (promql.Scalar, String, Vector,
 * Matrix). Only the HTTP layer writes it as the API's JSON (http/query-json.ts), and only the remote
 * engine reads that JSON back.
 */
export type QueryResult = (
  | { readonly resultType: 'scalar'; readonly timeMs: number; readonly value: number }
  | { readonly resultType: 'string'; readonly timeMs: number; readonly value: string }
  | { readonly resultType: 'vector'; readonly timeMs: number; readonly result: readonly VectorSample[] }
  | { readonly resultType: 'matrix'; readonly result: readonly MatrixSeries[] }
) &
  QueryAnnotations;

/**
 * What the evaluation noticed, as Prometheus 3's API answers it beside the data: texts such as
 * `PromQL info: metric might not be a counter, … (1:6)`. Absent when there is none.
 */
export interface QueryAnnotations {
  readonly warnings?: readonly string[];
  readonly infos?: readonly string[];
}
