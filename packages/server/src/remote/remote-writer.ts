import { Backoff, type Counter, type Registry } from '@vigil/metrics';
import type { SegmentQueue } from './segment-queue.js';

export interface RemoteWriterOptions {
  readonly queue: SegmentQueue;
  /** The remote's remote-write endpoint, e.g. http://127.0.0.1:8428/api/v1/write. */
  readonly url: string;
  readonly registry: Registry;
  /** First wait after a failed send; doubled after each failure up to `maxBackoffMs`. Default 100. */
  readonly minBackoffMs?: number;
  /** Default 30000. */
  readonly maxBackoffMs?: number;
  /** Per request. Default 30000. */
  readonly timeoutMs?: number;
  /** How the writer waits between retries; injected so tests do not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What became of one send: taken, refused for good (dropped), or worth retrying, and why. */
type SendOutcome =
  | { readonly kind: 'sent' }
  | { readonly kind: 'drop'; readonly status: number }
  | { readonly kind: 'retry'; readonly reason: string };

const realSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/**
 * Sends the queue's segments to the remote in order, one at a time, as Prometheus's remote write
 * does per shard. 2xx removes the segment; 5xx, 429 and network errors are retried with exponential
 * backoff, forever, since the segment is on disk and acknowledged; any other 4xx means the remote
 * will never take it (Prometheus drops such batches too), so it is dropped and counted.
 */
export class RemoteWriter {
  readonly #o: Required<Omit<RemoteWriterOptions, 'registry' | 'minBackoffMs' | 'maxBackoffMs'>>;
  /** Without jitter: there is one writer per server, so no crowd of clients to spread out. */
  readonly #backoff: Backoff;
  readonly #sent: Counter;
  readonly #failed: Counter;
  readonly #dropped: Counter;
  #wake: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  #markClosed!: () => void;
  readonly #closedSignal = new Promise<void>((resolve) => {
    this.#markClosed = resolve;
  });

  constructor(options: RemoteWriterOptions) {
    this.#o = {
      queue: options.queue,
      url: options.url,
      timeoutMs: options.timeoutMs ?? 30_000,
      sleep: options.sleep ?? realSleep,
    };
    this.#backoff = new Backoff(
      { initialDelayMs: options.minBackoffMs, maxDelayMs: options.maxBackoffMs },
      { initialDelayMs: 100, maxDelayMs: 30_000, jitter: 0 },
      'remote',
    );
    const { registry, queue } = options;
    registry.gauge({
      name: 'vigil_remote_queue_segments',
      help: 'Remote-write request bodies waiting on disk for the remote engine.',
      collect: (g) => g.set(queue.length),
    });
    registry.gauge({
      name: 'vigil_remote_queue_samples',
      help: 'Samples waiting on disk for the remote engine.',
      collect: (g) => g.set(queue.samples),
    });
    registry.gauge({
      name: 'vigil_remote_queue_bytes',
      help: 'Bytes of the remote-write queue on disk.',
      collect: (g) => g.set(queue.bytes),
    });
    this.#sent = registry.counter({
      name: 'vigil_remote_sent_samples_total',
      help: 'Samples the remote engine accepted.',
    });
    this.#failed = registry.counter({
      name: 'vigil_remote_failed_requests_total',
      help: 'Remote-write requests that failed and will be retried, by reason.',
      labelNames: ['reason'],
    });
    this.#dropped = registry.counter({
      name: 'vigil_remote_dropped_samples_total',
      help: 'Samples the remote engine refused for good (a 4xx other than 429), by status.',
      labelNames: ['status'],
    });
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /** Called after each push, so a waiting writer sends at once. */
  notify(): void {
    this.#wake?.();
  }

  /** Stops after the request under way; what is left stays on disk for the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#markClosed();
    await this.#running;
  }

  async #run(): Promise<void> {
    let failures = 0;
    const { queue } = this.#o;
    while (!this.#closed) {
      const segment = queue.peek();
      if (!segment) {
        await Promise.race([
          new Promise<void>((resolve) => {
            this.#wake = resolve;
          }),
          this.#closedSignal,
        ]);
        this.#wake = undefined;
        continue;
      }
      let body: Uint8Array;
      try {
        body = queue.read(segment);
      } catch {
        // The file is unreadable (removed under us, a disk error): waiting and reading again is all there is to do.
        this.#failed.inc({ reason: 'read_error' });
        await Promise.race([this.#o.sleep(this.#backoff.delayMs(++failures)), this.#closedSignal]);
        continue;
      }
      const outcome = await this.#send(body);
      if (outcome.kind !== 'retry') {
        queue.shift();
        if (outcome.kind === 'sent') this.#sent.inc(segment.samples);
        else this.#dropped.inc({ status: String(outcome.status) }, segment.samples);
        failures = 0;
        continue;
      }
      this.#failed.inc({ reason: outcome.reason });
      await Promise.race([this.#o.sleep(this.#backoff.delayMs(++failures)), this.#closedSignal]);
    }
  }

  async #send(body: Uint8Array): Promise<SendOutcome> {
    try {
      const res = await fetch(this.#o.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-protobuf',
          'Content-Encoding': 'snappy',
          'X-Prometheus-Remote-Write-Version': '0.1.0',
          'User-Agent': 'vigil',
        },
        body,
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
      await res.arrayBuffer();
      if (res.ok) return { kind: 'sent' };
      if (res.status === 429 || res.status >= 500) return { kind: 'retry', reason: `http_${res.status}` };
      return { kind: 'drop', status: res.status };
    } catch {
      return { kind: 'retry', reason: 'network' };
    }
  }
}
