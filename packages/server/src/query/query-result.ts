import type { SeriesLabels } from '../store/series-store.js';

/** One sample of an instant vector (Prometheus's promql.Sample). */
export interface VectorSample {
  readonly metric: SeriesLabels;
  readonly value: number;
}

/** One series of a matrix, points ascending in time (Prometheus's promql.Series): `values[i]` is at `timesMs[i]`. */
export interface MatrixSeries {
  readonly metric: SeriesLabels;
  readonly timesMs: Float64Array;
  readonly values: Float64Array;
}

/**
 * A query's answer as numbers, what Prometheus's engine returns (promql.Scalar, String, Vector,
 * Matrix). Only the HTTP layer writes it as the API's JSON (http/query-json.ts), and only the remote
 * engine reads that JSON back.
 */
export type QueryResult =
  | { readonly resultType: 'scalar'; readonly timeMs: number; readonly value: number }
  | { readonly resultType: 'string'; readonly timeMs: number; readonly value: string }
  | { readonly resultType: 'vector'; readonly timeMs: number; readonly result: readonly VectorSample[] }
  | { readonly resultType: 'matrix'; readonly result: readonly MatrixSeries[] };
