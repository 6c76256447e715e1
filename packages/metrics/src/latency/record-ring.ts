import type { Correlation, LatencyRecord, LatencyStatus } from './latency-record.js';
import { STATUSES } from './latency-record.js';

export const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

/**
 * The last `capacity` records, in columns allocated once: a push overwrites the oldest slot and
 * allocates nothing, so the heap stays flat however many records go through (bench/latency-memory.js).
 * Record objects are built only when read.
 */
export class RecordRing {
  readonly capacity: number;
  readonly #types: string[];
  readonly #names: string[];
  readonly #providers: string[];
  readonly #latency: Float64Array;
  readonly #time: Float64Array;
  readonly #status: Uint8Array;
  readonly #correlation: Correlation[];
  readonly #error: Array<string | undefined>;
  readonly #metadata: Array<Readonly<Record<string, unknown>>>;
  #next = 0;
  #size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#types = new Array<string>(capacity).fill('');
    this.#names = new Array<string>(capacity).fill('');
    this.#providers = new Array<string>(capacity).fill('');
    this.#latency = new Float64Array(capacity);
    this.#time = new Float64Array(capacity);
    this.#status = new Uint8Array(capacity);
    this.#correlation = new Array<Correlation>(capacity).fill(EMPTY);
    this.#error = new Array<string | undefined>(capacity).fill(undefined);
    this.#metadata = new Array<Readonly<Record<string, unknown>>>(capacity).fill(EMPTY);
  }

  get size(): number {
    return this.#size;
  }

  push(
    type: string,
    name: string,
    provider: string,
    latencyMs: number,
    status: number,
    timestamp: number,
    correlation: Correlation,
    error: string | undefined,
    metadata: Readonly<Record<string, unknown>>,
  ): void {
    const i = this.#next;
    this.#types[i] = type;
    this.#names[i] = name;
    this.#providers[i] = provider;
    this.#latency[i] = latencyMs;
    this.#status[i] = status;
    this.#time[i] = timestamp;
    this.#correlation[i] = correlation;
    this.#error[i] = error;
    this.#metadata[i] = metadata;
    this.#next = i + 1 === this.capacity ? 0 : i + 1;
    if (this.#size < this.capacity) this.#size++;
  }

  /** The `limit` newest records, oldest first. */
  recent(limit: number): LatencyRecord[] {
    const n = Math.max(0, Math.min(Math.floor(limit), this.#size));
    const out: LatencyRecord[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = this.#read(this.#slot(this.#size - n + k));
    return out;
  }

  /** Mean latency of the held records of `type` (and `provider`) stamped at or after `since`; NaN if none. */
  average(type: string, since: number, provider: string | undefined): number {
    let sum = 0;
    let n = 0;
    for (let k = 0; k < this.#size; k++) {
      const i = this.#slot(k);
      if (this.#types[i] !== type || this.#time[i]! < since) continue;
      if (provider !== undefined && this.#providers[i] !== provider) continue;
      sum += this.#latency[i]!;
      n++;
    }
    return n === 0 ? Number.NaN : sum / n;
  }

  /** Forgets every record and releases what they referenced. */
  clear(): void {
    this.#types.fill('');
    this.#names.fill('');
    this.#providers.fill('');
    this.#correlation.fill(EMPTY);
    this.#error.fill(undefined);
    this.#metadata.fill(EMPTY);
    this.#next = 0;
    this.#size = 0;
  }

  /** The slot of the k-th oldest record held. */
  #slot(k: number): number {
    const start = this.#size < this.capacity ? 0 : this.#next;
    const i = start + k;
    return i >= this.capacity ? i - this.capacity : i;
  }

  #read(i: number): LatencyRecord {
    return {
      type: this.#types[i]!,
      name: this.#names[i]!,
      latencyMs: this.#latency[i]!,
      status: STATUSES[this.#status[i]!] as LatencyStatus,
      timestamp: this.#time[i]!,
      provider: this.#providers[i]!,
      correlation: this.#correlation[i]!,
      error: this.#error[i],
      metadata: this.#metadata[i]!,
    };
  }
}
