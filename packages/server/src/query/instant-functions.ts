import { type CaptureRegex, captureRegex, expand, RegexError } from '../regex/regex-matcher.js';
import { compareLabels, dropName, isLabelName, type Metric, makeMetric, type Vector } from './metric.js';
import { QueryError } from './query-error.js';

/** One step of a function over an instant vector; `args` are the other arguments' values at that step. */
export type InstantFunction = (input: Vector, args: readonly (number | string)[]) => Vector;

function mapValues(fn: (v: number, args: readonly (number | string)[]) => number): InstantFunction {
  return (input, args) => input.map((s) => ({ metric: dropName(s.metric), value: fn(s.value, args) }));
}

function date(fn: (d: Date) => number): InstantFunction {
  return mapValues((v) => fn(new Date(Math.trunc(v) * 1000)));
}

const num = (args: readonly (number | string)[], i: number): number => Number(args[i]);

function sortBy(descending: boolean): InstantFunction {
  return (input) =>
    [...input].sort((a, b) => {
      if (Number.isNaN(a.value)) return Number.isNaN(b.value) ? 0 : 1;
      if (Number.isNaN(b.value)) return -1;
      const d = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
      return descending ? -d : d;
    });
}

/**
 * sort_by_label and sort_by_label_desc: by the named labels' values in natural order (`a2` before
 * `a10`), then by the whole label set, as Prometheus 3; names are kept.
 */
function sortByLabel(descending: boolean): InstantFunction {
  return (input, args) => {
    const names = args.map(String);
    return [...input].sort((a, b) => {
      for (const name of names) {
        const x = a.metric.labels[name] ?? '';
        const y = b.metric.labels[name] ?? '';
        if (x === y) continue;
        return naturalLess(x, y) === descending ? 1 : -1;
      }
      const d = compareLabels(a.metric, b.metric);
      return descending ? -d : d;
    });
  };
}

/** Natural order (facette/natsort, which Prometheus uses): runs of digits compare as integers. */
function naturalLess(a: string, b: string): boolean {
  const x = a.match(/\d+|\D+/g) ?? [];
  const y = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < x.length; i++) {
    if (i >= y.length) return false;
    const p = x[i]!;
    const q = y[i]!;
    const numeric = /^\d/.test(p) && /^\d/.test(q);
    if (numeric ? Number(p) === Number(q) : p === q) {
      if (i === x.length - 1) return true;
      if (i === y.length - 1) return false;
      continue;
    }
    return numeric ? Number(p) < Number(q) : p < q;
  }
  return false;
}

export const INSTANT_FUNCTIONS: ReadonlyMap<string, InstantFunction> = new Map<string, InstantFunction>([
  ['abs', mapValues(Math.abs)],
  ['ceil', mapValues(Math.ceil)],
  ['floor', mapValues(Math.floor)],
  ['exp', mapValues(Math.exp)],
  ['ln', mapValues(Math.log)],
  ['log2', mapValues(Math.log2)],
  ['log10', mapValues(Math.log10)],
  ['sqrt', mapValues(Math.sqrt)],
  ['sgn', mapValues(Math.sign)],
  ['acos', mapValues(Math.acos)],
  ['acosh', mapValues(Math.acosh)],
  ['asin', mapValues(Math.asin)],
  ['asinh', mapValues(Math.asinh)],
  ['atan', mapValues(Math.atan)],
  ['atanh', mapValues(Math.atanh)],
  ['cos', mapValues(Math.cos)],
  ['cosh', mapValues(Math.cosh)],
  ['sin', mapValues(Math.sin)],
  ['sinh', mapValues(Math.sinh)],
  ['tan', mapValues(Math.tan)],
  ['tanh', mapValues(Math.tanh)],
  ['deg', mapValues((v) => (v * 180) / Math.PI)],
  ['rad', mapValues((v) => (v * Math.PI) / 180)],
  [
    'round',
    mapValues((v, args) => {
      const inverse = 1 / (args.length > 0 ? num(args, 0) : 1);
      return Math.floor(v * inverse + 0.5) / inverse;
    }),
  ],
  [
    'clamp',
    (input, args) => (num(args, 1) < num(args, 0) ? [] : clampAll(input, num(args, 0), num(args, 1))),
  ],
  ['clamp_min', (input, args) => clampAll(input, num(args, 0), Infinity)],
  ['clamp_max', (input, args) => clampAll(input, -Infinity, num(args, 0))],
  ['day_of_month', date((d) => d.getUTCDate())],
  ['day_of_week', date((d) => d.getUTCDay())],
  [
    'day_of_year',
    date((d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1),
  ],
  ['days_in_month', date((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate())],
  ['hour', date((d) => d.getUTCHours())],
  ['minute', date((d) => d.getUTCMinutes())],
  ['month', date((d) => d.getUTCMonth() + 1)],
  ['year', date((d) => d.getUTCFullYear())],
  ['sort', sortBy(false)],
  ['sort_desc', sortBy(true)],
  ['sort_by_label', sortByLabel(false)],
  ['sort_by_label_desc', sortByLabel(true)],
]);

function clampAll(input: Vector, min: number, max: number): Vector {
  return input.map((s) => ({ metric: dropName(s.metric), value: Math.max(min, Math.min(max, s.value)) }));
}

/**
 * label_replace and label_join, checked once per query; they keep the metric name. Each returns a
 * per-step function whose results are cached per input series, since labels do not change with time.
 */
export function labelFunction(
  func: 'label_replace' | 'label_join',
  strings: readonly string[],
): InstantFunction {
  const dst = strings[0]!;
  if (!isLabelName(dst))
    throw new QueryError('VIGIL_QUERY_EXECUTION', `invalid destination label name in ${func}(): ${dst}`);
  let relabel: (m: Metric) => string | undefined;
  if (func === 'label_replace') {
    const [, replacement, src, pattern] = strings as [string, string, string, string];
    let regex: CaptureRegex;
    try {
      regex = captureRegex(pattern);
    } catch (error) {
      if (!(error instanceof RegexError)) throw error;
      throw new QueryError('VIGIL_QUERY_EXECUTION', `label_replace(): ${error.message}`, { cause: error });
    }
    relabel = (m) => {
      const match = regex.exec(m.labels[src] ?? '');
      return match ? expand(replacement, match.get) : undefined;
    };
  } else {
    const [, separator, ...sources] = strings as [string, string, ...string[]];
    relabel = (m) => sources.map((s) => m.labels[s] ?? '').join(separator);
  }
  const cache = new Map<Metric, Metric>();
  return (input) =>
    input.map((s) => {
      let metric = cache.get(s.metric);
      if (!metric) {
        const value = relabel(s.metric);
        metric = value === undefined ? s.metric : makeMetric({ ...s.metric.labels, [dst]: value });
        cache.set(s.metric, metric);
      }
      return { metric, value: s.value };
    });
}
