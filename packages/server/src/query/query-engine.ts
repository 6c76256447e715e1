import type { SeriesLabels } from '../store/series-store.js';

/** `[seconds, "value"]`, as the Prometheus HTTP API writes a point. */
export type ApiPoint = [number, string];

/** The `data` member of a Prometheus API query response; the HTTP layer only wraps it in `{status, data}`. */
export type QueryData =
  | { readonly resultType: 'vector'; readonly result: { metric: SeriesLabels; value: ApiPoint }[] }
  | { readonly resultType: 'matrix'; readonly result: { metric: SeriesLabels; values: ApiPoint[] }[] }
  | { readonly resultType: 'scalar'; readonly result: ApiPoint }
  | { readonly resultType: 'string'; readonly result: ApiPoint };

export interface QueryOptions {
  /** Overrides the engine's timeout for this query (the API's `timeout` parameter), in ms. */
  readonly timeoutMs?: number;
}

/**
 * What the HTTP API and the alert engine query through: PromQL over the embedded store, or a
 * remote engine's own API. Failures are QueryErrors whose `type` is the API's `errorType`.
 */
export interface QueryEngine {
  instantQuery(expr: string, timeMs: number, options?: QueryOptions): Promise<QueryData>;
  rangeQuery(
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    options?: QueryOptions,
  ): Promise<QueryData>;
}
