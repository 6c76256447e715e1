import { invalidOption } from '../base/errors.js';
import type { Registry } from '../core/registry.js';
import { type InfluxPrecision, toInfluxLines } from '../expo/influx-line.js';
import { type ExportResult, failure, SUCCESS } from './export-result.js';
import { httpPipeline } from './http-pipeline.js';
import type { HttpRequest } from './http-transport.js';
import {
  type Env,
  fromEnv,
  type PushOptions,
  resolveCount,
  resolveInterval,
  resolveUrl,
} from './push-options.js';
import type { PushStats } from './push-stats.js';
import type { RetryingTransport } from './retrying-transport.js';

export interface InfluxReporterOptions extends PushOptions {
  /** What `report()` writes: `toInfluxLines(await registry.snapshot())`. The self-metrics go there too. */
  readonly registry: Registry;
  /** Default: `INFLUXDB_URL`. */
  readonly url?: string;
  /** InfluxDB 2 (and 1.8+): `/api/v2/write`. Default: `INFLUXDB_BUCKET`. */
  readonly bucket?: string;
  /** Default: `INFLUXDB_ORG`. */
  readonly org?: string;
  /** Sent as `Authorization: Token <token>`. Default: `INFLUXDB_TOKEN`. */
  readonly token?: string;
  /** InfluxDB 1.x: `/write?db=`. Setting it selects the 1.x API, and the `INFLUXDB_*` variables are not read. */
  readonly database?: string;
  /** 1.x only: the `rp` parameter. */
  readonly retentionPolicy?: string;
  /** 1.x only: the `u` and `p` parameters. */
  readonly username?: string;
  readonly password?: string;
  /** Unit of the written timestamps. Default `ms`. */
  readonly precision?: InfluxPrecision;
  /** Report every `intervalMs` (and once more on `close()`). Without it, report only when asked. */
  readonly intervalMs?: number;
  /** Lines per write request. Default 5,000 (InfluxDB's advice for batch size). */
  readonly batchSize?: number;
  /** Lines kept while the peer is slow or down; past it the oldest are dropped and counted. Default 100,000. */
  readonly maxBufferedLines?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Writes a registry to InfluxDB in line protocol over HTTP: the 1.x `/write` API when `database` is
 * set, else the 2.x `/api/v2/write` API (the callbot seed's `INFLUXDB_URL`, `INFLUXDB_TOKEN`,
 * `INFLUXDB_ORG`, `INFLUXDB_BUCKET`). Lines wait in a bounded buffer and go out in batches, one
 * request at a time, through the shared retry wrapper; nothing here throws into the application.
 *
 * A 4xx is final: the batch is counted as dropped, even on InfluxDB's "partial write", where the
 * good lines of the batch were in fact stored (the body, in the warning, says how many were not).
 */
export class InfluxReporter {
  readonly #registry: Registry;
  readonly #precision: InfluxPrecision;
  readonly #url: string;
  readonly #description: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #batchSize: number;
  readonly #maxBuffered: number;
  readonly #stats: PushStats;
  readonly #transport: RetryingTransport<HttpRequest>;
  readonly #stopInterval: (() => void) | undefined;
  #queue: string[] = [];
  #draining: Promise<ExportResult> | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: InfluxReporterOptions) {
    if (typeof options !== 'object' || options === null) {
      throw invalidOption('options', options, 'an object with at least { registry }');
    }
    const { registry } = options;
    if (typeof registry?.snapshot !== 'function') throw invalidOption('registry', registry, 'a Registry');
    this.#registry = registry;
    const env = options.env ?? process.env;
    const endpoint = resolveUrl('url', options.url, 'INFLUXDB_URL', env);
    this.#precision = options.precision ?? 'ms';
    if (!['ns', 'ms', 's'].includes(this.#precision)) {
      throw invalidOption('precision', options.precision, "'ns', 'ms' or 's'");
    }
    const target =
      options.database === undefined
        ? v2Target(options, env, this.#precision)
        : v1Target(options, this.#precision);
    this.#url = `${endpoint.base}${target.path}`;
    this.#description = `POST ${endpoint.base}${target.safePath}`;
    if (options.headers !== undefined && (typeof options.headers !== 'object' || options.headers === null)) {
      throw invalidOption('headers', options.headers, 'an object of header names to values');
    }
    this.#headers = {
      'content-type': 'text/plain; charset=utf-8',
      ...endpoint.headers,
      ...target.headers,
      ...options.headers,
    };
    this.#batchSize = resolveCount('batchSize', options.batchSize, 5_000);
    this.#maxBuffered = resolveCount('maxBufferedLines', options.maxBufferedLines, 100_000);
    const { clock, stats, transport } = httpPipeline(registry, options, 'influxdb');
    this.#stats = stats;
    this.#transport = transport;
    const intervalMs = resolveInterval('intervalMs', options.intervalMs);
    this.#stopInterval =
      intervalMs === undefined ? undefined : clock.every(intervalMs, () => void this.report());
  }

  /** Snapshots the registry, queues its lines and writes everything queued. Never rejects. */
  async report(): Promise<ExportResult> {
    if (this.#closed) return this.#refuse(1, 'report()');
    return this.#report();
  }

  /**
   * Queues lines of line protocol written elsewhere (one point per line, timestamps in this
   * reporter's `precision`) for the next flush: per-event points such as one latency record.
   */
  write(lines: string): void {
    const split = lines.split('\n').filter((line) => line !== '');
    if (this.#closed) {
      this.#refuse(split.length, 'write()');
      return;
    }
    this.#enqueue(split);
    void this.flush();
  }

  /** Writes everything queued, in batches; resolves to the first failure, or success. Never rejects. */
  flush(): Promise<ExportResult> {
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  /**
   * Stops the interval and writes what is queued (a retry waiting out its backoff tries once more
   * at once; nothing is retried after that), after a final report when an interval was set.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#stopInterval?.();
    this.#transport.close();
    if (this.#stopInterval) await this.#report();
    else await this.flush();
  }

  async #report(): Promise<ExportResult> {
    let text: string;
    try {
      text = toInfluxLines(await this.#registry.snapshot(), { precision: this.#precision });
    } catch (error) {
      const result = failure('snapshot', `${this.#description}: a collect callback threw: ${String(error)}`);
      this.#stats.dropped('snapshot', 1, result.message);
      return result;
    }
    this.#enqueue(text.split('\n').filter((line) => line !== ''));
    return this.flush();
  }

  #enqueue(lines: string[]): void {
    for (const line of lines) this.#queue.push(line);
    const excess = this.#queue.length - this.#maxBuffered;
    if (excess > 0) {
      this.#queue.splice(0, excess);
      this.#stats.dropped(
        'queue_full',
        excess,
        `${this.#description}: more than ${this.#maxBuffered} lines waiting; the oldest were dropped`,
      );
    }
  }

  async #drain(): Promise<ExportResult> {
    let outcome = SUCCESS;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#batchSize);
      const result = await this.#transport.send(
        {
          method: 'POST',
          url: this.#url,
          headers: this.#headers,
          body: `${batch.join('\n')}\n`,
          description: this.#description,
        },
        batch.length,
      );
      if (outcome.code === 'success') outcome = result;
    }
    return outcome;
  }

  #refuse(items: number, what: string): ExportResult {
    const result = failure('closed', `${what} after close()`);
    this.#stats.dropped('closed', items, result.message);
    return result;
  }
}

interface Target {
  readonly path: string;
  /** The path without credentials, for warnings. */
  readonly safePath: string;
  readonly headers: Readonly<Record<string, string>>;
}

function v1Target(options: InfluxReporterOptions, precision: InfluxPrecision): Target {
  nonEmpty('database', options.database);
  const query = new URLSearchParams({ db: options.database as string });
  if (options.retentionPolicy !== undefined) {
    nonEmpty('retentionPolicy', options.retentionPolicy);
    query.set('rp', options.retentionPolicy);
  }
  // 1.x spells nanoseconds `n` (and silently treats an unknown precision as nanoseconds).
  query.set('precision', precision === 'ns' ? 'n' : precision);
  const safePath = `/write?${query}`;
  if (options.username !== undefined || options.password !== undefined) {
    nonEmpty('username', options.username);
    if (typeof options.password !== 'string') throw invalidOption('password', '(hidden)', 'a string');
    query.set('u', options.username as string);
    query.set('p', options.password);
  }
  for (const v2Only of ['bucket', 'org', 'token'] as const) {
    if (options[v2Only] !== undefined) {
      throw invalidOption(
        v2Only,
        v2Only === 'token' ? '(hidden)' : options[v2Only],
        'no value with `database` (1.x API)',
      );
    }
  }
  return { path: `/write?${query}`, safePath, headers: {} };
}

function v2Target(options: InfluxReporterOptions, env: Env, precision: InfluxPrecision): Target {
  const bucket = fromEnv(options.bucket, 'INFLUXDB_BUCKET', env);
  const org = fromEnv(options.org, 'INFLUXDB_ORG', env);
  const token = fromEnv(options.token, 'INFLUXDB_TOKEN', env);
  if (bucket === undefined || bucket === '') {
    throw invalidOption(
      'bucket',
      bucket,
      'a bucket name (or INFLUXDB_BUCKET) for InfluxDB 2, or a `database` for the 1.x API',
    );
  }
  nonEmpty(options.org === undefined ? 'org (INFLUXDB_ORG)' : 'org', org);
  if (token !== undefined && typeof token !== 'string') throw invalidOption('token', '(hidden)', 'a string');
  for (const v1Only of ['retentionPolicy', 'username', 'password'] as const) {
    if (options[v1Only] !== undefined) {
      throw invalidOption(
        v1Only,
        v1Only === 'password' ? '(hidden)' : options[v1Only],
        'no value without `database` (they are 1.x parameters)',
      );
    }
  }
  const query = new URLSearchParams({ org: org as string, bucket, precision });
  const path = `/api/v2/write?${query}`;
  return { path, safePath: path, headers: token === undefined ? {} : { authorization: `Token ${token}` } };
}

function nonEmpty(option: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') throw invalidOption(option, value, 'a non-empty string');
}
