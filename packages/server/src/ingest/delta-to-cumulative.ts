import type { Clock } from '@vigil/metrics';

export interface DeltaToCumulativeOptions {
  readonly clock: Clock;
  /** Most streams kept; a new stream beyond it is refused until others expire. */
  readonly maxStreams: number;
  /** A stream that received nothing for this long is forgotten; its next point starts from zero. */
  readonly idleMs: number;
}

interface Stream {
  values: number[];
  lastTimeMs: number;
  seenAtMs: number;
}

export type DeltaOutcome =
  | { readonly ok: true; readonly values: readonly number[] }
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
   * stream and answers the totals. A point not newer than the last one of its stream is refused,
   * since adding it twice would count it twice.
   */
  add(key: string, timeMs: number, deltas: readonly number[]): DeltaOutcome {
    const now = this.#o.clock.now();
    this.#sweep(now);
    const stream = this.#streams.get(key);
    if (!stream) {
      if (this.#streams.size >= this.#o.maxStreams) return { ok: false, reason: 'too_many_streams' };
      this.#streams.set(key, { values: [...deltas], lastTimeMs: timeMs, seenAtMs: now });
      return { ok: true, values: deltas };
    }
    if (timeMs <= stream.lastTimeMs) return { ok: false, reason: 'out_of_order' };
    // A histogram whose buckets changed starts over: its old totals no longer line up.
    if (stream.values.length !== deltas.length) stream.values = [...deltas];
    else for (let i = 0; i < deltas.length; i++) stream.values[i]! += deltas[i]!;
    stream.lastTimeMs = timeMs;
    stream.seenAtMs = now;
    return { ok: true, values: [...stream.values] };
  }

  #sweep(now: number): void {
    if (now - this.#sweptAtMs < this.#o.idleMs / 4) return;
    this.#sweptAtMs = now;
    for (const [key, stream] of this.#streams) {
      if (now - stream.seenAtMs >= this.#o.idleMs) this.#streams.delete(key);
    }
  }
}
