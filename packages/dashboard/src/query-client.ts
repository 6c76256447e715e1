import type { ApiClient } from './api-client.js';
import type { Envelope, MatrixSeries, QueryData, VectorSample } from './prometheus-types.js';
import { withParams } from './request-path.js';
import { type ResolvedRange, stepFor } from './time-range.js';

/**
 * PromQL over the server's Prometheus API, with Grafana's range variables filled in first:
 * `$__range` (the picked range), `$__interval` (the step) and `$__rate_interval` (four steps, at
 * least two minutes, so rate() spans two samples even of data scraped once a minute).
 */
export class QueryClient {
  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async range(expr: string, range: ResolvedRange, step = stepFor(range)): Promise<MatrixSeries[]> {
    const body = await this.#api.get<Envelope<QueryData>>(rangePath(expr, range, step));
    return body.data.resultType === 'matrix' ? [...body.data.result] : [];
  }

  async instant(expr: string, range: ResolvedRange): Promise<VectorSample[]> {
    const body = await this.#api.get<Envelope<QueryData>>(instantPath(expr, range));
    const data = body.data;
    if (data.resultType === 'vector') return [...data.result];
    if (data.resultType === 'scalar') return [{ metric: {}, value: data.result }];
    return [];
  }
}

/** A range query's GET path, with the range's variables filled in. */
export function rangePath(expr: string, range: ResolvedRange, step = stepFor(range)): string {
  return withParams('/api/v1/query_range', {
    query: expand(expr, range, step),
    start: range.start / 1000,
    end: range.end / 1000,
    step,
  });
}

/**
 * An instant query at the end of the range, with the range's variables filled in. Its step is at
 * most 30 s, so `$__rate_interval` is the last two minutes whatever the range: a stat reads the
 * rate now, as its live updates do, not a 7-day range's 8-hour window that averages in the hours
 * before any data existed (220/s read as 4.42/s). `$__range` stays the whole range.
 */
export function instantPath(expr: string, range: ResolvedRange): string {
  const step = Math.min(stepFor(range), 30);
  return withParams('/api/v1/query', { query: expand(expr, range, step), time: range.end / 1000 });
}

export function expand(expr: string, range: ResolvedRange, step: number): string {
  const seconds = Math.max(1, Math.round((range.end - range.start) / 1000));
  return expr
    .replaceAll('$__rate_interval', `${Math.max(120, step * 4)}s`)
    .replaceAll('$__interval', `${step}s`)
    .replaceAll('$__range', `${seconds}s`);
}
