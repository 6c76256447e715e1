import type { Clock } from '@vigil/metrics';

export interface DeltaToCumulativeOptions {
  readonly clock: Clock;
  /**
   * Most memory the streams may take (the OTLP share of memory.limit), estimated by `streamBytes`;
   * a new stream beyond it is refused until idle ones expire.
   */
  readonly maxBytes: number;
  /** A stream that received nothing for this long is forgotten; its next point starts from zero. */
  readonly idleMs: number;
}

interface Stream {
  readonly bytes: number;
  total: unknown;
  lastTimeMs: number;
  seenAtMs: number;
}

export type DeltaOutcome<T = readonly number[]> =
  | { readonly ok: true; readonly values: T }
  | { readonly ok: false; readonly reason: 'out_of_order' | 'too_many_streams' };

/**
 * Sums delta points into running totals, as Prometheus's opt-in delta-to-cumulative conversion (the
 * OpenTelemetry Collector's deltatocumulative processor) does. State lives in memory only: after a
 * restart every stream starts again from its next delta, which `rate()` and `increase()` read as a
 * counter reset.
 */
export class DeltaToCumulative {
  readonly #o: DeltaToCumulativeOptions;
  readonly #streams = new Map<string, Stream>();
  #bytes = 0;
  #sweptAtMs: number;

  constructor(options: DeltaToCumulativeOptions) {
    this.#o = options;
    this.#sweptAtMs = options.clock.now();
  }

  get size(): number {
    return this.#streams.size;
  }

  /**
   * Adds one delta point's values (a sum's value; a histogram's count, sum and bucket counts) to its
   * stream and answers the totals. A histogram whose buckets changed starts over: its old totals no
   * longer line up.
   */
  add(key: string, timeMs: number, deltas: readonly number[]): DeltaOutcome {
    return this.accumulate(key, timeMs, deltas, (total, d) =>
      total.length !== d.length ? d : total.map((v, i) => v + d[i]!),
    );
  }

  /**
   * Adds `delta` to the total of stream `key` with `plus` (which returns a new total) and answers
   * the total. A point not newer than the last one of its stream is refused, since adding it twice
   * would count it twice. A key names one kind of total: `plus` sees only totals it made.
   */
  accumulate<T>(key: string, timeMs: number, delta: T, plus: (total: T, delta: T) => T): DeltaOutcome<T> {
    const now = this.#o.clock.now();
    this.#sweep(now);
    const stream = this.#streams.get(key);
    if (!stream) {
      const bytes = streamBytes(key, delta);
      if (this.#bytes + bytes > this.#o.maxBytes) return { ok: false, reason: 'too_many_streams' };
      this.#bytes += bytes;
      this.#streams.set(key, { bytes, total: delta, lastTimeMs: timeMs, seenAtMs: now });
      return { ok: true, values: delta };
    }
    if (timeMs <= stream.lastTimeMs) return { ok: false, reason: 'out_of_order' };
    stream.total = plus(stream.total as T, delta);
    stream.lastTimeMs = timeMs;
    stream.seenAtMs = now;
    return { ok: true, values: stream.total as T };
  }

  #sweep(now: number): void {
    if (now - this.#sweptAtMs < this.#o.idleMs / 4) return;
    this.#sweptAtMs = now;
    for (const [key, stream] of this.#streams) {
      if (now - stream.seenAtMs >= this.#o.idleMs) {
        this.#streams.delete(key);
        this.#bytes -= stream.bytes;
      }
    }
  }
}

/**
 * What a stream is estimated to take: its key (labels, one byte a character), about 200 bytes of
 * objects and map entry, and its first total (8 bytes a number, in arrays and histogram objects
 * alike). A histogram whose buckets grow later keeps the estimate of its first point.
 */
function streamBytes(key: string, total: unknown): number {
  return 200 + key.length + valueBytes(total);
}

function valueBytes(value: unknown): number {
  if (typeof value === 'number') return 8;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + valueBytes(v), 16);
  if (value && typeof value === 'object') {
    let n = 32;
    for (const v of Object.values(value)) n += valueBytes(v);
    return n;
  }
  return 8;
}
