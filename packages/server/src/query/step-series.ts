import type { SeriesLabels } from '../store/series-store.js';
import { formatValue } from './format-value.js';
import type { ApiPoint } from './query-engine.js';

/**
 * One series of a range query's answer as the evaluator produced it: which steps have a value, and
 * the values. It reads as the API's `{ metric, values: [[seconds, "value"], ...] }`: `values` is an
 * own enumerable property built on first read, so JSON.stringify, spreading and deep equality all see
 * that shape. The HTTP layer writes the JSON from the numbers instead (http/query-json.ts): building
 * 8,641 points of strings and then having JSON.stringify format their timestamps was a third of a
 * 30-day range query's time.
 */
export class StepSeries {
  readonly metric: SeriesLabels;
  declare readonly values: ApiPoint[];
  readonly #times: Float64Array;
  readonly #at: ArrayLike<number>;
  readonly #samples: ArrayLike<number>;

  /**
   * `times`: the query's step times in ms, shared by the answer's series; point `i` is at step
   * `at[i]` with value `samples[i]`.
   */
  constructor(metric: SeriesLabels, times: Float64Array, at: ArrayLike<number>, samples: ArrayLike<number>) {
    this.metric = metric;
    this.#times = times;
    this.#at = at;
    this.#samples = samples;
    let points: ApiPoint[] | undefined;
    Object.defineProperty(this, 'values', {
      enumerable: true,
      get: () => {
        points ??= Array.from({ length: at.length }, (_, i) => [
          this.timeMs(i) / 1000,
          formatValue(samples[i]!),
        ]);
        return points;
      },
    });
  }

  get length(): number {
    return this.#at.length;
  }

  /** Time of point `i` in ms. */
  timeMs(i: number): number {
    return this.#times[this.#at[i]!]!;
  }

  value(i: number): number {
    return this.#samples[i]!;
  }
}
