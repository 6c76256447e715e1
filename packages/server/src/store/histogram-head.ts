import { encodeHistogramChunk } from './histogram-codec.js';
import type { NativeHistogram } from './native-histogram.js';
import { ACCEPTED, CHUNK_SPAN_MS, DUPLICATE, OUT_OF_ORDER } from './series-state.js';

/** A histogram chunk cut from the head and not yet written. */
export interface CutHistogramChunk {
  readonly minT: number;
  readonly maxT: number;
  readonly count: number;
  readonly data: Uint8Array;
}

/** Samples a histogram chunk holds at most: about 30 minutes of a 15 s scrape, a few KiB. */
export const HISTOGRAM_CHUNK_SAMPLES = 120;

/**
 * What one native histogram sample takes in V8's heap while it waits in a head, estimated from its
 * buckets and spans. Measured with node --expose-gc over 20,000 histograms: 650 bytes with 8 buckets
 * in 1 span, 900 with 20 in 2, 1,760 with 100 in 4, 2,610 with 160 in 8.
 */
export function nativeHistogramBytes(h: NativeHistogram): number {
  const buckets =
    h.kind === 'int'
      ? h.positiveDeltas.length + h.negativeDeltas.length
      : h.positiveCounts.length + h.negativeCounts.length;
  return 600 + 10 * buckets + 50 * (h.positiveSpans.length + h.negativeSpans.length);
}

/**
 * What the store keeps in memory of one series' native histogram samples: the open head (written
 * whole to the `histogram_head` table at each flush, as float heads are), the chunks cut since the
 * last flush, and the time bounds of everything kept. Samples arrive in time order: a histogram
 * older than the newest is refused as out of order (Prometheus 2.42 accepts none either).
 */
export class HistogramHead {
  timestamps: number[] = [];
  histograms: NativeHistogram[] = [];
  pending: CutHistogramChunk[] = [];
  /** Oldest and newest sample kept, stored or in memory. */
  firstT = Number.POSITIVE_INFINITY;
  lastT = Number.NEGATIVE_INFINITY;
  /** Chunks in the histogram_chunks table. */
  storedChunks = 0;
  /** What the samples of the open head take in memory (`nativeHistogramBytes`, summed). */
  bytes = 0;
  /** Changed since the last flush. */
  dirty = false;

  append(t: number, h: NativeHistogram): number {
    if (t === this.lastT) return DUPLICATE;
    if (t < this.lastT) return OUT_OF_ORDER;
    const first = this.timestamps[0];
    if (
      first !== undefined &&
      (this.timestamps.length >= HISTOGRAM_CHUNK_SAMPLES || t - first >= CHUNK_SPAN_MS)
    )
      this.cut();
    this.timestamps.push(t);
    this.histograms.push(h);
    this.bytes += nativeHistogramBytes(h);
    this.lastT = t;
    if (t < this.firstT) this.firstT = t;
    this.dirty = true;
    return ACCEPTED;
  }

  cut(): void {
    const n = this.timestamps.length;
    if (n === 0) return;
    this.pending.push({
      minT: this.timestamps[0]!,
      maxT: this.timestamps[n - 1]!,
      count: n,
      data: encodeHistogramChunk(this.timestamps, this.histograms),
    });
    this.timestamps = [];
    this.histograms = [];
    this.bytes = 0;
    this.dirty = true;
  }

  /** Replaces the open head's samples (read back at start-up, or what retention keeps of them). */
  setHead(timestamps: number[], histograms: NativeHistogram[]): void {
    this.timestamps = timestamps;
    this.histograms = histograms;
    this.bytes = 0;
    for (const h of histograms) this.bytes += nativeHistogramBytes(h);
  }

  /** The bytes of the chunks cut and not yet written. */
  get pendingBytes(): number {
    let bytes = 0;
    for (const c of this.pending) bytes += c.data.length;
    return bytes;
  }

  /** Whether anything is kept, in memory or on disk. */
  get empty(): boolean {
    return this.timestamps.length === 0 && this.pending.length === 0 && this.storedChunks === 0;
  }
}
