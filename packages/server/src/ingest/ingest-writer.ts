import type { Counter, Registry } from '@vigil/metrics';
import { DEFAULT_LABEL_LIMITS, type LabelLimits } from '../config/label-limits.js';
import { ServerError } from '../errors/server-error.js';
import { Pacer } from '../store/pacer.js';
import type { AppendResult, SeriesHistograms, SeriesSamples, SeriesStore } from '../store/series-store.js';
import { StoreUnwritableError } from '../store/store-unwritable-error.js';
import { labelLimitViolation } from './label-limits.js';
import { MetricMetadata } from './metric-metadata.js';

/** Where ingested samples come from; each is counted apart. */
export type IngestSource =
  | 'scrape'
  | 'statsd'
  | 'remote_write'
  | 'import_prometheus'
  | 'pushgateway'
  | 'influx'
  | 'json'
  | 'heartbeat'
  | 'otlp';

/**
 * Sources whose samples nobody acknowledges (a UDP datagram, a scrape, the Pushgateway groups
 * sampled again): while the store cannot write, theirs are dropped and counted, never queued.
 */
const UNACKNOWLEDGED: ReadonlySet<IngestSource> = new Set(['scrape', 'statsd', 'pushgateway']);
const COUNT_ALL: ReadonlySet<string> = new Set();
const ZERO_REFUSALS: ReadonlySet<string> = new Set(['out_of_order', 'duplicate', 'label_limit']);

/**
 * Appends what every ingest path produces to the store and counts it: samples accepted, samples the
 * store rejected (by reason), and input that never became a sample because it was malformed.
 */
export class IngestWriter {
  readonly #store: SeriesStore;
  readonly #samples: Counter;
  readonly #rejected: Counter;
  readonly #malformed: Counter;
  /** TYPE and HELP of the families read from exposition text, for /api/v1/metadata. */
  readonly metadata = new MetricMetadata();

  readonly #limits: LabelLimits;

  constructor(store: SeriesStore, registry: Registry, limits: LabelLimits = DEFAULT_LABEL_LIMITS) {
    this.#store = store;
    this.#limits = limits;
    this.#samples = registry.counter({
      name: 'vigil_ingest_samples_total',
      help: 'Samples stored, by ingest source.',
      labelNames: ['source'],
    });
    this.#rejected = registry.counter({
      name: 'vigil_ingest_rejected_samples_total',
      help: 'Samples the store refused, by ingest source and reason.',
      labelNames: ['source', 'reason'],
    });
    this.#malformed = registry.counter({
      name: 'vigil_ingest_malformed_total',
      help: 'Input that could not be read (lines, datagrams, requests), by ingest source and reason.',
      labelNames: ['source', 'reason'],
    });
  }

  /**
   * Throws a StoreUnwritableError (HTTP 503) while the store cannot make samples durable: a request
   * path calls it before it changes anything, so a 2xx always means the samples are or will be on disk.
   */
  assertWritable(): void {
    const reason = this.#store.unwritable();
    if (reason !== undefined) throw new StoreUnwritableError(reason);
  }

  /**
   * Appends the float samples `batch` and the native histogram samples `histograms`, counted
   * together. Both are held to the label limits before either is stored, so an acknowledged write
   * is refused whole. While the store cannot write, an acknowledged source gets a
   * StoreUnwritableError and the samples of an unacknowledged one are dropped (counted as rejected,
   * reason `unwritable`).
   */
  async write(
    source: IngestSource,
    batch: readonly SeriesSamples[],
    histograms: readonly SeriesHistograms[] = [],
  ): Promise<AppendResult> {
    return this.#write(source, batch, histograms, COUNT_ALL);
  }

  /**
   * Appends the zero samples at series' created timestamps (see CreatedZeros), before the samples
   * they precede. A zero the store refuses because the series already has a sample at or after it (a
   * restart of vigil, a series that came back) is not needed and not counted as rejected, as
   * Prometheus ignores its ErrOutOfOrderCT; nor is one past the label limits, which its sample counts.
   */
  async writeCreatedZeros(
    source: IngestSource,
    batch: readonly SeriesSamples[],
    histograms: readonly SeriesHistograms[],
  ): Promise<void> {
    await this.#write(source, batch, histograms, ZERO_REFUSALS);
  }

  async #write(
    source: IngestSource,
    batch: readonly SeriesSamples[],
    histograms: readonly SeriesHistograms[],
    uncounted: ReadonlySet<string>,
  ): Promise<AppendResult> {
    if (batch.length === 0 && histograms.length === 0) return { accepted: 0, rejected: {} };
    const floatCount = (s: SeriesSamples) => s.timestamps.length;
    const histogramCount = (s: SeriesHistograms) => s.histograms.length;
    const refused = this.#refuseWhileUnwritable(
      source,
      () => sum(batch, floatCount) + sum(histograms, histogramCount),
    );
    if (refused) return refused;
    const floats = await this.#withinLimits(source, batch, floatCount, uncounted);
    const natives = await this.#withinLimits(source, histograms, histogramCount, uncounted);
    const store = this.#store;
    const stored = floats.length > 0 ? await store.append(floats) : { accepted: 0, rejected: {} };
    let result = stored;
    if (natives.length > 0) {
      const more = store.appendHistograms
        ? await store.appendHistograms(natives)
        : { accepted: 0, rejected: { unsupported: sum(natives, histogramCount) } };
      const rejected: Record<string, number> = { ...stored.rejected };
      for (const [reason, n] of Object.entries(more.rejected)) rejected[reason] = (rejected[reason] ?? 0) + n;
      result = { accepted: stored.accepted + more.accepted, rejected };
    }
    this.#count(source, result, uncounted);
    // Acknowledged only once the store says it may be (flushed first while its disk is low).
    if (!UNACKNOWLEDGED.has(source)) await store.beforeAcknowledge?.();
    return result;
  }

  /** While the store cannot write: throws for an acknowledged source, counts the samples dropped for another. */
  #refuseWhileUnwritable(source: IngestSource, samples: () => number): AppendResult | undefined {
    const reason = this.#store.unwritable();
    if (reason === undefined) return undefined;
    if (!UNACKNOWLEDGED.has(source)) throw new StoreUnwritableError(reason);
    const n = samples();
    this.#rejected.inc({ source, reason: 'unwritable' }, n);
    return { accepted: 0, rejected: { unwritable: n } };
  }

  #count(source: IngestSource, result: AppendResult, uncounted: ReadonlySet<string>): void {
    this.#samples.inc({ source }, result.accepted);
    for (const [reason, n] of Object.entries(result.rejected))
      if (!uncounted.has(reason)) this.#rejected.inc({ source, reason }, n);
  }

  /**
   * An acknowledged source's batch with a series past the label limits is refused whole (400, as
   * Prometheus refuses a write with bad labels); an unacknowledged one loses only those series.
   * Paced (store/pacer.ts: the clock looked at every 256 series, the event loop handed back after
   * 10 ms): measuring 20,000 series of 3,000-character labels took 40-70 ms. A write of ordinary
   * size never pauses; pausing every 512 series, or counting label characters to decide, cost each
   * 1,000-series write 2-25% more CPU.
   */
  async #withinLimits<T extends { readonly labels: SeriesSamples['labels'] }>(
    source: IngestSource,
    batch: readonly T[],
    samples: (series: T) => number,
    uncounted: ReadonlySet<string>,
  ): Promise<readonly T[]> {
    let kept: T[] | undefined;
    const pacer = new Pacer(() => {});
    for (let i = 0; i < batch.length; i++) {
      if (pacer.due()) await pacer.pause();
      const series = batch[i]!;
      const violation = labelLimitViolation(series.labels, this.#limits);
      if (violation === undefined) {
        kept?.push(series);
        continue;
      }
      if (!uncounted.has('label_limit'))
        this.#rejected.inc({ source, reason: 'label_limit' }, samples(series));
      if (!UNACKNOWLEDGED.has(source)) throw new ServerError('VIGIL_INGEST_LABEL_LIMIT', violation);
      kept ??= batch.slice(0, i);
    }
    return kept ?? batch;
  }

  malformed(source: IngestSource, reason: string, n = 1): void {
    this.#malformed.inc({ source, reason }, n);
  }
}

function sum<T>(items: readonly T[], count: (item: T) => number): number {
  let n = 0;
  for (const item of items) n += count(item);
  return n;
}
