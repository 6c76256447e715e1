import type { SeriesLabels } from '../store/series-store.js';
import type { FloatHistogram } from './float-histogram.js';

/** A label set with its identity computed once: equal label sets have equal keys. */
export interface Metric {
  readonly labels: SeriesLabels;
  readonly key: string;
}

/** A float sample, or a native histogram sample (`histogram` set, `value` NaN and meaningless). */
export interface Sample {
  readonly metric: Metric;
  readonly value: number;
  readonly histogram?: FloatHistogram;
}

/** One evaluation step's instant vector. */
export type Vector = Sample[];

export function makeMetric(labels: SeriesLabels): Metric {
  const names = Object.keys(labels).sort();
  const sorted: Record<string, string> = {};
  let key = '';
  for (const name of names) {
    const value = labels[name]!;
    if (value === '') continue;
    sorted[name] = value;
    key += `${name}\xff${value}\xfe`;
  }
  return { labels: sorted, key };
}

const withoutNames = new WeakMap<Metric, Metric>();

/** The metric without `__name__`, as functions and arithmetic return it; shared across steps. */
export function dropName(metric: Metric): Metric {
  if (!('__name__' in metric.labels)) return metric;
  let out = withoutNames.get(metric);
  if (!out) {
    const { __name__: _, ...rest } = metric.labels;
    out = makeMetric(rest);
    withoutNames.set(metric, out);
  }
  return out;
}

/** Prometheus's labels.Compare over sorted label sets: name, then value, then length. */
export function compareLabels(a: Metric, b: Metric): number {
  const x = Object.entries(a.labels);
  const y = Object.entries(b.labels);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [an, av] = x[i]!;
    const [bn, bv] = y[i]!;
    if (an !== bn) return an < bn ? -1 : 1;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return x.length - y.length;
}

/** Prometheus's `{a="1", b="2"}` rendering, for error messages. */
export function metricString(metric: Metric): string {
  const { __name__: name, ...rest } = metric.labels;
  const pairs = Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${name ?? ''}{${pairs.join(', ')}}`;
}

/** The key of the labels that `on (names)` keeps, or that `ignoring (names)` leaves (never `__name__`). */
export function matchKey(metric: Metric, on: boolean, names: readonly string[]): string {
  let key = '';
  for (const [name, value] of Object.entries(metric.labels)) {
    const listed = names.includes(name);
    if (on ? listed : !listed && name !== '__name__') key += `${name}\xff${value}\xfe`;
  }
  return key;
}

/**
 * A label name a query may create (label_replace, label_join, count_values): any non-empty UTF-8
 * text, as Prometheus 3 validates names (`http.route` is one; `{"http.route"="/"}` selects it).
 */
export function isLabelName(name: string): boolean {
  return name !== '' && name.isWellFormed();
}
