import type { Counter, Registry } from '@vigil/metrics';
import { encodeRemoteWrite } from '../ingest/remote-write.js';
import type {
  AppendResult,
  LabelMatcher,
  RollupData,
  RollupResolution,
  RollupSelectOptions,
  SampleVisitor,
  SelectOptions,
  SeriesData,
  SeriesHistograms,
  SeriesLabels,
  SeriesSamples,
  SeriesStore,
  StoreStats,
} from '../store/series-store.js';
import { rollupBucketStart } from '../store/series-store.js';
import { StoreLimitError } from '../store/store-limit-error.js';
import { type ApiQueryData, readQueryResult } from './api-result.js';
import { orderedBatch } from './ordered-batch.js';
import { QueueFullError } from './queue-full-error.js';
import { RemoteApi, selectorOf } from './remote-api.js';
import { RemoteWriter } from './remote-writer.js';
import { SegmentQueue } from './segment-queue.js';

export interface RemoteStoreOptions {
  /** The remote's remote-write endpoint, e.g. http://127.0.0.1:8428/api/v1/write. */
  readonly writeUrl: string;
  /** The remote's base URL for its Prometheus HTTP API, e.g. http://127.0.0.1:8428. */
  readonly queryUrl: string;
  /** Where the queue's segment files live. */
  readonly queueDir: string;
  /** Most bytes queued on disk; past it, ingest is refused (503). */
  readonly queueMaxBytes: number;
  readonly registry: Registry;
  readonly timeoutMs?: number;
  /** Passed to the RemoteWriter (tests inject a sleep that does not wait). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

/**
 * The distributed backend as a SeriesStore: appends go to a durable on-disk queue that a
 * RemoteWriter drains to the remote by Prometheus remote write; reads (series, label names and
 * values, raw samples for the dashboard) ask the remote's Prometheus HTTP API. Rollups are folded
 * here from raw samples, since the API has no such call.
 */
export class RemoteStore implements SeriesStore {
  readonly #queue: SegmentQueue;
  readonly #writer: RemoteWriter;
  readonly #api: RemoteApi;
  readonly #rejected: Counter;
  #closed = false;

  constructor(options: RemoteStoreOptions) {
    this.#queue = new SegmentQueue(options.queueDir, options.queueMaxBytes);
    this.#writer = new RemoteWriter({
      queue: this.#queue,
      url: options.writeUrl,
      registry: options.registry,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.minBackoffMs !== undefined ? { minBackoffMs: options.minBackoffMs } : {}),
      ...(options.maxBackoffMs !== undefined ? { maxBackoffMs: options.maxBackoffMs } : {}),
    });
    this.#api = new RemoteApi(options.queryUrl, options.timeoutMs ?? 120_000);
    this.#rejected = options.registry.counter({
      name: 'vigil_remote_rejected_samples_total',
      help: 'Samples ingest refused (503) because the remote-write queue was full.',
    });
    this.#writer.start();
  }

  /** Durable once it resolves: the batch is in an fsynced segment file. Throws QueueFullError when full. */
  async append(batch: readonly SeriesSamples[]): Promise<AppendResult> {
    const ordered = orderedBatch(batch);
    const { accepted } = this.#push(ordered.series, []);
    return { accepted, rejected: ordered.rejected };
  }

  /**
   * Native histogram samples, sent as remote write 1.0's `TimeSeries.histograms` (Prometheus needs
   * `--enable-feature=native-histograms` to take them; VictoriaMetrics turns them into its own buckets).
   */
  async appendHistograms(batch: readonly SeriesHistograms[]): Promise<AppendResult> {
    return this.#push([], batch);
  }

  #push(floats: readonly SeriesSamples[], histograms: readonly SeriesHistograms[]): AppendResult {
    if (this.#closed) throw new Error('RemoteStore: append after close');
    let samples = 0;
    for (const s of floats) samples += s.timestamps.length;
    for (const s of histograms) samples += s.histograms.length;
    if (samples === 0) return { accepted: 0, rejected: {} };
    try {
      this.#queue.push(encodeRemoteWrite(floats, histograms), samples);
    } catch (error) {
      if (error instanceof QueueFullError) this.#rejected.inc(samples);
      throw error;
    }
    this.#writer.notify();
    return { accepted: samples, rejected: {} };
  }

  /**
   * Raw samples through an instant query of a range selector, which every Prometheus-compatible
   * engine answers with the stored points. The range is one millisecond longer than asked and cut at
   * `start` here: Prometheus 3 leaves a range's start out, 2.x keeps it, and `select` includes it.
   * Over the API's JSON a NaN loses its payload and staleness markers are not returned.
   */
  async select(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    options?: SelectOptions,
  ): Promise<SeriesData[]> {
    const rangeMs = Math.max(0, Math.round(end - start)) + 1;
    const answer = await this.#api.call<ApiQueryData>('/api/v1/query', [
      ['query', `${selectorOf(matchers)}[${rangeMs}ms]`],
      ['time', String(end / 1000)],
    ]);
    const data = readQueryResult(answer, end);
    if (data.resultType !== 'matrix') return [];
    const out: SeriesData[] = [];
    let total = 0;
    for (const s of data.result) {
      let from = 0;
      while (from < s.timesMs.length && s.timesMs[from]! < start) from++;
      if (from === s.timesMs.length) continue;
      if (options?.maxSeries !== undefined && out.length === options.maxSeries)
        throw new StoreLimitError('maxSeries', options.maxSeries);
      total += s.timesMs.length - from;
      if (options?.maxSamples !== undefined && total > options.maxSamples)
        throw new StoreLimitError('maxSamples', options.maxSamples);
      out.push({ labels: s.metric, timestamps: s.timesMs.subarray(from), values: s.values.subarray(from) });
    }
    return out;
  }

  async scan(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    visitor: SampleVisitor,
    options?: SelectOptions,
  ): Promise<void> {
    for (const s of await this.select(matchers, start, end, options)) {
      visitor.series(s.labels);
      visitor.samples(s.timestamps, s.values, s.timestamps.length);
    }
  }

  async selectRollup(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    resolutionMs: RollupResolution,
    options?: RollupSelectOptions,
  ): Promise<RollupData[]> {
    const bucketStart = rollupBucketStart(start, end, resolutionMs, options?.days);
    const raw = await this.select(matchers, start, end, options);
    return raw.map((s) => foldRollup(s, bucketStart));
  }

  series(
    matchers: readonly (readonly LabelMatcher[])[],
    start: number,
    end: number,
  ): Promise<SeriesLabels[]> {
    return this.#api.call('/api/v1/series', [...matchParams(matchers), ...timeParams(start, end)]);
  }

  labelNames(matchers: readonly (readonly LabelMatcher[])[], start: number, end: number): Promise<string[]> {
    return this.#api.call('/api/v1/labels', [...matchParams(matchers), ...timeParams(start, end)]);
  }

  labelValues(
    name: string,
    matchers: readonly (readonly LabelMatcher[])[],
    start: number,
    end: number,
  ): Promise<string[]> {
    return this.#api.get(`/api/v1/label/${encodeURIComponent(name)}/values`, [
      ...matchParams(matchers),
      ...timeParams(start, end),
    ]);
  }

  /** Nothing to do: append returns only once its batch is fsynced in the queue. */
  async flush(): Promise<void> {}

  /** The send queue answers for itself: a full queue refuses an append with a QueueFullError. */
  unwritable(): string | undefined {
    return undefined;
  }

  /** What is known locally: the queue. The remote's own figures are in its own API. */
  async stats(): Promise<StoreStats> {
    return {
      series: 0,
      samples: this.#queue.samples,
      bytes: this.#queue.bytes,
      oldestMs: undefined,
      newestMs: undefined,
    };
  }

  /** Stops sending; the queue stays on disk and is sent after the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#writer.close();
  }
}

function matchParams(matchers: readonly (readonly LabelMatcher[])[]): [string, string][] {
  return matchers.map((m) => ['match[]', selectorOf(m)]);
}

/** The remote's own defaults stand for "all time": a start of 0 or an end past year 9999 is left out. */
function timeParams(start: number, end: number): [string, string][] {
  const out: [string, string][] = [];
  if (start > 0) out.push(['start', String(start / 1000)]);
  if (end < 253_402_300_800_000) out.push(['end', String(end / 1000)]);
  return out;
}

function foldRollup(s: SeriesData, bucketOf: (t: number) => number): RollupData {
  const starts: number[] = [];
  const count: number[] = [];
  const sum: number[] = [];
  const min: number[] = [];
  const max: number[] = [];
  const last: number[] = [];
  const dropped: number[] = [];
  for (let i = 0; i < s.timestamps.length; i++) {
    const bucket = bucketOf(s.timestamps[i]!);
    const v = s.values[i]!;
    const reset = i > 0 && v < s.values[i - 1]! ? s.values[i - 1]! : 0;
    const k = starts.length - 1;
    if (k < 0 || starts[k] !== bucket) {
      starts.push(bucket);
      count.push(1);
      sum.push(v);
      min.push(v);
      max.push(v);
      last.push(v);
      dropped.push(reset);
      continue;
    }
    count[k]! += 1;
    sum[k]! += v;
    dropped[k]! += reset;
    if (v < min[k]!) min[k] = v;
    if (v > max[k]!) max[k] = v;
    last[k] = v;
  }
  return {
    labels: s.labels,
    timestamps: Float64Array.from(starts),
    count: Float64Array.from(count),
    sum: Float64Array.from(sum),
    min: Float64Array.from(min),
    max: Float64Array.from(max),
    last: Float64Array.from(last),
    dropped: Float64Array.from(dropped),
  };
}
