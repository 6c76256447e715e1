/** The Prometheus HTTP API's shapes, as /api/v1/query and /api/v1/query_range answer. */
export type Labels = Readonly<Record<string, string>>;

/**
 * A native histogram sample as the API writes it: `buckets` are [boundary rule, lower, upper, count]
 * with the numbers as strings, the rule 0 (open left), 1 (open right), 2 (open both) or 3 (closed).
 */
export interface HistogramValue {
  readonly count: string;
  readonly sum: string;
  readonly buckets?: readonly (readonly [number, string, string, string])[];
}

export interface MatrixSeries {
  readonly metric: Labels;
  /** Absent when every point is a native histogram (Prometheus writes only `histograms` then). */
  readonly values?: readonly (readonly [number, string])[];
  readonly histograms?: readonly (readonly [number, HistogramValue])[];
}

export interface VectorSample {
  readonly metric: Labels;
  readonly value: readonly [number, string];
}

export type QueryData =
  | { readonly resultType: 'matrix'; readonly result: readonly MatrixSeries[] }
  | { readonly resultType: 'vector'; readonly result: readonly VectorSample[] }
  | { readonly resultType: 'scalar' | 'string'; readonly result: readonly [number, string] };

export interface Envelope<T> {
  readonly status: 'success';
  readonly data: T;
}

/** A number as the API writes it: Go's "+Inf" and "-Inf", which `Number` alone reads as NaN. */
export function parseApiNumber(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}
