import { type Grouping, groupLabels } from './aggregate.js';
import type { AggregateOp } from './ast.js';
import { dropName, type Metric, makeMetric, type Vector } from './metric.js';
import { countDrops, emptyWindow, type RangeFunction, USES_DROPS } from './range-functions.js';
import { lowerBound, upperBound } from './time-bounds.js';

/** The aggregations whose per-step state is one number (plus a count), so they fold series by series. */
export const SERIES_WISE_OPS: ReadonlySet<AggregateOp> = new Set<AggregateOp>([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
]);

export interface RangeInput {
  readonly series: readonly {
    readonly metric: Metric;
    readonly ts: Float64Array;
    readonly vs: Float64Array;
  }[];
  /** Each step's range ends here (ms) and starts `rangeMs` earlier. */
  readonly ends: Float64Array;
  readonly rangeMs: number;
}

interface Group {
  readonly metric: Metric;
  readonly count: Float64Array;
  readonly value: Float64Array;
}

/**
 * `op by (...) (fn(selector[range]))` evaluated series by series instead of step by step: each
 * series' windows are computed in one pass and folded straight into its group's per-step
 * accumulators, so no sample object is made per series and step (the step-wise path made 241,000
 * for 1,000 series over 241 steps; bench/query-rate-sum.js). Each (group, step) accumulates in
 * series order, as the step-wise path and Prometheus do, so the results are the same bit for bit.
 *
 * Returns undefined when two series would collide once `fn` drops their names: the step-wise path
 * reports that error at the step where it happens.
 */
export function aggregateRangeSeriesWise(
  op: AggregateOp,
  grouping: Grouping,
  input: RangeInput,
  fn: RangeFunction,
  steps: Float64Array,
  checkDeadline: () => void,
): Vector[] | undefined {
  const named = new Set<string>();
  for (const s of input.series) {
    const key = dropName(s.metric).key;
    if (named.has(key)) return undefined;
    named.add(key);
  }
  const n = steps.length;
  const groups = new Map<string, Group>();
  const { ends, rangeMs } = input;
  let ascending = true;
  for (let i = 1; i < n; i++) if (ends[i]! < ends[i - 1]!) ascending = false;
  const w = emptyWindow();
  const usesDrops = USES_DROPS.has(fn);
  for (let k = 0; k < input.series.length; k++) {
    if ((k & 63) === 0) checkDeadline();
    const s = input.series[k]!;
    const metric = makeMetric(groupLabels(dropName(s.metric), grouping));
    let group = groups.get(metric.key);
    if (!group) {
      group = { metric, count: new Float64Array(n), value: new Float64Array(n) };
      groups.set(metric.key, group);
    }
    const { count, value } = group;
    const ts = s.ts;
    w.ts = ts;
    w.vs = s.vs;
    w.drops = usesDrops ? countDrops(s.vs) : undefined;
    let from = 0;
    let to = 0;
    for (let i = 0; i < n; i++) {
      const end = ends[i]!;
      const start = end - rangeMs;
      w.rangeStart = start;
      w.rangeEnd = end;
      if (ascending) {
        // Ends only grow: the window's bounds slide forward instead of being searched for again.
        while (from < ts.length && ts[from]! < start) from++;
        if (to < from) to = from;
        while (to < ts.length && ts[to]! <= end) to++;
      } else {
        from = lowerBound(ts, start);
        to = upperBound(ts, end);
      }
      w.from = from;
      w.to = to;
      w.stepTime = steps[i]!;
      const v = fn(w);
      if (v === undefined) continue;
      const seen = count[i]!;
      count[i] = seen + 1;
      if (seen === 0) {
        value[i] = v;
        continue;
      }
      const acc = value[i]!;
      switch (op) {
        case 'sum':
          value[i] = acc + v;
          break;
        case 'avg': {
          const c = seen + 1;
          if (Number.isFinite(acc) || Number.isNaN(acc) || !skipForInfiniteMean(acc, v))
            value[i] = acc + (v / c - acc / c);
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
  }
  const out: Vector[] = Array.from({ length: n }, () => []);
  for (const { metric, count, value } of groups.values()) {
    for (let i = 0; i < n; i++) {
      const c = count[i]!;
      if (c === 0) continue;
      out[i]!.push({ metric, value: op === 'count' ? c : op === 'group' ? 1 : value[i]! });
    }
  }
  return out;
}

/** As aggregate.ts: an infinite running mean stays as it is unless a NaN or the opposite infinity arrives. */
function skipForInfiniteMean(mean: number, v: number): boolean {
  if (!Number.isFinite(v) && !Number.isNaN(v)) return mean > 0 === v > 0;
  return !Number.isNaN(v);
}
