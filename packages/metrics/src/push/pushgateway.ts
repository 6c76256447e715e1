import { invalidOption } from '../base/errors.js';
import type { Registry } from '../core/registry.js';
import { PROMETHEUS_CONTENT_TYPE } from '../expo/content-types.js';
import { toPrometheusText } from '../expo/prometheus-text.js';
import { type ExportResult, failure } from './export-result.js';
import { httpPipeline } from './http-pipeline.js';
import type { HttpRequest } from './http-transport.js';
import { type PushOptions, resolveInterval, resolveUrl } from './push-options.js';
import type { PushStats } from './push-stats.js';
import { pushgatewayPath } from './pushgateway-path.js';
import type { RetryingTransport } from './retrying-transport.js';

export interface PushgatewayOptions extends PushOptions {
  /** What is pushed: `toPrometheusText(await registry.snapshot())`. The self-metrics go there too. */
  readonly registry: Registry;
  /** Default: `PROMETHEUS_PUSHGATEWAY_URL`. `user:password@` becomes an `Authorization: Basic` header. */
  readonly url?: string;
  readonly job: string;
  /** Grouping labels after the job, in this order (`{ instance: 'web-1' }`). */
  readonly groupings?: Readonly<Record<string, string>>;
  /** Push every `intervalMs` (and once more on `close()`). Without it, push only when asked. */
  readonly intervalMs?: number;
  /** What the interval does: `push` (PUT, replaces the group) or `pushAdd` (POST). Default `push`. */
  readonly intervalMethod?: 'push' | 'pushAdd';
  /** Sent with every request (a proxy's credentials, for instance). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Another group than the configured one, for one call. */
export interface PushgatewayTarget {
  readonly job?: string;
  /** Replaces the configured groupings (they are not merged). */
  readonly groupings?: Readonly<Record<string, string>>;
}

type Method = 'push' | 'pushAdd' | 'delete';

const HTTP_METHOD: Record<Method, HttpRequest['method']> = { push: 'PUT', pushAdd: 'POST', delete: 'DELETE' };

/**
 * Pushes a registry to a Prometheus Pushgateway, as prom-client's `Pushgateway` does: `push` (PUT)
 * replaces every metric of the group, `pushAdd` (POST) only those with the same names, `delete`
 * removes the group. Each returns an ExportResult and never rejects; failures are retried with
 * backoff and counted in the registry (`vigil_push_failures_total`, `vigil_push_dropped_total`).
 * A call that names a bad job or grouping label throws at once: that is a mistake in the code.
 */
export class Pushgateway {
  readonly #registry: Registry;
  readonly #base: string;
  readonly #job: string;
  readonly #path: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #stats: PushStats;
  readonly #transport: RetryingTransport<HttpRequest>;
  readonly #intervalMethod: 'push' | 'pushAdd';
  readonly #stopInterval: (() => void) | undefined;
  readonly #inFlight = new Set<Promise<ExportResult>>();
  #tickRunning = false;
  #closed: Promise<void> | undefined;

  constructor(options: PushgatewayOptions) {
    if (typeof options !== 'object' || options === null) {
      throw invalidOption('options', options, 'an object with at least { registry, job }');
    }
    const { registry } = options;
    if (typeof registry?.snapshot !== 'function') {
      throw invalidOption('registry', registry, 'a Registry');
    }
    this.#registry = registry;
    const endpoint = resolveUrl('url', options.url, 'PROMETHEUS_PUSHGATEWAY_URL', options.env ?? process.env);
    this.#base = endpoint.base;
    this.#path = pushgatewayPath(options.job, options.groupings);
    this.#job = options.job;
    if (options.headers !== undefined && (typeof options.headers !== 'object' || options.headers === null)) {
      throw invalidOption('headers', options.headers, 'an object of header names to values');
    }
    this.#headers = { ...endpoint.headers, ...options.headers };
    this.#intervalMethod = options.intervalMethod ?? 'push';
    if (this.#intervalMethod !== 'push' && this.#intervalMethod !== 'pushAdd') {
      throw invalidOption('intervalMethod', options.intervalMethod, "'push' or 'pushAdd'");
    }
    const { clock, stats, transport } = httpPipeline(registry, options, 'pushgateway');
    this.#stats = stats;
    this.#transport = transport;
    const intervalMs = resolveInterval('intervalMs', options.intervalMs);
    this.#stopInterval =
      intervalMs === undefined ? undefined : clock.every(intervalMs, () => void this.#tick());
  }

  /** PUT: the group becomes exactly what the registry holds now. */
  push(target?: PushgatewayTarget): Promise<ExportResult> {
    return this.#call('push', target);
  }

  /** POST: metrics of the same names are replaced; the group's other metrics stay. */
  pushAdd(target?: PushgatewayTarget): Promise<ExportResult> {
    return this.#call('pushAdd', target);
  }

  /** DELETE: removes the group (the Pushgateway answers 202 even when there was none). */
  delete(target?: PushgatewayTarget): Promise<ExportResult> {
    return this.#call('delete', target);
  }

  /**
   * Stops the interval, lets requests under way finish (a retry waiting out its backoff tries once
   * more at once), then, when an interval was set, pushes the final state. Further calls are
   * counted as dropped (`closed`).
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#stopInterval?.();
    this.#transport.close();
    await Promise.all(this.#inFlight);
    if (this.#stopInterval) await this.#track(this.#send(this.#intervalMethod, this.#path));
  }

  #call(method: Method, target: PushgatewayTarget | undefined): Promise<ExportResult> {
    const path = target === undefined ? this.#path : this.#targetPath(target);
    if (this.#closed) {
      const result = failure('closed', `${method} after close()`);
      this.#stats.dropped('closed', 1, result.message);
      return Promise.resolve(result);
    }
    return this.#track(this.#send(method, path));
  }

  #targetPath(target: PushgatewayTarget): string {
    if (typeof target !== 'object' || target === null) {
      throw invalidOption('target', target, 'an object such as { job, groupings }');
    }
    return target.job === undefined && target.groupings === undefined
      ? this.#path
      : pushgatewayPath(target.job ?? this.#job, target.groupings);
  }

  async #tick(): Promise<void> {
    // A push still retrying is already late; the next tick carries the newer state anyway.
    if (this.#tickRunning) return;
    this.#tickRunning = true;
    try {
      await this.#track(this.#send(this.#intervalMethod, this.#path));
    } finally {
      this.#tickRunning = false;
    }
  }

  #track(pending: Promise<ExportResult>): Promise<ExportResult> {
    this.#inFlight.add(pending);
    void pending.then(() => this.#inFlight.delete(pending));
    return pending;
  }

  async #send(method: Method, path: string): Promise<ExportResult> {
    const url = `${this.#base}${path}`;
    const description = `${HTTP_METHOD[method]} ${url}`;
    let body: string | undefined;
    if (method !== 'delete') {
      try {
        body = toPrometheusText(await this.#registry.snapshot());
      } catch (error) {
        const result = failure('snapshot', `${description}: a collect callback threw: ${String(error)}`);
        this.#stats.dropped('snapshot', 1, result.message);
        return result;
      }
    }
    const headers =
      body === undefined ? this.#headers : { 'content-type': PROMETHEUS_CONTENT_TYPE, ...this.#headers };
    const request: HttpRequest =
      body === undefined
        ? { method: HTTP_METHOD[method], url, headers, description }
        : { method: HTTP_METHOD[method], url, headers, body, description };
    return this.#transport.send(request, 1);
  }
}
