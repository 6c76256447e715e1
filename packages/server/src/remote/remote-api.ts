import { QueryError, type QueryErrorCode } from '../query/query-error.js';
import type { QueryAnnotations } from '../query/query-result.js';
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

  /** A POSTed form, as Prometheus takes queries, series and label names (long selectors fit). */
  async call<T>(path: string, params: [string, string][], timeoutMs = this.#timeoutMs): Promise<T> {
    return (await this.#request<T>(path, params, timeoutMs, 'POST')).data;
  }

  /** `call`, with the warnings and infos the remote answered beside the data (Prometheus 3's annotations). */
  annotated<T>(
    path: string,
    params: [string, string][],
    timeoutMs = this.#timeoutMs,
  ): Promise<{ data: T } & QueryAnnotations> {
    return this.#request<T>(path, params, timeoutMs, 'POST');
  }

  /** A GET, for the endpoints Prometheus answers only so (`/api/v1/label/<name>/values`). */
  async get<T>(path: string, params: [string, string][]): Promise<T> {
    return (await this.#request<T>(path, params, this.#timeoutMs, 'GET')).data;
  }

  async #request<T>(
    path: string,
    params: [string, string][],
    timeoutMs: number,
    method: 'GET' | 'POST',
  ): Promise<{ data: T } & QueryAnnotations> {
    let res: Response;
    let text: string;
    const form = new URLSearchParams(params).toString();
    try {
      res = await fetch(
        method === 'GET' ? `${this.#base}${path}?${form}` : `${this.#base}${path}`,
        method === 'GET'
          ? { signal: AbortSignal.timeout(timeoutMs) }
          : {
              method,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: form,
              signal: AbortSignal.timeout(timeoutMs),
            },
      );
      text = await res.text();
    } catch (error) {
      throw new QueryError(
        'VIGIL_REMOTE_UNAVAILABLE',
        `the remote engine at ${this.#base} did not answer ${path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    let body: { status?: string; data?: T; errorType?: string; error?: string } & QueryAnnotations;
    try {
      body = JSON.parse(text);
    } catch {
      throw new QueryError(
        'VIGIL_REMOTE_UNAVAILABLE',
        `the remote engine at ${this.#base} answered ${path} with HTTP ${res.status} and no JSON: ${text.slice(0, 200)}`,
      );
    }
    if (body.status === 'success')
      return {
        data: body.data as T,
        ...(body.warnings?.length && { warnings: body.warnings }),
        ...(body.infos?.length && { infos: body.infos }),
      };
    throw new QueryError(remoteCode(body.errorType, res.status), body.error ?? `HTTP ${res.status}`);
  }
}

const CODES: Record<string, QueryErrorCode> = {
  bad_data: 'VIGIL_REMOTE_BAD_DATA',
  execution: 'VIGIL_REMOTE_EXECUTION',
  timeout: 'VIGIL_REMOTE_TIMEOUT',
  unavailable: 'VIGIL_REMOTE_UNAVAILABLE',
};

/**
 * The code whose errorType is the remote's own, so vigil answers what the remote answered; without
 * one (VictoriaMetrics writes "422"), from the status.
 */
function remoteCode(type: string | undefined, status: number): QueryErrorCode {
  const code = type === undefined ? undefined : CODES[type];
  if (code !== undefined) return code;
  if (status === 400) return 'VIGIL_REMOTE_BAD_DATA';
  if (status === 503 || status === 504) return 'VIGIL_REMOTE_UNAVAILABLE';
  return 'VIGIL_REMOTE_EXECUTION';
}

/** A PromQL selector `{name="value", ...}` for matchers, values escaped as PromQL strings. */
export function selectorOf(matchers: readonly LabelMatcher[]): string {
  return `{${matchers.map((m) => `${m.name}${m.type}${JSON.stringify(m.value)}`).join(', ')}}`;
}
