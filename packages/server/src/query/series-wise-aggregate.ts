import { isStaleNaN, type SampleVisitor, type SeriesLabels } from '../store/series-store.js';
import { type Grouping, groupLabels } from './aggregate.js';
import type { AggregateOp } from './ast.js';
import { addToMean, type CompensatedMean, kahanCompensation, meanOf } from './kahan-sum.js';
import { dropName, type Metric, makeMetric, type Vector } from './metric.js';
import { emptyWindow, type RangeFunction, USES_DROPS } from './range-functions.js';

/** The aggregations whose per-step state is one number (plus a count), so they fold series by series. */
export const SERIES_WISE_OPS: ReadonlySet<AggregateOp> = new Set<AggregateOp>([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
]);

export interface SeriesWiseOptions {
  readonly op: AggregateOp;
  readonly grouping: Grouping;
  readonly fn: RangeFunction;
  readonly steps: Float64Array;
  /**
   * Each step's range ends here (ms, after offset and @, included) and starts `rangeMs` earlier
   * (excluded, as Prometheus 3). Ends never decrease (steps ascend; offset and @ shift or pin them all alike).
   */
  readonly ends: Float64Array;
  readonly rangeMs: number;
  /**
   * Every series of the selector has the same name (it is matched with `=`): dropping it cannot
   * make two label sets equal, so no series needs checking for that.
   */
  readonly namePinned: boolean;
  readonly checkDeadline: () => void;
  /** Called with each series that has an answer at one step or more. */
  readonly answered?: ((labels: SeriesLabels) => void) | undefined;
}

interface Group {
  readonly metric: Metric;
  readonly count: Float64Array;
  readonly value: Float64Array;
  /** `sum`'s and `avg`'s compensation at each step (kahan-sum.ts). */
  readonly compensation: Float64Array;
  /** 1 at the steps where `avg` has turned to an incremental mean (CompensatedMean.incremental). */
  readonly incremental: Uint8Array | undefined;
}

/** The one CompensatedMean that `avg`'s per-step state is loaded into and stored back from. */
const stepMean: CompensatedMean = { value: 0, c: 0, incremental: false };

/**
 * `op by (...) (fn(selector[range]))` evaluated series by series as a store scan hands the samples
 * over: each series is gathered into one buffer reused for every series (stale markers left out,
 * counter drops counted on the way), its windows computed in one pass and folded straight into its
 * group's per-step accumulators. Nothing is allocated per series or per step: a copy of every
 * series' samples plus its drop counts was 5 MB per `sum by (job) (rate(x[5m]))` over 1,000 series
 * (bench/query-rate-sum.js), and the scavenges it caused were a third of the query's time. Each
 * (group, step) accumulates in series order, as the step-wise path and Prometheus do, so the
 * results are the same bit for bit.
 *
 * `collided` says two series would collide once `fn` drops their names: the step-wise path reports
 * that error at the step where it happens, and `result()` is not to be used.
 */
export class SeriesWiseAggregation implements SampleVisitor {
  /** Samples received, over all series. */
  loaded = 0;
  collided = false;
  readonly #o: SeriesWiseOptions;
  readonly #usesDrops: boolean;
  readonly #groups = new Map<string, Group>();
  /** The names `by` keeps, sorted, or undefined for `without`. */
  readonly #byNames: readonly string[] | undefined;
  readonly #named: Set<string> | undefined;
  #labels: SeriesLabels | undefined;
  #ts = new Float64Array(512);
  #vs = new Float64Array(512);
  /** `#drops[i]`: counter drops among `#vs[1..i]` (as countDrops in range-functions.ts). */
  #drops = new Int32Array(512);
  #n = 0;
  #series = 0;
  readonly #w = emptyWindow();

  constructor(options: SeriesWiseOptions) {
    this.#o = options;
    this.#usesDrops = USES_DROPS.has(options.fn);
    const { grouping } = options;
    this.#byNames = grouping.without ? undefined : grouping.labels.filter((n) => n !== '__name__').sort();
    this.#named = options.namePinned ? undefined : new Set();
  }

  series(labels: SeriesLabels): void {
    this.#fold();
    if ((this.#series++ & 63) === 0) this.#o.checkDeadline();
    this.#labels = labels;
    this.#n = 0;
    if (this.#named) {
      const key = dropName(makeMetric(labels)).key;
      if (this.#named.has(key)) this.collided = true;
      this.#named.add(key);
    }
  }

  samples(timestamps: Float64Array, values: Float64Array, n: number): void {
    this.loaded += n;
    if (this.collided) return;
    if (this.#n + n > this.#ts.length) this.#grow(this.#n + n);
    const ts = this.#ts;
    const vs = this.#vs;
    const drops = this.#drops;
    let j = this.#n;
    let dropped = j > 0 ? drops[j - 1]! : 0;
    let last = j > 0 ? vs[j - 1]! : Number.NaN;
    for (let k = 0; k < n; k++) {
      const v = values[k]!;
      if (isStaleNaN(v)) continue;
      if (v < last) dropped++;
      ts[j] = timestamps[k]!;
      vs[j] = v;
      drops[j++] = dropped;
      last = v;
    }
    this.#n = j;
  }

  /** The aggregate at every step; call once after the scan. */
  result(): Vector[] {
    this.#fold();
    const n = this.#o.steps.length;
    const { op } = this.#o;
    const out: Vector[] = Array.from({ length: n }, () => []);
    for (const { metric, count, value, compensation, incremental } of this.#groups.values()) {
      for (let i = 0; i < n; i++) {
        const c = count[i]!;
        if (c === 0) continue;
        let answer: number;
        if (op === 'count') answer = c;
        else if (op === 'group') answer = 1;
        else if (op === 'sum') answer = value[i]! + compensation[i]!;
        else if (op === 'avg') answer = meanOf(loadMean(value, compensation, incremental!, i), c);
        else answer = value[i]!;
        out[i]!.push({ metric, value: answer });
      }
    }
    return out;
  }

  #grow(need: number): void {
    const size = Math.max(need, this.#ts.length * 2);
    const ts = new Float64Array(size);
    const vs = new Float64Array(size);
    const drops = new Int32Array(size);
    ts.set(this.#ts.subarray(0, this.#n));
    vs.set(this.#vs.subarray(0, this.#n));
    drops.set(this.#drops.subarray(0, this.#n));
    this.#ts = ts;
    this.#vs = vs;
    this.#drops = drops;
  }

  /** The group of the series `labels`, made on its first series. */
  #group(labels: SeriesLabels): Group {
    const key = this.#groupKey(labels);
    let group = this.#groups.get(key);
    if (!group) {
      const n = this.#o.steps.length;
      const metric = makeMetric(groupLabels(dropName(makeMetric(labels)), this.#o.grouping));
      group = {
        metric,
        count: new Float64Array(n),
        value: new Float64Array(n),
        compensation: new Float64Array(n),
        incremental: this.#o.op === 'avg' ? new Uint8Array(n) : undefined,
      };
      this.#groups.set(key, group);
    }
    return group;
  }

  /** What identifies the group of `labels`, without making its label set: a label set per series was a tenth of the fold. */
  #groupKey(labels: SeriesLabels): string {
    let key = '';
    if (this.#byNames) {
      for (const name of this.#byNames) {
        const value = labels[name];
        if (value) key += `${name}\xff${value}\xfe`;
      }
      return key;
    }
    const without = this.#o.grouping.labels;
    for (const name of Object.keys(labels).sort()) {
      const value = labels[name];
      if (value && name !== '__name__' && !without.includes(name)) key += `${name}\xff${value}\xfe`;
    }
    return key;
  }

  /** Folds the gathered series into its group at every step. */
  #fold(): void {
    const labels = this.#labels;
    if (labels === undefined || this.collided) return;
    this.#labels = undefined;
    if (this.#n === 0) {
      // A series of stale markers only still makes its group, as it does on the step-wise path.
      this.#group(labels);
      return;
    }
    const { op, fn, steps, ends, rangeMs } = this.#o;
    const { count, value, compensation, incremental } = this.#group(labels);
    const n = steps.length;
    const len = this.#n;
    const ts = this.#ts;
    const w = this.#w;
    w.ts = ts;
    w.vs = this.#vs;
    w.drops = this.#usesDrops ? this.#drops : undefined;
    let from = 0;
    let to = 0;
    let answered = false;
    for (let i = 0; i < n; i++) {
      const end = ends[i]!;
      const start = end - rangeMs;
      w.rangeStart = start;
      w.rangeEnd = end;
      // Ends never decrease: the window's bounds slide forward instead of being searched for again.
      while (from < len && ts[from]! <= start) from++;
      if (to < from) to = from;
      while (to < len && ts[to]! <= end) to++;
      w.from = from;
      w.to = to;
      w.stepTime = steps[i]!;
      if (!fn(w)) continue;
      answered = true;
      const v = w.result;
      const seen = count[i]!;
      count[i] = seen + 1;
      if (seen === 0) {
        value[i] = v;
        continue;
      }
      const acc = value[i]!;
      switch (op) {
        case 'sum':
          compensation[i] = kahanCompensation(acc, v, compensation[i]!);
          value[i] = acc + v;
          break;
        case 'avg': {
          const mean = loadMean(value, compensation, incremental!, i);
          addToMean(mean, v, seen + 1);
          value[i] = mean.value;
          compensation[i] = mean.c;
          incremental![i] = mean.incremental ? 1 : 0;
          break;
        }
        case 'min':
          if (Number.isNaN(acc) || v < acc) value[i] = v;
          break;
        case 'max':
          if (Number.isNaN(acc) || v > acc) value[i] = v;
          break;
        default:
          break;
      }
    }
    if (answered) this.#o.answered?.(labels);
  }
}

function loadMean(value: Float64Array, c: Float64Array, incremental: Uint8Array, i: number): CompensatedMean {
  stepMean.value = value[i]!;
  stepMean.c = c[i]!;
  stepMean.incremental = incremental[i] === 1;
  return stepMean;
}
