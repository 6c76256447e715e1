import type { Clock } from '@vigil/metrics';
import type {
  HistogramSeriesData,
  HistogramVisitor,
  LabelMatcher,
  SampleSource,
  SampleVisitor,
  SelectOptions,
  SeriesData,
  SeriesLabels,
} from '../store/series-store.js';
import { isStaleNaN } from '../store/series-store.js';
import { StoreLimitError } from '../store/store-limit-error.js';
import { aggregate, type Grouping, groupLabels } from './aggregate.js';
import { Annotations } from './annotations.js';
import type {
  AggregateOp,
  AtModifier,
  Call,
  Expr,
  MatrixSelector,
  Span,
  Subquery,
  VectorSelector,
} from './ast.js';
import { scalarBinary, vectorScalar, vectorVector } from './binary.js';
import { FloatHistogram } from './float-histogram.js';
import {
  HISTOGRAM_RANGE_FUNCTIONS,
  type HistogramWindow,
  nativeFraction,
  nativeQuantile,
  nativeStdvar,
  resetsOf,
  SCALED_HISTOGRAM_RANGE_FUNCTIONS,
  type ScaledHistogram,
} from './histogram-functions.js';
import { classicFraction, histogramQuantile, type QuantileNotes } from './histogram-quantile.js';
import { HistogramSeriesWise, type HistogramSeriesWiseOp } from './histogram-series-wise.js';
import { HistogramToFloats } from './histogram-to-floats.js';
import { firstSelector, InfoEnrichment } from './info-function.js';
import { INSTANT_FUNCTIONS, labelFunction } from './instant-functions.js';
import { dropName, type Metric, makeMetric, type Vector } from './metric.js';
import { MIXED_RANGE_FUNCTIONS } from './mixed-range-functions.js';
import { QueryError } from './query-error.js';
import {
  countDrops,
  emptyWindow,
  RANGE_FUNCTIONS,
  type RangeFunction,
  USES_DROPS,
} from './range-functions.js';
import { SERIES_WISE_OPS, SeriesWiseAggregation } from './series-wise-aggregate.js';
import { StepPicker } from './step-picker.js';
import { upperBound } from './time-bounds.js';

/** The samples of one series that a range vector or subquery provides, ascending, without stale markers. */
export interface RangeSeries {
  readonly metric: Metric;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  /** Native histogram samples of the series, ascending, stale markers removed. */
  readonly hts?: Float64Array;
  readonly hs?: readonly FloatHistogram[];
}

/** One series of a bare selector over a range query's steps: `values[k]` is its sample at step `steps[k]`. */
export interface SelectorRow {
  readonly metric: Metric;
  readonly steps: Uint32Array;
  readonly values: Float64Array;
}

export type Value =
  | { readonly type: 'scalar'; readonly values: Float64Array }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'vector'; readonly steps: Vector[] }
  | {
      readonly type: 'matrix';
      readonly series: RangeSeries[];
      /** Each step's range ends here (ms, after offset and @, included) and starts `rangeMs` earlier (excluded). */
      readonly ends: Float64Array;
      readonly rangeMs: number;
    };

export interface EvaluatorOptions {
  readonly store: SampleSource;
  readonly clock: Clock;
  readonly lookbackMs: number;
  readonly defaultStepMs: number;
  readonly maxSamples: number;
  /** Most series one selector may load. */
  readonly maxSeries: number;
  /**
   * Most bytes the query may hold at once, estimated from what it loads and builds (samples,
   * subquery steps, intermediate vectors) and checked before each is paid for.
   */
  readonly maxBytes: number;
  /** Clock time past which evaluation stops with a timeout. */
  readonly deadline: number;
  /** The query's own start and end, which `@ start()` and `@ end()` refer to. */
  readonly queryStart: number;
  readonly queryEnd: number;
  /** The range query's step (0 for an instant query), which `step()` answers. */
  readonly queryStep: number;
}

/** Estimated bytes of one sample loaded (time and value), of one step of a subquery (its time, its
 * vector and the array's header), and of one point of an intermediate vector (the object and its slot). */
const SAMPLE_BYTES = 16;
const STEP_BYTES = 64;
const POINT_BYTES = 48;
/** Work units (steps, series, points) between two looks at the clock. */
const PACE_UNITS = 4096;
/** Longest stretch of evaluation before other work (health checks, ingest) gets the event loop. */
const SLICE_MS = 10;

/**
 * Evaluates an expression at every step at once, node by node, with Prometheus 3's semantics:
 * ranges and the lookback window are left-open, `(t - range, t]`, so a sample exactly at
 * `t - range` is outside (Prometheus 2 included it). Samples loaded count against
 * `maxSamples`, and so do a subquery's steps and the points of each intermediate vector, before they
 * are built; the memory they take counts against `maxBytes`. The loops check the deadline and hand
 * the event loop back every few milliseconds, so that no query holds up the rest of the server.
 */
export class Evaluator {
  /** What the evaluation noticed, for the API's `warnings` and `infos`. */
  readonly annotations = new Annotations();
  readonly #o: EvaluatorOptions;
  #samples = 0;
  #units = 0;
  #sliceStart = performance.now();

  constructor(options: EvaluatorOptions) {
    this.#o = options;
  }

  /** Time left before the deadline: what waiting for a slot to run in may take. */
  remainingMs(): number {
    return Math.max(0, this.#o.deadline - this.#o.clock.now());
  }

  async eval(e: Expr, steps: Float64Array): Promise<Value> {
    switch (e.kind) {
      case 'number':
        return { type: 'scalar', values: new Float64Array(steps.length).fill(e.value) };
      case 'string':
        return { type: 'string', value: e.value };
      case 'paren':
        return this.eval(e.expr, steps);
      case 'vectorSelector':
        return { type: 'vector', steps: await this.#vectorSelector(e, steps, false) };
      case 'matrixSelector':
      case 'subquery':
        return this.#matrix(e, steps);
      case 'unary': {
        const inner = await this.eval(e.expr, steps);
        if (e.op === '+') return inner;
        if (inner.type === 'scalar') return { type: 'scalar', values: inner.values.map((v) => -v) };
        return this.#mapSteps(vectorOf(inner), (vec) =>
          floats(vec).map((s) => ({ metric: dropName(s.metric), value: -s.value })),
        );
      }
      case 'aggregation': {
        const seriesWise = await this.#seriesWiseAggregation(e, steps);
        if (seriesWise) return seriesWise;
        const input = vectorOf(await this.eval(e.expr, steps));
        const param = e.param ? await this.eval(e.param, steps) : undefined;
        const cache = new Map<Metric, Metric>();
        const grouping = { labels: e.grouping, without: e.without };
        if (e.op !== 'count_values') await this.#groupMetrics(input, grouping, cache);
        return this.#mapSteps(
          input,
          (vec, i) => {
            let p = paramAt(param, i);
            if (e.op === 'quantile' && typeof p === 'number' && !(p >= 0 && p <= 1))
              this.annotations.invalidQuantile(p, e.param!);
            if (e.op === 'limit_ratio') p = this.#ratio(p as number, e.param!);
            if (e.op === 'limitk' || e.op === 'limit_ratio' || !vec.some((s) => s.histogram))
              return aggregate(e.op, vec, grouping, p, cache);
            if (HISTOGRAMS_IGNORED_BY.has(e.op))
              this.annotations.histogramIgnoredInAggregation(
                e.op,
                e.op === 'topk' || e.op === 'bottomk' ? e : e.expr,
              );
            return aggregateHistograms(e.op, vec, grouping, p, cache, () =>
              this.annotations.mixedFloatsHistogramsInAggregation(e.expr),
            );
          },
          false,
        );
      }
      case 'binary':
        return this.#binary(e, steps);
      case 'call':
        return this.#call(e, steps);
    }
  }

  async #binary(e: Expr & { kind: 'binary' }, steps: Float64Array): Promise<Value> {
    const lhs = await this.eval(e.lhs, steps);
    const rhs = await this.eval(e.rhs, steps);
    if (lhs.type === 'scalar' && rhs.type === 'scalar') {
      return {
        type: 'scalar',
        values: lhs.values.map((l, i) => scalarBinary(e.op, l, rhs.values[i]!, e.returnBool)),
      };
    }
    if (lhs.type === 'scalar')
      return this.#mapSteps(vectorOf(rhs), (vec, i) =>
        withHistogramsScaled(e.op, vec, lhs.values[i]!, true, (v) =>
          vectorScalar(e.op, v, lhs.values[i]!, true, e.returnBool),
        ),
      );
    if (rhs.type === 'scalar')
      return this.#mapSteps(vectorOf(lhs), (vec, i) =>
        withHistogramsScaled(e.op, vec, rhs.values[i]!, false, (v) =>
          vectorScalar(e.op, v, rhs.values[i]!, false, e.returnBool),
        ),
      );
    const right = vectorOf(rhs);
    const cache = new Map<string, Metric>();
    return this.#mapSteps(vectorOf(lhs), (vec, i) =>
      vectorVector(e.op, floats(vec), floats(right[i]!), e.matching!, e.returnBool, cache),
    );
  }

  async #call(e: Call, steps: Float64Array): Promise<Value> {
    const range = RANGE_FUNCTIONS.get(e.func);
    if (range || e.func === 'absent_over_time') {
      const matrixAt = e.func === 'quantile_over_time' ? 1 : 0;
      const matrix = await this.eval(e.args[matrixAt]!, steps);
      const paramExpr = e.args[1 - matrixAt];
      const params = paramExpr ? await this.eval(paramExpr, steps) : undefined;
      const params2 = e.args[2] ? await this.eval(e.args[2], steps) : undefined;
      if (matrix.type !== 'matrix') throw new Error('unreachable: the parser checks argument types');
      if (!range) return this.#absentOverTime(matrix, e.args[0]!, steps);
      return this.#rangeFunction(range, e, matrix, params, steps, params2);
    }
    switch (e.func) {
      case 'time':
        return { type: 'scalar', values: steps.map((t) => t / 1000) };
      case 'pi':
        return { type: 'scalar', values: new Float64Array(steps.length).fill(Math.PI) };
      // The query's own times, the same inside a subquery, as Prometheus folds them before evaluating.
      case 'start':
        return { type: 'scalar', values: new Float64Array(steps.length).fill(this.#o.queryStart / 1000) };
      case 'end':
        return { type: 'scalar', values: new Float64Array(steps.length).fill(this.#o.queryEnd / 1000) };
      case 'range': {
        const seconds = (this.#o.queryEnd - this.#o.queryStart) / 1000;
        return { type: 'scalar', values: new Float64Array(steps.length).fill(seconds) };
      }
      case 'step':
        return { type: 'scalar', values: new Float64Array(steps.length).fill(this.#o.queryStep / 1000) };
      case 'min_of':
      case 'max_of': {
        const a = await this.eval(e.args[0]!, steps);
        const b = await this.eval(e.args[1]!, steps);
        // Go's math.Min and math.Max: an infinity on the chosen side wins over NaN.
        const extreme = e.func === 'min_of' ? -Infinity : Infinity;
        const pick = e.func === 'min_of' ? Math.min : Math.max;
        return {
          type: 'scalar',
          values: steps.map((_, i) => {
            const x = paramAt(a, i) as number;
            const y = paramAt(b, i) as number;
            return x === extreme || y === extreme ? extreme : pick(x, y);
          }),
        };
      }
      case 'vector': {
        const scalar = await this.eval(e.args[0]!, steps);
        const empty = makeMetric({});
        return {
          type: 'vector',
          steps: Array.from(steps, (_, i) => [{ metric: empty, value: paramAt(scalar, i) as number }]),
        };
      }
      case 'scalar': {
        const vec = vectorOf(await this.eval(e.args[0]!, steps));
        return {
          type: 'scalar',
          values: steps.map((_, i) => {
            const only = floats(vec[i]!);
            return only.length === 1 ? only[0]!.value : Number.NaN;
          }),
        };
      }
      case 'timestamp': {
        const arg = unwrap(e.args[0]!);
        if (arg.kind === 'vectorSelector') {
          const vec = await this.#vectorSelector(arg, steps, true);
          return this.#mapSteps(vec, (v) => v.map((s) => ({ metric: dropName(s.metric), value: s.value })));
        }
        const vec = vectorOf(await this.eval(arg, steps));
        return this.#mapSteps(vec, (v, i) =>
          v.map((s) => ({ metric: dropName(s.metric), value: steps[i]! / 1000 })),
        );
      }
      case 'absent': {
        const vec = vectorOf(await this.eval(e.args[0]!, steps));
        const metric = makeMetric(absentLabels(e.args[0]!));
        return this.#mapSteps(vec, (v) => (v.length === 0 ? [{ metric, value: 1 }] : []), false);
      }
      case 'histogram_quantile': {
        const q = await this.eval(e.args[0]!, steps);
        const checkQuantile = (i: number) => {
          const phi = paramAt(q, i) as number;
          if (!(phi >= 0 && phi <= 1)) this.annotations.invalidQuantile(phi, e.args[0]!);
          return phi;
        };
        const folded = await this.#histogramFloats(e.args[1]!, steps, (h, i) =>
          nativeQuantile(paramAt(q, i) as number, h),
        );
        if (folded) {
          for (let i = 0; i < steps.length; i++) checkQuantile(i);
          return folded;
        }
        const vec = vectorOf(await this.eval(e.args[1]!, steps));
        const notes = this.#quantileNotes(e.args[1]!);
        return this.#mapSteps(vec, (v, i) => histogramQuantile(checkQuantile(i), v, notes));
      }
      case 'histogram_count':
      case 'histogram_sum':
      case 'histogram_avg':
      case 'histogram_stddev':
      case 'histogram_stdvar':
      case 'histogram_fraction': {
        const scalars = await Promise.all(e.args.slice(0, -1).map((a) => this.eval(a, steps)));
        const of = HISTOGRAM_FUNCTIONS[e.func]!;
        const folded = await this.#histogramFloats(e.args.at(-1)!, steps, (h, i) =>
          of(h, paramAt(scalars[0], i) as number, paramAt(scalars[1], i) as number),
        );
        if (folded) return folded;
        const vec = vectorOf(await this.eval(e.args.at(-1)!, steps));
        const notes = this.#quantileNotes(e.args.at(-1)!);
        return this.#mapSteps(vec, (v, i) => {
          const [lower, upper] = scalars.map((p) => paramAt(p, i) as number);
          // Classic buckets too, for histogram_fraction (Prometheus 3).
          const out: Vector =
            e.func === 'histogram_fraction' ? classicFraction(lower!, upper!, floats(v), notes) : [];
          for (const s of v)
            if (s.histogram) out.push({ metric: dropName(s.metric), value: of(s.histogram, lower!, upper!) });
          return out;
        });
      }
      case 'info':
        return this.#info(e, steps);
      case 'label_replace':
      case 'label_join': {
        const vec = vectorOf(await this.eval(e.args[0]!, steps));
        const strings = e.args.slice(1).map((a) => {
          const arg = unwrap(a);
          return arg.kind === 'string' ? arg.value : '';
        });
        const relabel = labelFunction(e.func, strings);
        return this.#mapSteps(vec, (v) => relabel(v, []));
      }
    }
    const fn = INSTANT_FUNCTIONS.get(e.func);
    if (!fn)
      throw new QueryError('VIGIL_QUERY_UNSUPPORTED', `function ${JSON.stringify(e.func)} is not supported`);
    // Date functions without an argument read the evaluation time, as vector(time()).
    const input: Vector[] =
      e.args.length === 0
        ? Array.from(steps, (t) => [{ metric: makeMetric({}), value: t / 1000 }])
        : vectorOf(await this.eval(e.args[0]!, steps));
    const others = await Promise.all(e.args.slice(1).map((a) => this.eval(a, steps)));
    return this.#mapSteps(input, (v, i) =>
      fn(
        floats(v),
        others.map((o) => paramAt(o, i)!),
      ),
    );
  }

  /**
   * info(v, {selector}): the info series are read at the times `v`'s first selector reads, each
   * sample's time kept as its value so that the newer of two with one identity wins.
   */
  async #info(e: Call, steps: Float64Array): Promise<Value> {
    const base = vectorOf(await this.eval(e.args[0]!, steps));
    const selector = e.args[1] ? unwrap(e.args[1]) : undefined;
    const info = new InfoEnrichment(selector?.kind === 'vectorSelector' ? selector : undefined);
    const matchers = info.infoMatchers(base);
    const anchor = firstSelector(e.args[0]!);
    const infos = matchers
      ? await this.#vectorSelector(
          {
            kind: 'vectorSelector',
            matchers,
            offsetMs: anchor?.offsetMs ?? 0,
            at: anchor?.at,
            start: e.start,
            end: e.end,
          },
          steps,
          true,
        )
      : Array.from(steps, (): Vector => []);
    const names = InfoEnrichment.infoNames(infos);
    return this.#mapSteps(base, (vec, i) => info.enrich(vec, infos[i]!, names));
  }

  /** A range function at every step, step by step: one sample per series and step. */
  #rangeFunction(
    range: RangeFunction,
    call: Call,
    matrix: Value & { type: 'matrix' },
    params: Value | undefined,
    steps: Float64Array,
    params2?: Value,
  ): Promise<Value> {
    const name = call.func;
    const matrixArg = call.args[name === 'quantile_over_time' ? 1 : 0]!;
    const counterNames = COUNTER_FUNCTIONS.has(name) ? new Set<string>() : undefined;
    const keepName = name === 'last_over_time' || name === 'first_over_time';
    const ofHistograms = HISTOGRAM_RANGE_FUNCTIONS.get(name);
    const ofBoth = MIXED_RANGE_FUNCTIONS.get(name);
    const w = emptyWindow();
    const drops = USES_DROPS.has(range) ? matrix.series.map((s) => countDrops(s.vs)) : undefined;
    const resets =
      ofHistograms || ofBoth ? matrix.series.map((s) => (s.hs ? resetsOf(s.hs) : undefined)) : undefined;
    return this.#mapSteps(
      Array.from(steps, () => []),
      (_, i) => {
        const end = matrix.ends[i]!;
        const p = paramAt(params, i);
        w.rangeStart = end - matrix.rangeMs;
        w.rangeEnd = end;
        w.stepTime = steps[i]!;
        w.param = typeof p === 'number' ? p : Number.NaN;
        const p2 = paramAt(params2, i);
        w.param2 = typeof p2 === 'number' ? p2 : Number.NaN;
        const out: Vector = [];
        for (let k = 0; k < matrix.series.length; k++) {
          const s = matrix.series[k]!;
          w.ts = s.ts;
          w.vs = s.vs;
          w.drops = drops?.[k];
          w.from = upperBound(s.ts, w.rangeStart);
          w.to = upperBound(s.ts, end);
          if (s.hts && s.hs) {
            const from = upperBound(s.hts, w.rangeStart);
            const to = upperBound(s.hts, end);
            if (to > from && (ofHistograms || ofBoth)) {
              const window = {
                ts: s.hts,
                hs: s.hs,
                from,
                to,
                rangeStart: w.rangeStart,
                rangeEnd: end,
                resets: resets?.[k],
              };
              const metric = keepName ? s.metric : dropName(s.metric);
              if (ofBoth) {
                out.push({ metric, ...ofBoth(w, window) });
                continue;
              }
              // A range with both floats and histograms has no answer, as in Prometheus.
              if (w.to > w.from) {
                this.annotations.mixedFloatsHistograms(s.metric.labels.__name__ ?? '', matrixArg);
                continue;
              }
              const h = ofHistograms!(window);
              if (h) out.push({ metric, value: Number.NaN, histogram: h });
              continue;
            }
            if (to > from && w.to > w.from)
              this.annotations.histogramIgnoredInMixedRange(s.metric.labels.__name__ ?? '', matrixArg);
          }
          if (!range(w)) continue;
          out.push({ metric: keepName ? s.metric : dropName(s.metric), value: w.result });
          if (name === 'quantile_over_time' && !(w.param >= 0 && w.param <= 1))
            this.annotations.invalidQuantile(w.param, call.args[0]!);
          if (counterNames) this.#checkCounterName(s.metric.labels.__name__, counterNames, matrixArg);
        }
        return out;
      },
      true,
      matrix.series.length,
    );
  }

  /**
   * `sum|avg|min|max|count|group (f(selector[range]))` with a parameterless range function that
   * drops the name, folded series by series from a store scan (series-wise-aggregate.ts);
   * undefined for any other shape.
   */
  async #seriesWiseAggregation(
    e: Expr & { kind: 'aggregation' },
    steps: Float64Array,
  ): Promise<Value | undefined> {
    const shape = seriesWiseShape(e);
    if (!shape) return undefined;
    const { call, range, arg, grouping } = shape;
    const sel = arg.selector;
    const ends = this.#ends(steps, sel.at, sel.offsetMs);
    const ofHistograms = SCALED_HISTOGRAM_RANGE_FUNCTIONS.get(call.func);
    if (ofHistograms && (e.op === 'sum' || e.op === 'avg' || e.op === 'count')) {
      const folded = await this.#histogramSeriesWise(e.op, grouping, ofHistograms, arg, ends);
      if (folded !== 'none') return folded;
    } else if (await this.#hasHistograms(sel.matchers, min(ends) - arg.rangeMs, max(ends))) return undefined;
    const counterNames = COUNTER_FUNCTIONS.has(call.func) ? new Set<string>() : undefined;
    const folder = new SeriesWiseAggregation({
      op: e.op,
      grouping,
      fn: range,
      steps,
      ends,
      rangeMs: arg.rangeMs,
      namePinned: namePinned(sel),
      checkDeadline: () => this.#checkDeadline(),
      answered: counterNames && ((labels) => this.#checkCounterName(labels.__name__, counterNames, arg)),
    });
    this.#checkDeadline();
    await this.#storeCall(() =>
      this.#o.store.scan(
        sel.matchers,
        min(ends) - arg.rangeMs,
        max(ends),
        folder,
        this.#selectOptions(arg.rangeMs, ends),
      ),
    );
    if (!folder.collided) {
      this.#count(folder.loaded);
      return { type: 'vector', steps: folder.result() };
    }
    // Two series collide once named dropped: the step-wise path raises the error at that step.
    const matrix = await this.#matrix(arg, steps);
    const input = vectorOf(await this.#rangeFunction(range, call, matrix, undefined, steps));
    const cache = new Map<Metric, Metric>();
    return this.#mapSteps(input, (vec) => aggregate(e.op, vec, grouping, undefined, cache), false);
  }

  /**
   * `F(fn(h[range]))` and `F(sum|avg (fn(h[range])))`, where F turns a histogram into a float
   * (`toFloat(h, step)`: histogram_quantile, histogram_count, ...) and fn is a range function of
   * native histograms: folded into F's floats series by series from the store's histogram scan, so
   * that what is held is one series' samples and the answer (and the sums, aggregated), never every
   * histogram of the range. Undefined for any other shape, and when the selector finds no
   * histograms, finds floats too or two series collide: the step-wise path answers those as
   * Prometheus does.
   */
  async #histogramFloats(
    arg: Expr,
    steps: Float64Array,
    toFloat: (h: FloatHistogram, step: number) => number,
  ): Promise<Value | undefined> {
    const inner = unwrap(arg);
    if (inner.kind === 'aggregation') {
      const shape = seriesWiseShape(inner);
      const fn = shape && SCALED_HISTOGRAM_RANGE_FUNCTIONS.get(shape.call.func);
      if (!shape || !fn || (inner.op !== 'sum' && inner.op !== 'avg')) return undefined;
      const sel = shape.arg.selector;
      const ends = this.#ends(steps, sel.at, sel.offsetMs);
      const folded = await this.#histogramSeriesWise(inner.op, shape.grouping, fn, shape.arg, ends, toFloat);
      return folded === 'none' ? undefined : folded;
    }
    if (inner.kind !== 'call' || inner.args.length !== 1) return undefined;
    const fn = HISTOGRAM_RANGE_FUNCTIONS.get(inner.func);
    const matrix = unwrap(inner.args[0]!);
    const store = this.#o.store;
    if (!fn || matrix.kind !== 'matrixSelector' || !store.scanHistograms) return undefined;
    const sel = matrix.selector;
    const ends = this.#ends(steps, sel.at, sel.offsetMs);
    const start = min(ends) - matrix.rangeMs;
    const end = max(ends);
    const folder = new HistogramToFloats({
      fn,
      toFloat,
      ends,
      rangeMs: matrix.rangeMs,
      namePinned: namePinned(sel),
      ...this.#foldHooks(),
    });
    await this.#scanHistograms(sel.matchers, start, end, folder);
    if (folder.seen === 0 || folder.collided) return undefined;
    this.#count(folder.loaded);
    if (await this.#hasFloats(sel.matchers, start, end)) return undefined;
    return { type: 'vector', steps: folder.steps };
  }

  /**
   * The histogram side of `#seriesWiseAggregation`: the aggregate when the selector finds native
   * histograms and no floats, undefined when it finds both or two series collide (the step-wise
   * path answers those as Prometheus does), 'none' when it finds no histograms. Each sample counts
   * once against maxSamples, as a float does; what is held at once (one series' histograms and the
   * per-step sums, by their size) counts against the limits as the scan goes. With `toFloat`, the
   * aggregate's histograms are handed to it and its floats answered, each group's as soon as the
   * series the store's index lists for it are folded (HistogramSeriesWise).
   */
  async #histogramSeriesWise(
    op: HistogramSeriesWiseOp,
    grouping: Grouping,
    fn: (w: HistogramWindow) => ScaledHistogram | undefined,
    arg: MatrixSelector,
    ends: Float64Array,
    toFloat?: (h: FloatHistogram, step: number) => number,
  ): Promise<Value | undefined | 'none'> {
    const store = this.#o.store;
    if (!store.scanHistograms) return 'none';
    const sel = arg.selector;
    const start = min(ends) - arg.rangeMs;
    const end = max(ends);
    // Groups made of their own series can be turned into floats as soon as those are folded.
    const grouped = grouping.without || grouping.labels.length > 0;
    const listed = toFloat && grouped ? await store.series?.([sel.matchers], start, end) : undefined;
    const folder = new HistogramSeriesWise({
      op,
      grouping,
      fn,
      ends,
      rangeMs: arg.rangeMs,
      namePinned: namePinned(sel),
      toFloat,
      listed,
      ...this.#foldHooks(),
    });
    await this.#scanHistograms(sel.matchers, start, end, folder);
    if (folder.seen === 0) return 'none';
    if (folder.collided || folder.late) return undefined;
    this.#count(folder.loaded);
    if (await this.#hasFloats(sel.matchers, start, end)) return undefined;
    return { type: 'vector', steps: folder.result() };
  }

  /** Whether any series matching `matchers` has a native histogram sample in [start, end]. */
  async #hasHistograms(matchers: readonly LabelMatcher[], start: number, end: number): Promise<boolean> {
    const store = this.#o.store;
    if (!store.scanHistograms) return false;
    let found = false;
    const visitor = {
      series: () => {
        found = true;
        return false;
      },
    };
    await this.#scanHistograms(matchers, start, end, visitor);
    return found;
  }

  /** The native histograms matching `matchers` in [start, end], handed to `visitor` under the query's deadline. */
  async #scanHistograms(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    visitor: HistogramVisitor,
  ): Promise<void> {
    this.#checkDeadline();
    await this.#storeCall(() =>
      this.#o.store.scanHistograms!(matchers, start, end, visitor, this.#selectOptions()),
    );
  }

  /** What a histogram fold reports as it goes: what it holds, against the limits, and its work, to the pacer. */
  #foldHooks() {
    return {
      held: (weight: number, points: number) => {
        this.#checkDeadline();
        this.#hold(points, 0, weight);
      },
      pace: (units: number) => this.#pace(units),
    };
  }

  /** Whether any series matching `matchers` has a float sample other than a staleness marker in [start, end]. */
  async #hasFloats(matchers: readonly LabelMatcher[], start: number, end: number): Promise<boolean> {
    let found = false;
    const visitor: SampleVisitor = {
      series: () => {},
      samples: (_, values, n) => {
        for (let k = 0; k < n && !found; k++) if (!isStaleNaN(values[k]!)) found = true;
      },
    };
    await this.#storeCall(() => this.#o.store.scan(matchers, start, end, visitor, this.#selectOptions()));
    return found;
  }

  /** limit_ratio's ratio as Prometheus takes it: NaN an error, beyond ±1 capped with a warning. */
  #ratio(ratio: number, at: Span): number {
    if (Number.isNaN(ratio)) throw new QueryError('VIGIL_QUERY_EXECUTION', 'Ratio value NaN is NaN');
    const capped = Math.max(-1, Math.min(1, ratio));
    if (capped !== ratio) this.annotations.invalidRatio(ratio, capped, at);
    return capped;
  }

  /** What the classic-bucket functions note about their input `at`, as annotations. */
  #quantileNotes(at: Span): QuantileNotes {
    return {
      badBucketLabel: (name, le) => this.annotations.badBucketLabel(name, le, at),
      forcedMonotonicity: (name) => this.annotations.histogramQuantileForcedMonotonicity(name, at),
      mixedClassicNative: (name) => this.annotations.mixedClassicNativeHistograms(name, at),
    };
  }

  /**
   * `rate` and `increase` of a float series whose name does not end as a counter's does get an
   * info, as Prometheus 3 gives; `seen` keeps each name to one look.
   */
  #checkCounterName(name: string | undefined, seen: Set<string>, at: Span): void {
    if (name === undefined || seen.has(name)) return;
    seen.add(name);
    if (!COUNTER_SUFFIX.test(name)) this.annotations.possibleNonCounter(name, at);
  }

  #absentOverTime(matrix: Value & { type: 'matrix' }, arg: Expr, steps: Float64Array): Promise<Value> {
    const metric = makeMetric(absentLabels(arg));
    return this.#mapSteps(
      Array.from(steps, () => []),
      (_, i) => {
        const end = matrix.ends[i]!;
        const start = end - matrix.rangeMs;
        const present = matrix.series.some(
          (s) =>
            upperBound(s.ts, end) > upperBound(s.ts, start) ||
            (s.hts !== undefined && upperBound(s.hts, end) > upperBound(s.hts, start)),
        );
        return present ? [] : [{ metric, value: 1 }];
      },
      false,
      matrix.series.length,
    );
  }

  /**
   * Applies `fn` to each step's vector. The points it builds count against `maxSamples` and
   * `maxBytes` on top of the samples loaded, as they are built; the deadline is checked and the
   * event loop handed back as it goes; duplicate label sets are refused if asked.
   */
  async #mapSteps(
    input: Vector[],
    fn: (vec: Vector, i: number) => Vector,
    checkUnique = true,
    workPerStep = 0,
  ): Promise<Value> {
    const out: Vector[] = new Array(input.length);
    let points = 0;
    let buckets = 0;
    for (let i = 0; i < input.length; i++) {
      this.#checkDeadline();
      const vec = fn(input[i]!, i);
      points += vec.length;
      buckets += bucketWeightOf(vec);
      this.#hold(points, 0, buckets);
      await this.#pace(input[i]!.length + vec.length + workPerStep + 1);
      if (checkUnique && vec.length > 1) {
        const seen = new Set<string>();
        for (const s of vec) {
          if (seen.has(s.metric.key))
            throw new QueryError(
              'VIGIL_QUERY_EXECUTION',
              'vector cannot contain metrics with the same labelset',
            );
          seen.add(s.metric.key);
        }
      }
      out[i] = vec;
    }
    return { type: 'vector', steps: out };
  }

  /**
   * Fills `cache` with the group metric of every metric in `input` before the aggregation's steps
   * run, with the event loop handed back as it goes: a group metric costs in proportion to the
   * labels, and an instant query's one step of `sum by (path)` over 5,250 series of
   * 3,000-character labels made them all at once, holding the event loop for 44 ms.
   */
  async #groupMetrics(input: Vector[], grouping: Grouping, cache: Map<Metric, Metric>): Promise<void> {
    // One metric a group, its key hashed here: the steps then find their groups by a key already
    // hashed and compared by identity (hashing 5,250 new keys of 3,000 characters took 27 ms).
    const byKey = new Map<string, Metric>();
    for (const vec of input) {
      for (const s of vec) {
        if (cache.has(s.metric)) continue;
        const metric = makeMetric(groupLabels(s.metric, grouping));
        const known = byKey.get(metric.key);
        if (known === undefined) byKey.set(metric.key, metric);
        cache.set(s.metric, known ?? metric);
        await this.#pace(1 + (s.metric.key.length >> 6));
      }
    }
  }

  /**
   * Counts `units` of work done; every PACE_UNITS checks the deadline and, once SLICE_MS of wall
   * time has gone by since the last pause, yields to the event loop.
   */
  async #pace(units: number): Promise<void> {
    this.#units += units;
    if (this.#units < PACE_UNITS) return;
    this.#units = 0;
    this.#checkDeadline();
    if (performance.now() - this.#sliceStart < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#sliceStart = performance.now();
    this.#checkDeadline();
  }

  #checkDeadline(): void {
    if (this.#o.clock.now() > this.#o.deadline)
      throw new QueryError('VIGIL_QUERY_TIMEOUT', 'query timed out in expression evaluation');
  }

  /**
   * Refuses to hold `points` intermediate points (whose histograms weigh `buckets` more, see
   * FloatHistogram.weight) and `steps` subquery steps on top of what is loaded.
   */
  #hold(points: number, steps: number, buckets = 0): void {
    if (this.#samples + points + buckets + steps > this.#o.maxSamples) throw tooManySamples(undefined);
    const bytes = (this.#samples + buckets) * SAMPLE_BYTES + points * POINT_BYTES + steps * STEP_BYTES;
    if (bytes > this.#o.maxBytes) throw tooManyBytes(bytes, this.#o.maxBytes);
  }

  #ends(steps: Float64Array, at: AtModifier | undefined, offsetMs: number): Float64Array {
    const fixed = at === 'start' ? this.#o.queryStart : at === 'end' ? this.#o.queryEnd : at;
    const ends = new Float64Array(steps.length);
    for (let i = 0; i < steps.length; i++) ends[i] = (fixed ?? steps[i]!) - offsetMs;
    return ends;
  }

  async #vectorSelector(sel: VectorSelector, steps: Float64Array, timestamps: boolean): Promise<Vector[]> {
    const ends = this.#ends(steps, sel.at, sel.offsetMs);
    const lookback = this.#o.lookbackMs;
    const data = await this.#load(sel.matchers, min(ends) - lookback, max(ends));
    const histograms = await this.#loadHistograms(sel.matchers, min(ends) - lookback, max(ends), true);
    const out: Vector[] = Array.from(steps, () => []);
    let points = 0;
    // Float sample times by series and step, kept only when there are histograms to weigh them against.
    const floatsAt = new Map<string, Float64Array>();
    for (const series of data) {
      const metric = makeMetric(series.labels);
      const { timestamps: ts, values: vs } = series;
      const times = histograms.length > 0 ? new Float64Array(ends.length).fill(Number.NaN) : undefined;
      if (times) floatsAt.set(metric.key, times);
      for (let i = 0; i < ends.length; i++) {
        if ((i & 1023) === 1023) {
          this.#hold(points, 0);
          await this.#pace(1024);
        }
        const end = ends[i]!;
        const at = upperBound(ts, end) - 1;
        if (at < 0 || ts[at]! <= end - lookback) continue;
        // A staleness marker counts as the series' newest sample too: a scrape writes a float one for
        // a native histogram series that went away, and it must end the histograms before it.
        if (times) times[i] = ts[at]!;
        if (isStaleNaN(vs[at]!)) continue;
        out[i]!.push({ metric, value: timestamps ? ts[at]! / 1000 : vs[at]! });
        points++;
      }
      this.#hold(points, 0);
      // Its metric cost in proportion to its labels: 4,096 series of 3,000-character labels between
      // two looks at the clock held the event loop for 23 ms.
      await this.#pace((ends.length & 1023) + (metric.key.length >> 6));
    }
    // A series' newest sample within the lookback is a histogram or a float, whichever came last.
    for (const series of histograms) {
      const metric = makeMetric(series.labels);
      const times = floatsAt.get(metric.key);
      const { timestamps: ts, histograms: hs } = series;
      for (let i = 0; i < ends.length; i++) {
        const end = ends[i]!;
        const at = upperBound(ts, end) - 1;
        if (at < 0 || ts[at]! <= end - lookback || hs[at] === undefined) continue;
        const floatT = times?.[i] ?? Number.NaN;
        if (floatT > ts[at]!) continue;
        const vec = out[i]!;
        if (!Number.isNaN(floatT)) {
          // The float may be a staleness marker, which is in no vector.
          const float = vec.findIndex((s) => s.metric.key === metric.key);
          if (float >= 0) vec.splice(float, 1);
        }
        vec.push(
          timestamps ? { metric, value: ts[at]! / 1000 } : { metric, value: Number.NaN, histogram: hs[at] },
        );
      }
    }
    return out;
  }

  /**
   * The native histogram samples of the matching series in [start, end], as PromQL computes on
   * them; stale markers are dropped, or kept as `undefined` (an instant selector must see them to
   * stop at them). Nothing for a store that keeps no histograms. Each series counts against the
   * limits as the scan hands it over, by its histograms' weight: a read past them stops there, not
   * after every histogram of the range is held (3.2 GB for 100 series of 645 buckets over 24 hours).
   */
  async #loadHistograms(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    keepStale: boolean,
  ): Promise<
    { labels: SeriesLabels; timestamps: Float64Array; histograms: (FloatHistogram | undefined)[] }[]
  > {
    const store = this.#o.store;
    const out: {
      labels: SeriesLabels;
      timestamps: Float64Array;
      histograms: (FloatHistogram | undefined)[];
    }[] = [];
    const take = (s: HistogramSeriesData): boolean => {
      // Weighed before the series' histograms are made: past a limit, they are not.
      let n = s.timestamps.length;
      for (const h of s.histograms) if (!isStaleNaN(h.sum)) n += FloatHistogram.weightOf(h) - 1;
      this.#checkDeadline();
      this.#count(n);
      const timestamps: number[] = [];
      const histograms: (FloatHistogram | undefined)[] = [];
      for (let i = 0; i < s.histograms.length; i++) {
        const h = s.histograms[i]!;
        const stale = isStaleNaN(h.sum);
        if (stale && !keepStale) continue;
        timestamps.push(s.timestamps[i]!);
        histograms.push(stale ? undefined : FloatHistogram.of(h));
      }
      out.push({ labels: s.labels, timestamps: Float64Array.from(timestamps), histograms });
      return true;
    };
    this.#checkDeadline();
    const options = this.#selectOptions();
    if (store.scanHistograms)
      await this.#storeCall(() => store.scanHistograms!(matchers, start, end, { series: take }, options));
    else if (store.selectHistograms)
      for (const s of await this.#storeCall(() => store.selectHistograms!(matchers, start, end, options)))
        take(s);
    return out;
  }

  /** The histogram samples a bare selector picks at each step, for a range query's answer. */
  async histogramSteps(sel: VectorSelector, steps: Float64Array): Promise<Vector[] | undefined> {
    const ends = this.#ends(steps, sel.at, sel.offsetMs);
    const found = await this.#loadHistograms(sel.matchers, min(ends) - this.#o.lookbackMs, max(ends), true);
    return found.length > 0 ? this.#vectorSelector(sel, steps, false) : undefined;
  }

  /**
   * A bare selector evaluated for a range query's answer: per series, the steps that have a sample
   * and its value. Picked from the store's scan as the samples stream by, it skips the per-step
   * vectors of sample objects and their regrouping by series, and never holds every sample of a
   * long range: for 30 days of one series, most of the allocation and of the time of the query.
   */
  async selectorRows(sel: VectorSelector, steps: Float64Array): Promise<SelectorRow[]> {
    const ends = this.#ends(steps, sel.at, sel.offsetMs);
    const lookback = this.#o.lookbackMs;
    const picker = new StepPicker(ends, lookback);
    this.#checkDeadline();
    await this.#storeCall(() =>
      this.#o.store.scan(sel.matchers, min(ends) - lookback, max(ends), picker, this.#selectOptions()),
    );
    picker.finish();
    this.#count(picker.loaded);
    return picker.rows;
  }

  async #matrix(e: MatrixSelector | Subquery, steps: Float64Array): Promise<Value & { type: 'matrix' }> {
    if (e.kind === 'matrixSelector') {
      const sel = e.selector;
      const ends = this.#ends(steps, sel.at, sel.offsetMs);
      const data = await this.#load(sel.matchers, min(ends) - e.rangeMs, max(ends), e.rangeMs, ends);
      const series = data.map(withoutStaleMarkers);
      const histograms = await this.#loadHistograms(sel.matchers, min(ends) - e.rangeMs, max(ends), false);
      if (histograms.length === 0) return { type: 'matrix', series, ends, rangeMs: e.rangeMs };
      const byKey = new Map(series.map((s, k) => [s.metric.key, k]));
      for (const h of histograms) {
        const metric = makeMetric(h.labels);
        const k = byKey.get(metric.key);
        const hs = h.histograms as FloatHistogram[];
        if (k === undefined) series.push({ metric, ts: EMPTY, vs: EMPTY, hts: h.timestamps, hs });
        else series[k] = { ...series[k]!, hts: h.timestamps, hs };
      }
      return { type: 'matrix', series, ends, rangeMs: e.rangeMs };
    }
    const ends = this.#ends(steps, e.at, e.offsetMs);
    const step = e.stepMs ?? this.#o.defaultStepMs;
    // Subquery steps are aligned to multiples of the step, as Prometheus aligns them, and the
    // first is after the range's start: the range is left-open, as every range in Prometheus 3.
    const first = min(ends) - e.rangeMs;
    let start = step * Math.trunc(first / step);
    if (start <= first) start += step;
    const count = Math.max(0, Math.floor((max(ends) - start) / step) + 1);
    // Refused before a step is built: `x[24h:1ms]` has 86,400,000 of them.
    this.#hold(0, count);
    const inner = stepTimes(start, step, count);
    const bare = unwrap(e.expr);
    let value: Vector[] | undefined;
    if (bare.kind === 'vectorSelector') {
      value = await this.histogramSteps(bare, inner);
      if (!value) return this.#selectorSubquery(bare, inner, ends, e.rangeMs);
    } else value = vectorOf(await this.eval(e.expr, inner));
    const bySeries = new Map<
      string,
      { metric: Metric; ts: number[]; vs: number[]; hts: number[]; hs: FloatHistogram[] }
    >();
    for (let i = 0; i < value.length; i++) {
      const vec = value[i]!;
      for (const s of vec) {
        let series = bySeries.get(s.metric.key);
        if (!series) {
          series = { metric: s.metric, ts: [], vs: [], hts: [], hs: [] };
          bySeries.set(s.metric.key, series);
        }
        if (s.histogram) {
          series.hts.push(inner[i]!);
          series.hs.push(s.histogram);
        } else {
          series.ts.push(inner[i]!);
          series.vs.push(s.value);
        }
      }
      await this.#pace(vec.length + 1);
    }
    let points = 0;
    const series = [...bySeries.values()].map((s): RangeSeries => {
      points += s.ts.length + s.hs.length;
      const floats = { metric: s.metric, ts: Float64Array.from(s.ts), vs: Float64Array.from(s.vs) };
      return s.hs.length === 0 ? floats : { ...floats, hts: Float64Array.from(s.hts), hs: s.hs };
    });
    this.#count(points);
    return { type: 'matrix', series, ends, rangeMs: e.rangeMs };
  }

  /**
   * `selector[range:step]` straight from the store's scan into one pair of arrays per series: no
   * vector per inner step, which for `x[10m:2ms]` were 300,000 arrays for the garbage collector.
   */
  async #selectorSubquery(
    sel: VectorSelector,
    inner: Float64Array,
    ends: Float64Array,
    rangeMs: number,
  ): Promise<Value & { type: 'matrix' }> {
    const rows = await this.selectorRows(sel, inner);
    let points = 0;
    const series: RangeSeries[] = [];
    for (const row of rows) {
      const ts = new Float64Array(row.steps.length);
      for (let k = 0; k < ts.length; k++) ts[k] = inner[row.steps[k]!]!;
      points += ts.length;
      series.push({ metric: row.metric, ts, vs: row.values });
      await this.#pace(ts.length);
    }
    this.#count(points);
    return { type: 'matrix', series, ends, rangeMs };
  }

  async #load(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    rangeMs?: number,
    ends?: Float64Array,
  ): Promise<SeriesData[]> {
    this.#checkDeadline();
    const data = await this.#storeCall(() =>
      this.#o.store.select(matchers, start, end, this.#selectOptions(rangeMs, ends)),
    );
    let n = 0;
    for (const s of data) n += s.timestamps.length;
    this.#count(n);
    return data;
  }

  /**
   * The store's limits and deadline for a read, and the range each step reads when it has one, with
   * how far apart the steps' ranges end (`ends`, evenly spaced).
   */
  #selectOptions(rangeMs?: number, ends?: Float64Array): SelectOptions {
    return {
      maxSamples: this.#o.maxSamples - this.#samples,
      maxSeries: this.#o.maxSeries,
      checkpoint: () => this.#checkDeadline(),
      ...(rangeMs !== undefined && { rangeMs }),
      ...(ends && { stepMs: ends.length > 1 ? ends[1]! - ends[0]! : 0 }),
    };
  }

  /** A store read, its limit errors turned into the query errors Prometheus answers with. */
  async #storeCall<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof StoreLimitError)) throw error;
      if (error.limit === 'maxSeries')
        throw new QueryError(
          'VIGIL_QUERY_TOO_MANY_SERIES',
          `query processing would load more than ${this.#o.maxSeries} series of one selector into memory (maxSeries); narrow the matchers`,
          { cause: error },
        );
      throw tooManySamples(error);
    }
  }

  #count(samples: number): void {
    this.#samples += samples;
    this.#hold(0, 0);
  }
}

/** What a step's histograms weigh beyond one sample each (FloatHistogram.weight). */
function bucketWeightOf(vec: Vector): number {
  let n = 0;
  for (const s of vec) if (s.histogram) n += s.histogram.weight - 1;
  return n;
}

function tooManySamples(cause: unknown): QueryError {
  return new QueryError(
    'VIGIL_QUERY_TOO_MANY_SAMPLES',
    'query processing would load too many samples into memory in query execution',
    { cause },
  );
}

function tooManyBytes(bytes: number, max: number): QueryError {
  return new QueryError(
    'VIGIL_QUERY_TOO_MUCH_MEMORY',
    `query processing would use about ${Math.ceil(bytes / 2 ** 20)} MiB of memory, more than the ${Math.floor(max / 2 ** 20)} MiB a query may use; narrow the matchers, shorten the range or widen the step`,
  );
}

const EMPTY = new Float64Array(0);

/** The functions whose input should be a counter, and the name endings that say it is one. */
const COUNTER_FUNCTIONS: ReadonlySet<string> = new Set(['rate', 'increase']);
const COUNTER_SUFFIX = /_(total|sum|count|bucket)$/;

/** Aggregations that read only floats and note the histograms they leave out (sum, avg and count take them). */
const HISTOGRAMS_IGNORED_BY: ReadonlySet<AggregateOp> = new Set<AggregateOp>([
  'min',
  'max',
  'stddev',
  'stdvar',
  'quantile',
  'topk',
  'bottomk',
]);

/** The float samples of a vector: what functions and operators that take no histograms see. */
function floats(vec: Vector): Vector {
  for (const s of vec) if (s.histogram) return vec.filter((x) => !x.histogram);
  return vec;
}

const HISTOGRAM_FUNCTIONS: Record<string, (h: FloatHistogram, a: number, b: number) => number> = {
  histogram_count: (h) => h.count,
  histogram_sum: (h) => h.sum,
  histogram_avg: (h) => h.sum / h.count,
  histogram_stddev: (h) => Math.sqrt(nativeStdvar(h)),
  histogram_stdvar: (h) => nativeStdvar(h),
  histogram_fraction: (h, lower, upper) => nativeFraction(lower, upper, h),
};

/**
 * `sum`, `avg` and `count` of a step's vector holding native histograms, as Prometheus: a group
 * of histograms sums (and averages) them; a group mixing floats and histograms has no answer; any
 * other aggregation sees only the floats.
 */
function aggregateHistograms(
  op: AggregateOp,
  vec: Vector,
  grouping: Grouping,
  param: number | string | undefined,
  cache: Map<Metric, Metric>,
  onMixed: () => void,
): Vector {
  if (op === 'count')
    return aggregate(
      op,
      vec.map((s) => (s.histogram ? { metric: s.metric, value: 0 } : s)),
      grouping,
      param,
      cache,
    );
  const floatOnly = aggregate(op, floats(vec), grouping, param, cache);
  if (op !== 'sum' && op !== 'avg') return floatOnly;
  const groups = new Map<
    string,
    { metric: Metric; sum: FloatHistogram | undefined; n: number; mixed: boolean }
  >();
  for (const s of vec) {
    let metric = cache.get(s.metric);
    if (!metric) {
      metric = makeMetric(groupLabels(s.metric, grouping));
      cache.set(s.metric, metric);
    }
    let g = groups.get(metric.key);
    if (!g) {
      g = { metric, sum: undefined, n: 0, mixed: false };
      groups.set(metric.key, g);
    }
    if (!s.histogram) {
      g.mixed = true;
      continue;
    }
    g.sum = g.sum ? g.sum.plus(s.histogram) : s.histogram;
    g.n++;
  }
  const out: Vector = [];
  for (const s of floatOnly) {
    const g = groups.get(s.metric.key);
    if (!g?.sum) out.push(s);
  }
  for (const g of groups.values()) {
    if (g.sum && g.mixed) onMixed();
    if (!g.sum || g.mixed) continue;
    const h = (op === 'avg' ? g.sum.times(1 / g.n) : g.sum).withHint('gauge');
    out.push({ metric: g.metric, value: Number.NaN, histogram: h });
  }
  return out;
}

/**
 * Vector-scalar arithmetic where the vector holds histograms: `h * s`, `s * h` and `h / s` scale
 * every count and the sum, as in Prometheus; any other operator drops the histogram samples.
 */
function withHistogramsScaled(
  op: string,
  vec: Vector,
  scalar: number,
  scalarLeft: boolean,
  onFloats: (v: Vector) => Vector,
): Vector {
  if (!vec.some((s) => s.histogram)) return onFloats(vec);
  const out = [...onFloats(floats(vec))];
  const k = op === '*' ? scalar : op === '/' && !scalarLeft ? 1 / scalar : undefined;
  if (k === undefined) return out;
  for (const s of vec)
    if (s.histogram)
      out.push({ metric: dropName(s.metric), value: Number.NaN, histogram: s.histogram.times(k) });
  return out;
}

/**
 * The shape aggregations fold series by series: `op (f(selector[range]))`, `op` without a
 * parameter, `f` a range function of one argument that drops the name.
 */
function seriesWiseShape(
  e: Expr & { kind: 'aggregation' },
): { call: Call; range: RangeFunction; arg: MatrixSelector; grouping: Grouping } | undefined {
  if (!SERIES_WISE_OPS.has(e.op) || e.param) return undefined;
  const call = unwrap(e.expr);
  if (call.kind !== 'call' || call.args.length !== 1) return undefined;
  const range = RANGE_FUNCTIONS.get(call.func);
  const arg = unwrap(call.args[0]!);
  if (
    !range ||
    call.func === 'last_over_time' ||
    call.func === 'first_over_time' ||
    arg.kind !== 'matrixSelector'
  )
    return undefined;
  return { call, range, arg, grouping: { labels: e.grouping, without: e.without } };
}

/** Every series of the selector has the same name (matched with `=`). */
function namePinned(sel: VectorSelector): boolean {
  return sel.matchers.some((m) => m.name === '__name__' && m.type === '=');
}

function vectorOf(v: Value): Vector[] {
  if (v.type !== 'vector') throw new Error(`unreachable: expected an instant vector, got ${v.type}`);
  return v.steps;
}

function paramAt(v: Value | undefined, i: number): number | string | undefined {
  if (!v) return undefined;
  if (v.type === 'scalar') return v.values[i];
  if (v.type === 'string') return v.value;
  return undefined;
}

function unwrap(e: Expr): Expr {
  return e.kind === 'paren' ? unwrap(e.expr) : e;
}

/**
 * absent() answers with the labels its selector pins with `=`. As in Prometheus, any later matcher on
 * a label already pinned, or any matcher other than `=`, removes it: `{job="a",job=~"b"}` gives no job.
 */
function absentLabels(arg: Expr): Record<string, string> {
  const e = unwrap(arg);
  const sel = e.kind === 'vectorSelector' ? e : e.kind === 'matrixSelector' ? e.selector : undefined;
  const labels = new Map<string, string>();
  const pinned = new Set<string>();
  for (const m of sel?.matchers ?? []) {
    if (m.name === '__name__') continue;
    if (m.type === '=' && !pinned.has(m.name)) {
      labels.set(m.name, m.value);
      pinned.add(m.name);
    } else {
      labels.delete(m.name);
    }
  }
  return Object.fromEntries(labels);
}

function withoutStaleMarkers(s: SeriesData): RangeSeries {
  const metric = makeMetric(s.labels);
  let stale = 0;
  for (const v of s.values) if (isStaleNaN(v)) stale++;
  if (stale === 0) return { metric, ts: s.timestamps, vs: s.values };
  const ts = new Float64Array(s.values.length - stale);
  const vs = new Float64Array(ts.length);
  let j = 0;
  for (let i = 0; i < s.values.length; i++) {
    if (isStaleNaN(s.values[i]!)) continue;
    ts[j] = s.timestamps[i]!;
    vs[j++] = s.values[i]!;
  }
  return { metric, ts, vs };
}

// Indexed loops over steps, not for-of, map or from with a callback: those box every double they
// hand over, 130 KB for each pass over the 8,641 steps of a 30-day range query.

function min(a: Float64Array): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) if (a[i]! < m) m = a[i]!;
  return m;
}

function max(a: Float64Array): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

/** `count` times from `start`, `step` apart. */
export function stepTimes(start: number, step: number, count: number): Float64Array {
  const steps = new Float64Array(count);
  for (let i = 0; i < count; i++) steps[i] = start + i * step;
  return steps;
}
