import { type Clock, systemClock } from '@vigil/metrics';
import { invalidOption, positiveOption } from '../errors/invalid-option.js';
import type { SampleSource } from '../store/series-store.js';
import type { Expr } from './ast.js';
import { type DurationContext, resolveDurations } from './duration-expr.js';
import { Evaluator, type SelectorRow, stepTimes, type Value } from './evaluator.js';
import type { FloatHistogram } from './float-histogram.js';
import { compareLabels, type Metric } from './metric.js';
import { type ParseOptions, parsePromql, typeOf } from './parse.js';
import type { QueryEngine, QueryOptions } from './query-engine.js';
import { PromqlParseError, QueryError } from './query-error.js';
import { QueryGate } from './query-gate.js';
import type { MatrixSeries, QueryAnnotations, QueryResult } from './query-result.js';
import { upperBound } from './time-bounds.js';

export interface PromqlEngineOptions {
  readonly store: SampleSource;
  readonly clock?: Clock;
  /** How far back an instant vector looks for a sample. Default 300000 (5 m), as Prometheus. */
  readonly lookbackDeltaMs?: number;
  /** Step of a subquery written without one (`x[1h:]`). Default 60000, Prometheus's default evaluation interval. */
  readonly defaultSubqueryStepMs?: number;
  /** Most samples a query may load, over all its selectors and subqueries. Default 50,000,000, as Prometheus. */
  readonly maxSamples?: number | undefined;
  /**
   * Most series one selector may load. Default 500,000: a selector over a million series is refused
   * by the store's index lookup, before any sample is read.
   */
  readonly maxSeries?: number;
  /** Default 120000 (2 m), as Prometheus. */
  readonly timeoutMs?: number | undefined;
  /** Most points per series a range query may return. Default 11000, as Prometheus's API. */
  readonly maxPointsPerSeries?: number;
  /**
   * Most memory one query may hold, estimated from the samples it loads, the steps of its subqueries
   * and its intermediate vectors. Default 1 GiB.
   */
  readonly maxQueryBytes?: number | undefined;
  /** Most queries evaluated at once, as Prometheus's `--query.max-concurrency`. Default 20. */
  readonly maxConcurrency?: number | undefined;
  /** Most queries waiting for a slot; one more is refused with 503. Default 1000. */
  readonly maxQueued?: number;
  /** Prometheus 3's experimental functions and aggregations (`--enable-feature=promql-experimental-functions`). Default off. */
  readonly experimentalFunctions?: boolean;
  /** Arithmetic in durations (`--enable-feature=promql-duration-expr`). Default off. */
  readonly durationExpressions?: boolean;
}

/** Parsed expressions kept, and the longest kept: a few MiB at most. */
const PARSED_KEPT = 1024;
const PARSED_MAX_CHARS = 8192;

const positiveInteger = (option: string, value: number | undefined, fallback: number) =>
  positiveOption('PromqlEngine', option, value, fallback, true);

/** PromQL evaluated by vigil over a SeriesStore (or another SampleSource). */
export class PromqlEngine implements QueryEngine {
  readonly #store: SampleSource;
  readonly #clock: Clock;
  readonly #lookbackMs: number;
  readonly #defaultStepMs: number;
  readonly #maxSamples: number;
  readonly #maxSeries: number;
  readonly #timeoutMs: number;
  readonly #maxPoints: number;
  readonly #maxBytes: number;
  readonly #gate: QueryGate;
  readonly #parse: ParseOptions;
  /**
   * Rules and dashboards send the same expressions again and again, and parsing one (the lezer
   * grammar, then the checks) cost 10-15% of evaluating the rules of 100 SLOs; the AST is immutable,
   * so each text is parsed once (least recently used first out). Errors are not kept.
   */
  readonly #parsed = new Map<string, Expr>();

  constructor(options: PromqlEngineOptions) {
    if (!options || typeof options.store?.select !== 'function')
      throw invalidOption('PromqlEngine', 'store', options?.store, 'a SeriesStore');
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#lookbackMs = positiveInteger('lookbackDeltaMs', options.lookbackDeltaMs, 300_000);
    this.#defaultStepMs = positiveInteger('defaultSubqueryStepMs', options.defaultSubqueryStepMs, 60_000);
    this.#maxSamples = positiveInteger('maxSamples', options.maxSamples, 50_000_000);
    this.#maxSeries = positiveInteger('maxSeries', options.maxSeries, 500_000);
    this.#timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, 120_000);
    this.#maxPoints = positiveInteger('maxPointsPerSeries', options.maxPointsPerSeries, 11_000);
    this.#maxBytes = positiveInteger('maxQueryBytes', options.maxQueryBytes, 2 ** 30);
    this.#parse = {
      experimentalFunctions: options.experimentalFunctions === true,
      durationExpressions: options.durationExpressions === true,
    };
    this.#gate = new QueryGate(
      positiveInteger('maxConcurrency', options.maxConcurrency, 20),
      positiveInteger('maxQueued', options.maxQueued, 1000),
    );
  }

  async instantQuery(expr: string, timeMs: number, options?: QueryOptions): Promise<QueryResult> {
    const ast = this.#parseFor(expr, { stepMs: 0, rangeMs: 0 });
    const evaluator = this.#evaluator(timeMs, timeMs, 0, options);
    const value = await this.#gate.run(evaluator.remainingMs(), () =>
      evaluator.eval(ast, Float64Array.of(timeMs)),
    );
    const notes = annotationsOf(evaluator, expr);
    switch (value.type) {
      case 'scalar':
        return { resultType: 'scalar', timeMs, value: value.values[0]!, ...notes };
      case 'string':
        return { resultType: 'string', timeMs, value: value.value, ...notes };
      case 'vector':
        return {
          resultType: 'vector',
          timeMs,
          result: value.steps[0]!.map((s) =>
            s.histogram
              ? { metric: s.metric.labels, value: s.value, histogram: s.histogram }
              : { metric: s.metric.labels, value: s.value },
          ),
          ...notes,
        };
      case 'matrix':
        return { resultType: 'matrix', result: windowAt(value), ...notes };
    }
  }

  async rangeQuery(
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    options?: QueryOptions,
  ): Promise<QueryResult> {
    if (!(stepMs > 0))
      throw badData('zero or negative query resolution step widths are not accepted. Try a positive integer');
    if (endMs < startMs) throw badData('end timestamp must not be before start time');
    const count = Math.floor((endMs - startMs) / stepMs) + 1;
    if (count > this.#maxPoints)
      throw badData(
        `exceeded maximum resolution of ${this.#maxPoints} points per timeseries. Try decreasing the query resolution (?step=XX)`,
      );
    const ast = this.#parseFor(expr, { stepMs, rangeMs: endMs - startMs });
    const type = typeOf(ast);
    if (type !== 'scalar' && type !== 'vector')
      throw badData(
        `invalid expression type ${JSON.stringify(type === 'matrix' ? 'range vector' : type)} for range query, must be Scalar or instant Vector`,
      );
    const steps = stepTimes(startMs, stepMs, count);
    const evaluator = this.#evaluator(startMs, endMs, stepMs, options);
    const bare = unwrap(ast);
    return this.#gate.run(evaluator.remainingMs(), async () => {
      if (bare.kind === 'vectorSelector') {
        const withHistograms = await evaluator.histogramSteps(bare, steps);
        if (withHistograms)
          return { resultType: 'matrix', result: toMatrix({ type: 'vector', steps: withHistograms }, steps) };
        return {
          resultType: 'matrix',
          result: rowsToMatrix(await evaluator.selectorRows(bare, steps), steps),
        };
      }
      const result = toMatrix(await evaluator.eval(ast, steps), steps);
      return { resultType: 'matrix', result, ...annotationsOf(evaluator, expr) };
    });
  }

  /** Parses and type-checks without evaluating, for rule files and the API's error replies. */
  parse(expr: string): Expr {
    let ast = this.#parsed.get(expr);
    if (ast !== undefined) {
      this.#parsed.delete(expr);
    } else {
      ast = parsePromql(expr, this.#parse);
      if (expr.length > PARSED_MAX_CHARS) return ast;
      if (this.#parsed.size >= PARSED_KEPT) this.#parsed.delete(this.#parsed.keys().next().value!);
    }
    this.#parsed.set(expr, ast);
    return ast;
  }

  /** The expression with its `step()` and `range()` durations worked out for this query. */
  #parseFor(expr: string, context: DurationContext): Expr {
    return resolveDurations(this.parse(expr), context, (at, detail) => {
      throw new PromqlParseError(expr, at.start, detail);
    });
  }

  #evaluator(startMs: number, endMs: number, stepMs: number, options: QueryOptions | undefined): Evaluator {
    const timeout = options?.timeoutMs ?? this.#timeoutMs;
    return new Evaluator({
      store: this.#store,
      clock: this.#clock,
      lookbackMs: this.#lookbackMs,
      defaultStepMs: this.#defaultStepMs,
      maxSamples: this.#maxSamples,
      maxSeries: this.#maxSeries,
      maxBytes: this.#maxBytes,
      deadline: this.#clock.now() + timeout,
      queryStart: startMs,
      queryEnd: endMs,
      queryStep: stepMs,
    });
  }
}

/** The evaluation's annotations as the result's optional `warnings` and `infos`. */
function annotationsOf(evaluator: Evaluator, expr: string): QueryAnnotations {
  const { warnings, infos } = evaluator.annotations.texts(expr);
  return {
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(infos.length > 0 ? { infos } : {}),
  };
}

function badData(message: string): QueryError {
  return new QueryError('VIGIL_QUERY_BAD_DATA', message);
}

function windowAt(value: Value & { type: 'matrix' }): MatrixSeries[] {
  const end = value.ends[0]!;
  const out: MatrixSeries[] = [];
  for (const s of value.series) {
    const from = upperBound(s.ts, end - value.rangeMs);
    const to = upperBound(s.ts, end);
    const hFrom = s.hts ? upperBound(s.hts, end - value.rangeMs) : 0;
    const hTo = s.hts ? upperBound(s.hts, end) : 0;
    if (to === from && hTo === hFrom) continue;
    const series = { metric: s.metric.labels, timesMs: s.ts.slice(from, to), values: s.vs.slice(from, to) };
    if (hTo === hFrom) out.push(series);
    else
      out.push({
        ...series,
        histograms: { timesMs: s.hts!.slice(hFrom, hTo), values: s.hs!.slice(hFrom, hTo) },
      });
  }
  return out;
}

/** A range query's result: one series per label set, points in step order, series sorted by labels. */
function toMatrix(value: Value, steps: Float64Array): MatrixSeries[] {
  if (value.type === 'scalar') return [{ metric: {}, timesMs: steps, values: value.values }];
  if (value.type !== 'vector') throw new Error(`unreachable: a range query of type ${value.type}`);
  const series = new Map<
    string,
    { metric: Metric; at: number[]; values: number[]; hAt: number[]; histograms: FloatHistogram[] }
  >();
  value.steps.forEach((vec, i) => {
    for (const s of vec) {
      let entry = series.get(s.metric.key);
      if (!entry) {
        entry = { metric: s.metric, at: [], values: [], hAt: [], histograms: [] };
        series.set(s.metric.key, entry);
      }
      if (s.histogram) {
        entry.hAt.push(i);
        entry.histograms.push(s.histogram);
      } else {
        entry.at.push(i);
        entry.values.push(s.value);
      }
    }
  });
  return [...series.values()]
    .sort((a, b) => compareLabels(a.metric, b.metric))
    .map((s) => {
      const floats = {
        metric: s.metric.labels,
        timesMs: timesAt(steps, s.at),
        values: Float64Array.from(s.values),
      };
      if (s.hAt.length === 0) return floats;
      return { ...floats, histograms: { timesMs: timesAt(steps, s.hAt), values: s.histograms } };
    });
}

/** A bare selector's range query answer, built from its rows (Evaluator.selectorRows). */
function rowsToMatrix(rows: SelectorRow[], steps: Float64Array): MatrixSeries[] {
  return rows
    .sort((a, b) => compareLabels(a.metric, b.metric))
    .map(({ metric, steps: at, values }) => ({ metric: metric.labels, timesMs: timesAt(steps, at), values }));
}

/** The times of the steps at indexes `at`. */
function timesAt(steps: Float64Array, at: ArrayLike<number>): Float64Array {
  const out = new Float64Array(at.length);
  for (let i = 0; i < at.length; i++) out[i] = steps[at[i]!]!;
  return out;
}

function unwrap(e: Expr): Expr {
  return e.kind === 'paren' ? unwrap(e.expr) : e;
}
