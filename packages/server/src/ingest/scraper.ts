import {
  type Clock,
  type Gauge,
  type ParsedFamily,
  parsePrometheusText,
  type Registry,
  redactUrls,
  urlCredentials,
} from '@vigil/metrics';
import type { ScrapeTarget } from '../config/config.js';
import type { SeriesHistograms } from '../store/series-store.js';
import { type SeriesLabels, type SeriesSamples, staleNaN } from '../store/series-store.js';
import { CreatedZeros } from './created-zeros.js';
import { expositionSamples, histogramSamples } from './exposition-samples.js';
import { IngestError } from './ingest-error.js';
import type { IngestWriter } from './ingest-writer.js';
import { parseProtobufExposition } from './protobuf-exposition.js';

/**
 * What Prometheus sends with native histograms on: the protobuf exposition first (the one format that
 * carries them), then OpenMetrics, the text format as a fallback.
 */
const ACCEPT =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.8,application/openmetrics-text;version=1.0.0;q=0.7,application/openmetrics-text;version=0.0.1;q=0.6,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const MAX_BODY = 64 * 1024 * 1024;

/** A target and how its last scrape went, for Prometheus's `/api/v1/targets`. */
export interface TargetHealth {
  readonly target: ScrapeTarget;
  readonly labels: { readonly job: string; readonly instance: string };
  /** `unknown` until the first scrape ends. */
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastScrapeMs: number | undefined;
  readonly lastScrapeDurationSeconds: number;
  /** Why the last scrape failed; empty when it did not. */
  readonly lastError: string;
  /** TYPE, HELP and UNIT of the families in the last good scrape (`/api/v1/targets/metadata`). */
  readonly metadata: readonly TargetMetadata[];
}

export interface TargetMetadata {
  readonly metric: string;
  readonly type: string;
  readonly help: string;
  readonly unit: string;
}

export interface ScraperOptions {
  readonly targets: readonly ScrapeTarget[];
  readonly writer: IngestWriter;
  readonly clock: Clock;
  readonly registry: Registry;
}

/**
 * Scrapes Prometheus / OpenMetrics / protobuf endpoints as Prometheus does: each target at its
 * interval, with a timeout, writing `up`, `scrape_duration_seconds` and `scrape_samples_scraped`
 * beside the samples (native histograms from the protobuf exposition, their classic series beside them),
 * `job` and `instance` labels, a zero sample at a series' created timestamp (see CreatedZeros), and a staleness marker for every series that was there on the last
 * scrape and is not now (or for all of them when the target goes down).
 */
export class Scraper {
  readonly #options: ScraperOptions;
  readonly #stops: Array<() => void> = [];
  readonly #previous = new Map<ScrapeTarget, Map<string, SeriesLabels>>();
  readonly #created = new Map<ScrapeTarget, CreatedZeros>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #up: Gauge;
  readonly #health = new Map<ScrapeTarget, TargetHealth>();

  constructor(options: ScraperOptions) {
    this.#options = options;
    this.#up = options.registry.gauge({
      name: 'vigil_scrape_target_up',
      help: 'Whether the last scrape of a target succeeded (1) or not (0).',
      labelNames: ['job', 'instance'],
    });
  }

  start(): void {
    for (const target of this.#options.targets) {
      this.#stops.push(this.#options.clock.every(target.intervalMs, () => this.#track(this.scrape(target))));
      this.#track(this.scrape(target));
    }
  }

  #track(p: Promise<void>): void {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  /** Every target, in configuration order, with the outcome of its last scrape. */
  targets(): TargetHealth[] {
    return this.#options.targets.map(
      (target) =>
        this.#health.get(target) ?? {
          target,
          labels: { job: target.job, instance: new URL(target.url).host },
          health: 'unknown',
          lastScrapeMs: undefined,
          lastScrapeDurationSeconds: 0,
          lastError: '',
          metadata: [],
        },
    );
  }

  /** Stops the timers and waits for scrapes under way. */
  async stop(): Promise<void> {
    for (const stop of this.#stops.splice(0)) stop();
    await Promise.allSettled([...this.#inFlight]);
  }

  /** One scrape of one target; never throws (a failure is `up` = 0). */
  async scrape(target: ScrapeTarget): Promise<void> {
    const { clock, writer } = this.#options;
    const instance = new URL(target.url).host;
    const targetLabels = { job: target.job, instance };
    const startMs = clock.now();
    const started = performance.now();
    let samples: SeriesSamples[] = [];
    let histograms: SeriesHistograms[] = [];
    const createdFloats: SeriesSamples[] = [];
    const createdHistograms: SeriesHistograms[] = [];
    let up = 0;
    let lastError = '';
    let metadata = this.#health.get(target)?.metadata ?? [];
    try {
      // Credentials in the target's URL are sent as basic authentication, as Prometheus sends basic_auth.
      const { url, authorization } = urlCredentials(target.url);
      const res = await fetch(url, {
        headers: {
          accept: ACCEPT,
          'x-prometheus-scrape-timeout-seconds': String(target.timeoutMs / 1000),
          ...(authorization !== undefined && { authorization }),
        },
        signal: AbortSignal.timeout(target.timeoutMs),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = await readLimited(res, MAX_BODY);
      const contentType = res.headers.get('content-type') ?? '';
      let families: readonly ParsedFamily[];
      const sampleOptions = {
        nowMs: startMs,
        honorTimestamps: target.honorTimestamps,
        extraLabels: targetLabels,
      };
      if (contentType.startsWith('application/vnd.google.protobuf')) {
        const parsed = parseProtobufExposition(body);
        if (parsed.errors.length > 0) writer.malformed('scrape', 'bad_histogram', parsed.errors.length);
        families = parsed.families;
        histograms = histogramSamples(parsed.histograms, sampleOptions, createdHistograms);
      } else {
        const openMetrics = contentType.includes('openmetrics');
        const parsed = parsePrometheusText(body.toString('utf8'), { openMetrics, strict: false });
        if (parsed.errors.length > 0) writer.malformed('scrape', 'bad_line', parsed.errors.length);
        families = parsed.families;
      }
      writer.metadata.record(families);
      metadata = families.map((f) => ({
        metric: f.name,
        type: f.type === 'untyped' ? 'unknown' : f.type,
        help: f.help,
        unit: f.unit,
      }));
      samples = expositionSamples(families, sampleOptions, createdFloats);
      up = 1;
    } catch (error) {
      writer.malformed('scrape', error instanceof IngestError ? error.reason : 'failed');
      lastError = redactUrls(scrapeError(error));
    }
    const seconds = (performance.now() - started) / 1000;
    const synthetic = (name: string, value: number): SeriesSamples => ({
      labels: { __name__: name, ...targetLabels },
      timestamps: [startMs],
      values: Float64Array.of(value),
    });
    this.#up.set(targetLabels, up);
    const batch = [
      ...samples,
      synthetic('up', up),
      synthetic('scrape_duration_seconds', seconds),
      synthetic('scrape_samples_scraped', samples.length + histograms.length),
      ...this.#stale(target, [...samples, ...histograms], startMs),
    ];
    try {
      if (up === 1) {
        let zeros = this.#created.get(target);
        if (!zeros) this.#created.set(target, (zeros = new CreatedZeros()));
        const fresh = zeros.take(createdFloats, createdHistograms);
        await writer.writeCreatedZeros('scrape', fresh.floats, fresh.histograms);
      }
      await writer.write('scrape', batch, histograms);
    } catch {
      writer.malformed('scrape', 'store_error');
    }
    // Known once its samples are stored, so a reader that sees the scrape also sees its samples.
    this.#health.set(target, {
      target,
      labels: targetLabels,
      health: up === 1 ? 'up' : 'down',
      lastScrapeMs: startMs,
      lastScrapeDurationSeconds: seconds,
      lastError,
      metadata,
    });
  }

  /** Staleness markers, float NaNs as Prometheus writes them, for histogram series too. */
  #stale(
    target: ScrapeTarget,
    samples: readonly { readonly labels: SeriesLabels }[],
    nowMs: number,
  ): SeriesSamples[] {
    const current = new Map<string, SeriesLabels>();
    for (const s of samples) current.set(JSON.stringify(s.labels), s.labels);
    const before = this.#previous.get(target);
    this.#previous.set(target, current);
    if (!before) return [];
    const out: SeriesSamples[] = [];
    for (const [key, labels] of before) {
      if (!current.has(key)) out.push({ labels, timestamps: [nowMs], values: Float64Array.of(staleNaN()) });
    }
    return out;
  }
}

async function readLimited(res: Response, limit: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > limit) throw new Error(`body larger than ${limit} bytes`);
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.length;
    if (size > limit) throw new Error(`body larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** fetch() says only "fetch failed": the reason (refused, timed out, not found) is in its cause. */
function scrapeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : '';
  return cause ? `${error.message}: ${cause}` : error.message;
}
