import { type CompiledMatcher, compileMatcher } from '../matchers/label-matcher.js';
import { literalAlternation } from '../regex/regex-matcher.js';
import type { LabelMatcher } from '../store/series-store.js';
import type { Expr, VectorSelector } from './ast.js';
import { type Metric, makeMetric, type Vector } from './metric.js';
import { QueryError } from './query-error.js';

/** The info metric `info(v)` reads when its selector names none, as in Prometheus 3. */
const TARGET_INFO = 'target_info';
/** The labels that tie an info series to the series it describes: hard-coded in Prometheus 3 too. */
const IDENTIFYING = ['instance', 'job'] as const;
/** Longest alternation of identifying values put in a matcher; past it the info series are filtered after loading. */
const MAX_ALTERNATION = 16 * 1024;

/**
 * Prometheus 3's experimental `info(v, {selector})`: each series of `v` gains the data labels of the
 * info series (by default `target_info`) that have the same `instance` and `job`. The selector's
 * `__name__` matchers choose the info metrics; its other matchers constrain the info series and
 * name the only data labels added (all of them when there are none). The info series are read as
 * the series `v` reads them (its first selector's `@` and `offset`), with the usual lookback, and
 * where two with the same identity are present the newer sample wins; two with the same identity
 * and time are an error, as is one data label with two values from two info metrics. A label the
 * series already has is kept as it is.
 */
export class InfoEnrichment {
  /** A series of `v` whose name all these accept is an info series itself and passes unchanged. */
  readonly #nameMatchers: readonly CompiledMatcher[];
  /** The matchers that select info series, before the identifying values are added. */
  readonly #select: readonly LabelMatcher[];
  /** The labels the selector's other matchers name: when there are any, only these are added. */
  readonly #dataLabels: ReadonlySet<string>;
  /** Whether a series no info series matches is dropped rather than kept unchanged. */
  readonly #required: boolean;
  readonly #cache = new Map<string, Metric>();

  constructor(selector: VectorSelector | undefined) {
    const all = selector?.matchers ?? [];
    // As promql/info.go: every `__name__` matcher at once, negated ones alone included (then every
    // metric they accept is an info metric, and every series of `v` they accept passes unchanged).
    const names =
      selector === undefined
        ? [{ name: '__name__', type: '=' as const, value: TARGET_INFO }]
        : all.filter((m) => m.name === '__name__');
    this.#nameMatchers = names.map((m) => compileMatcher(m));
    const others = all.filter((m) => m.name !== '__name__');
    this.#select = [
      ...(names.length > 0 ? names : [{ name: '__name__', type: '=' as const, value: TARGET_INFO }]),
      ...others,
    ];
    this.#dataLabels = new Set(others.map((m) => m.name));
    this.#required = others.some((m) => !compileMatcher(m).matchesEmpty);
  }

  /**
   * The matchers of the info series the base vectors may need, narrowed to the identifying values
   * they hold; undefined when no series of theirs has one, so no info series can match.
   */
  infoMatchers(base: readonly Vector[]): LabelMatcher[] | undefined {
    const values = new Map<string, Set<string>>(IDENTIFYING.map((l) => [l, new Set()]));
    for (const vec of base)
      for (const s of vec) {
        if (this.#isInfoSeries(s.metric)) continue;
        for (const l of IDENTIFYING) {
          const v = s.metric.labels[l];
          if (v !== undefined) values.get(l)!.add(v);
        }
      }
    const narrowing: LabelMatcher[] = [];
    for (const [name, set] of values) {
      if (set.size === 0) continue;
      const pattern = literalAlternation(set);
      if (pattern.length <= MAX_ALTERNATION) narrowing.push({ name, type: '=~', value: pattern });
    }
    if (values.get('instance')!.size === 0 && values.get('job')!.size === 0) return undefined;
    return [...this.#select, ...narrowing];
  }

  /** Every info metric name among `infos` (over all steps), each a way a series can be matched. */
  static infoNames(infos: readonly Vector[]): string[] {
    const names = new Set<string>();
    for (const vec of infos) for (const s of vec) names.add(s.metric.labels.__name__ ?? '');
    return [...names];
  }

  /**
   * One step: `base` with its data labels added. `infos` holds the info series present at the step,
   * each with the time of its sample (seconds) as its value, which decides between two of the same
   * identity; `names` are the info metric names of the whole evaluation.
   */
  enrich(base: Vector, infos: Vector, names: readonly string[]): Vector {
    const newest = new Map<string, { labels: Record<string, string>; t: number }>();
    for (const s of infos) {
      const sig = signature(s.metric.labels.__name__ ?? '', s.metric.labels);
      const seen = newest.get(sig);
      if (seen === undefined || seen.t < s.value) newest.set(sig, { labels: s.metric.labels, t: s.value });
      else if (seen.t === s.value)
        throw new QueryError(
          'VIGIL_QUERY_EXECUTION',
          `found duplicate series for info metric: existing ${labelsString(seen.labels)} @ ${Math.round(seen.t * 1000)}, new ${labelsString(s.metric.labels)} @ ${Math.round(s.value * 1000)}`,
        );
    }
    const out: Vector = [];
    for (const b of base) {
      if (this.#isInfoSeries(b.metric)) {
        out.push(b);
        continue;
      }
      const added: Record<string, string> = {};
      let matched = false;
      for (const name of names) {
        const info = newest.get(signature(name, b.metric.labels));
        if (info === undefined) continue;
        matched = true;
        for (const [label, value] of Object.entries(info.labels)) {
          if (label === '__name__' || (this.#dataLabels.size > 0 && !this.#dataLabels.has(label))) continue;
          const before = added[label];
          if (before !== undefined && before !== value)
            throw new QueryError('VIGIL_QUERY_EXECUTION', `conflicting label: ${label}`);
          if (!(label in b.metric.labels)) added[label] = value;
        }
      }
      if (!matched && this.#required) continue;
      out.push({ ...b, metric: this.#withLabels(b.metric, added) });
    }
    return out;
  }

  #isInfoSeries(metric: Metric): boolean {
    if (this.#nameMatchers.length === 0) return false;
    const name = metric.labels.__name__ ?? '';
    return this.#nameMatchers.every((m) => m.test(name));
  }

  #withLabels(metric: Metric, added: Record<string, string>): Metric {
    const extra = Object.keys(added);
    if (extra.length === 0) return metric;
    const key = `${metric.key}\0${extra.map((k) => `${k}\xff${added[k]}`).join('\xfe')}`;
    let out = this.#cache.get(key);
    if (out === undefined) {
      out = makeMetric({ ...metric.labels, ...added });
      this.#cache.set(key, out);
    }
    return out;
  }
}

/**
 * The selector whose `@` and `offset` the info series are read with: the first one in `e`, as
 * Prometheus takes it.
 */
export function firstSelector(e: Expr): VectorSelector | undefined {
  switch (e.kind) {
    case 'vectorSelector':
      return e;
    case 'matrixSelector':
      return e.selector;
    case 'subquery':
    case 'paren':
    case 'unary':
      return firstSelector(e.expr);
    case 'aggregation':
      return firstSelector(e.expr) ?? (e.param && firstSelector(e.param));
    case 'binary':
      return firstSelector(e.lhs) ?? firstSelector(e.rhs);
    case 'call':
      for (const arg of e.args) {
        const found = firstSelector(arg);
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** An info metric name and the identifying labels a series has: equal for a series and its info series. */
function signature(name: string, labels: Readonly<Record<string, string>>): string {
  let sig = name;
  for (const l of IDENTIFYING) {
    const v = labels[l];
    if (v !== undefined) sig += `\xff${l}\xfe${v}`;
  }
  return sig;
}

/** A label set as Prometheus's `labels.Labels.String()` writes it in error messages. */
function labelsString(labels: Readonly<Record<string, string>>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;
}
