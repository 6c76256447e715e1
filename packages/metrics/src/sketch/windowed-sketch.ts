import type { Epoch } from './epoch.js';
import { QuantileSketch } from './quantile-sketch.js';

/**
 * Quantiles over a sliding window: a ring of `slots` sketches, each holding one slot of time. A read
 * merges the slots still inside the window, so "the last 5 minutes" in 5 slots covers between 4 and
 * 5 minutes of data, as prom-client's `maxAgeSeconds` / `ageBuckets` do, but each value is inserted
 * once, not into every slot.
 */
export class WindowedSketch {
  readonly #epoch: Epoch;
  readonly #slots: QuantileSketch[];
  readonly #slotEpochs: number[];
  #current: QuantileSketch;
  #at: number;

  constructor(epoch: Epoch, slots: number) {
    this.#epoch = epoch;
    this.#slots = Array.from({ length: slots }, () => new QuantileSketch());
    this.#slotEpochs = new Array<number>(slots).fill(Number.NEGATIVE_INFINITY);
    this.#at = Number.NaN;
    this.#current = this.#slots[0]!;
  }

  add(value: number): void {
    if (this.#epoch.current !== this.#at) this.#rotate(this.#epoch.current);
    this.#current.add(value);
  }

  /** `add` for a positive normal value whose bucketIndex the caller already has. */
  addPositive(value: number, index: number): void {
    if (this.#epoch.current !== this.#at) this.#rotate(this.#epoch.current);
    this.#current.addPositive(value, index);
  }

  #rotate(at: number): void {
    const i = at % this.#slots.length;
    const slot = this.#slots[i]!;
    if (this.#slotEpochs[i] !== at) {
      slot.reset();
      this.#slotEpochs[i] = at;
    }
    this.#current = slot;
    this.#at = at;
  }

  /** A new sketch holding what the window holds now. */
  merged(): QuantileSketch {
    const now = this.#epoch.refresh();
    const out = new QuantileSketch();
    const oldest = now - this.#slots.length + 1;
    for (let i = 0; i < this.#slots.length; i++) {
      const at = this.#slotEpochs[i]!;
      if (at >= oldest && at <= now) out.merge(this.#slots[i]!);
    }
    return out;
  }

  reset(): void {
    for (const slot of this.#slots) slot.reset();
    this.#slotEpochs.fill(Number.NEGATIVE_INFINITY);
    this.#at = Number.NaN;
  }

  bytes(): number {
    let total = 64;
    for (const slot of this.#slots) total += slot.bytes();
    return total;
  }
}
