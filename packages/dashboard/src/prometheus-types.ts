/** The Prometheus HTTP API's shapes, as /api/v1/query and /api/v1/query_range answer. */
export type Labels = Readonly<Record<string, string>>;

export interface MatrixSeries {
  readonly metric: Labels;
  readonly values: readonly (readonly [number, string])[];
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
