import type { QueryEngine, QueryOptions } from '../query/query-engine.js';
import type { QueryResult } from '../query/query-result.js';
import { type ApiQueryData, readQueryResult } from './api-result.js';
import { RemoteApi } from './remote-api.js';

export interface RemoteQueryEngineOptions {
  /** The engine's base URL (its API is under `/api/v1`), e.g. http://127.0.0.1:8428 for VictoriaMetrics. */
  readonly url: string;
  /** Default 120000 (2 m), as the embedded engine. */
  readonly timeoutMs?: number;
}

/**
 * PromQL evaluated by a remote engine through its Prometheus HTTP API: the API, the alert rules and
 * the dashboard ask it what they would ask the embedded PromqlEngine, and get the remote's answer
 * (its own semantics: VictoriaMetrics' MetricsQL differs from PromQL in places, see the README),
 * with the warnings and infos it gave beside the data.
 */
export class RemoteQueryEngine implements QueryEngine {
  readonly #api: RemoteApi;
  readonly #timeoutMs: number;

  constructor(options: RemoteQueryEngineOptions) {
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.#api = new RemoteApi(options.url, this.#timeoutMs + 5_000);
  }

  async instantQuery(expr: string, timeMs: number, options?: QueryOptions): Promise<QueryResult> {
    const timeout = options?.timeoutMs ?? this.#timeoutMs;
    const { data, ...annotations } = await this.#api.annotated<ApiQueryData>(
      '/api/v1/query',
      [
        ['query', expr],
        ['time', String(timeMs / 1000)],
        ['timeout', `${timeout}ms`],
      ],
      timeout + 5_000,
    );
    return { ...readQueryResult(data, timeMs), ...annotations };
  }

  async rangeQuery(
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    options?: QueryOptions,
  ): Promise<QueryResult> {
    const timeout = options?.timeoutMs ?? this.#timeoutMs;
    const { data, ...annotations } = await this.#api.annotated<ApiQueryData>(
      '/api/v1/query_range',
      [
        ['query', expr],
        ['start', String(startMs / 1000)],
        ['end', String(endMs / 1000)],
        ['step', String(stepMs / 1000)],
        ['timeout', `${timeout}ms`],
      ],
      timeout + 5_000,
    );
    return { ...readQueryResult(data, startMs), ...annotations };
  }
}
