import type { QueryResult } from './query-result.js';

export interface QueryOptions {
  /** Overrides the engine's timeout for this query (the API's `timeout` parameter), in ms. */
  readonly timeoutMs?: number;
}

/**
 * What the HTTP API and the alert engine query through: PromQL over the embedded store, or a
 * remote engine's own API. Failures are QueryErrors whose `type` is the API's `errorType`.
 */
export interface QueryEngine {
  instantQuery(expr: string, timeMs: number, options?: QueryOptions): Promise<QueryResult>;
  rangeQuery(
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    options?: QueryOptions,
  ): Promise<QueryResult>;
}
