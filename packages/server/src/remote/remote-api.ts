import { QueryError, type QueryErrorType } from '../query/query-error.js';
import type { LabelMatcher } from '../store/series-store.js';

/**
 * A client of an engine's Prometheus HTTP API (Prometheus, VictoriaMetrics, Mimir, Thanos): POSTs a
 * form, reads the `{status, data}` envelope, and turns errors into QueryErrors of the same type,
 * so vigil's API answers what the remote answered.
 */
export class RemoteApi {
  readonly #base: string;
  readonly #timeoutMs: number;

  /** `base`: the engine's URL without `/api/v1` (VictoriaMetrics: http://host:8428). */
  constructor(base: string, timeoutMs: number) {
    this.#base = base.replace(/\/+$/, '');
    this.#timeoutMs = timeoutMs;
  }

  async call<T>(path: string, params: [string, string][], timeoutMs = this.#timeoutMs): Promise<T> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.#base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (error) {
      throw new QueryError(
        'unavailable',
        'VIGIL_REMOTE_UNAVAILABLE',
        `the remote engine at ${this.#base} did not answer ${path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    let body: { status?: string; data?: T; errorType?: string; error?: string };
    try {
      body = JSON.parse(text);
    } catch {
      throw new QueryError(
        'unavailable',
        'VIGIL_REMOTE_UNAVAILABLE',
        `the remote engine at ${this.#base} answered ${path} with HTTP ${res.status} and no JSON: ${text.slice(0, 200)}`,
      );
    }
    if (body.status === 'success') return body.data as T;
    throw new QueryError(
      errorType(body.errorType, res.status),
      'VIGIL_REMOTE_QUERY',
      body.error ?? `HTTP ${res.status}`,
    );
  }
}

const TYPES = new Set<string>(['bad_data', 'execution', 'timeout', 'unavailable']);

/** Prometheus's own errorType when the remote gives one; otherwise (VictoriaMetrics writes "422") from the status. */
function errorType(type: string | undefined, status: number): QueryErrorType {
  if (type !== undefined && TYPES.has(type)) return type as QueryErrorType;
  if (status === 400) return 'bad_data';
  if (status === 503 || status === 504) return 'unavailable';
  return 'execution';
}

/** A PromQL selector `{name="value", ...}` for matchers, values escaped as PromQL strings. */
export function selectorOf(matchers: readonly LabelMatcher[]): string {
  return `{${matchers.map((m) => `${m.name}${m.type}${JSON.stringify(m.value)}`).join(', ')}}`;
}
