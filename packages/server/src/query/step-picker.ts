import { isStaleNaN, type SampleVisitor, type SeriesLabels } from '../store/series-store.js';
import type { SelectorRow } from './evaluator.js';
import { makeMetric } from './metric.js';

/**
 * A bare selector over a range query's steps, fed a scan's samples: for each series, the newest
 * sample at or before each step's end, unless it is a staleness marker or not newer than the step's
 * end minus the lookback (left-open, as Prometheus 3).
 * Step ends must not decrease (steps ascend; offset and @ shift or pin them all alike).
 */
export class StepPicker implements SampleVisitor {
  readonly rows: SelectorRow[] = [];
  /** Samples received, over all series. */
  loaded = 0;
  readonly #ends: Float64Array;
  readonly #lookbackMs: number;
  #labels: SeriesLabels | undefined;
  /**
   * The current series' answers, copied out at their exact length when it ends: a row sized for
   * every step would make a selector over many sparse series hold 12 bytes per step and series.
   */
  readonly #steps: Uint32Array;
  readonly #values: Float64Array;
  #n = 0;
  /** The next step to answer. */
  #i = 0;
  #lastT = Number.NEGATIVE_INFINITY;
  #lastV = 0;
  #lastStale = false;

  constructor(ends: Float64Array, lookbackMs: number) {
    this.#ends = ends;
    this.#lookbackMs = lookbackMs;
    this.#steps = new Uint32Array(ends.length);
    this.#values = new Float64Array(ends.length);
  }

  series(labels: SeriesLabels): void {
    this.finish();
    this.#labels = labels;
    this.#n = 0;
    this.#i = 0;
    this.#lastT = Number.NEGATIVE_INFINITY;
    this.#lastStale = false;
  }

  samples(timestamps: Float64Array, values: Float64Array, n: number): void {
    this.loaded += n;
    const ends = this.#ends;
    for (let k = 0; k < n; k++) {
      const t = timestamps[k]!;
      while (this.#i < ends.length && ends[this.#i]! < t) this.#answer();
      const v = values[k]!;
      this.#lastT = t;
      this.#lastV = v;
      this.#lastStale = isStaleNaN(v);
    }
  }

  /** Answers the remaining steps of the current series; call once after the scan. */
  finish(): void {
    if (!this.#labels) return;
    while (this.#i < this.#ends.length) this.#answer();
    if (this.#n > 0)
      this.rows.push({
        metric: makeMetric(this.#labels),
        steps: this.#steps.slice(0, this.#n),
        values: this.#values.slice(0, this.#n),
      });
    this.#labels = undefined;
  }

  #answer(): void {
    const i = this.#i++;
    if (this.#lastStale || this.#lastT <= this.#ends[i]! - this.#lookbackMs) return;
    this.#steps[this.#n] = i;
    this.#values[this.#n++] = this.#lastV;
  }
}
