import type { SeriesLabels } from '../store/series-store.js';
import type { AggregateOp } from './ast.js';
import { formatValue } from './format-value.js';
import { addToMean, type CompensatedMean, kahanCompensation, meanOf } from './kahan-sum.js';
import { isLabelName, type Metric, makeMetric, type Sample, type Vector } from './metric.js';
import { quantile } from './quantile.js';
import { QueryError } from './query-error.js';
import { keptByRatio } from './ratio-sample.js';

export interface Grouping {
  readonly labels: readonly string[];
  readonly without: boolean;
}

interface Group {
  readonly metric: Metric;
  readonly samples: Sample[];
}

/** The label set a sample's group keeps: `by` keeps the listed labels, `without` all others but `__name__`. */
export function groupLabels(metric: Metric, grouping: Grouping): SeriesLabels {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metric.labels)) {
    const listed = grouping.labels.includes(name);
    if (grouping.without ? !listed && name !== '__name__' : listed) out[name] = value;
  }
  return out;
}

/**
 * One step of an aggregation, as Prometheus's `aggregation()` (promql/engine.go) computes it;
 * groups come out in the order their first sample came in. `cache` keeps group metrics across steps.
 */
export function aggregate(
  op: AggregateOp,
  input: Vector,
  grouping: Grouping,
  param: number | string | undefined,
  cache: Map<Metric, Metric>,
): Vector {
  if (op === 'count_values') return countValues(input, grouping, String(param), cache);
  const groups = new Map<string, Group>();
  for (const sample of input) {
    let metric = cache.get(sample.metric);
    if (!metric) {
      metric = makeMetric(groupLabels(sample.metric, grouping));
      cache.set(sample.metric, metric);
    }
    let group = groups.get(metric.key);
    if (!group) {
      group = { metric, samples: [] };
      groups.set(metric.key, group);
    }
    group.samples.push(sample);
  }
  const out: Vector = [];
  for (const { metric, samples } of groups.values()) {
    if (op === 'topk' || op === 'bottomk') {
      out.push(...selectK(samples, Number(param), op === 'topk'));
      continue;
    }
    if (op === 'limitk') {
      out.push(...limitK(samples, Number(param)));
      continue;
    }
    if (op === 'limit_ratio') {
      // The ratio arrives checked and capped to [-1, 1] (the evaluator warns); 0 keeps nothing.
      const ratio = Number(param);
      if (ratio !== 0) for (const s of samples) if (keptByRatio(ratio, s.metric)) out.push(s);
      continue;
    }
    out.push({ metric, value: reduce(op, samples, Number(param)) });
  }
  return out;
}

function reduce(op: AggregateOp, samples: Sample[], param: number): number {
  const first = samples[0]!.value;
  switch (op) {
    case 'sum': {
      // Starting from the first value, not 0, as Prometheus does; compensated, as Prometheus 3.
      let sum = first;
      let c = 0;
      for (let i = 1; i < samples.length; i++) {
        const v = samples[i]!.value;
        c = kahanCompensation(sum, v, c);
        sum += v;
      }
      return sum + c;
    }
    case 'avg': {
      const mean: CompensatedMean = { value: first, c: 0, incremental: false };
      for (let i = 1; i < samples.length; i++) addToMean(mean, samples[i]!.value, i + 1);
      return meanOf(mean, samples.length);
    }
    case 'min':
    case 'max': {
      let best = first;
      for (const { value } of samples) {
        if (Number.isNaN(best) || (op === 'max' ? value > best : value < best)) best = value;
      }
      return best;
    }
    case 'count':
      return samples.length;
    case 'group':
      return 1;
    case 'stddev':
    case 'stdvar': {
      let mean = first;
      // A first value of NaN or ±Inf makes the variance NaN, even of that one value (Prometheus 3).
      let aux = Number.isFinite(first) ? 0 : Number.NaN;
      for (let i = 1; i < samples.length; i++) {
        const v = samples[i]!.value;
        const delta = v - mean;
        mean += delta / (i + 1);
        aux += delta * (v - mean);
      }
      const variance = aux / samples.length;
      return op === 'stddev' ? Math.sqrt(variance) : variance;
    }
    case 'quantile':
      return quantile(
        param,
        samples.map((s) => s.value),
      );
    default:
      throw new Error(`unreachable aggregation ${op}`);
  }
}

/** topk / bottomk keep the original series, best first, NaN last. */
function selectK(samples: Sample[], k: number, top: boolean): Sample[] {
  const n = Math.trunc(k);
  if (!(n >= 1)) return [];
  const sorted = [...samples].sort((a, b) => {
    if (Number.isNaN(a.value)) return Number.isNaN(b.value) ? 0 : 1;
    if (Number.isNaN(b.value)) return -1;
    return top ? compare(b.value, a.value) : compare(a.value, b.value);
  });
  return sorted.slice(0, n);
}

const compare = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * limitk: k samples of the group whatever their values, floats and histograms alike; the same k
 * series at every step while they have samples (the first by label set), so a graph keeps its lines.
 */
function limitK(samples: Sample[], k: number): Sample[] {
  const n = Math.trunc(k);
  if (!(n >= 1)) return [];
  return [...samples].sort((a, b) => (a.metric.key < b.metric.key ? -1 : 1)).slice(0, n);
}

function countValues(input: Vector, grouping: Grouping, label: string, cache: Map<Metric, Metric>): Vector {
  if (!isLabelName(label))
    throw new QueryError('VIGIL_QUERY_EXECUTION', `invalid label name ${JSON.stringify(label)}`);
  // As Prometheus: the value goes into the sample's labels first (replacing a label of that name),
  // then the group is taken from them, `by` keeping the value label as well.
  const by: Grouping = grouping.without ? grouping : { labels: [...grouping.labels, label], without: false };
  const counts = new Map<string, { labels: SeriesLabels; count: number }>();
  for (const sample of input) {
    const value = formatValue(sample.value);
    let labels: SeriesLabels;
    if (grouping.without || sample.metric.labels[label] !== undefined) {
      labels = groupLabels(makeMetric({ ...sample.metric.labels, [label]: value }), by);
    } else {
      // The common case: the value label is new, so the group labels without it can be cached.
      let base = cache.get(sample.metric);
      if (!base) {
        base = makeMetric(groupLabels(sample.metric, grouping));
        cache.set(sample.metric, base);
      }
      labels = { ...base.labels, [label]: value };
    }
    const metric = makeMetric(labels);
    const entry = counts.get(metric.key);
    if (entry) entry.count++;
    else counts.set(metric.key, { labels: metric.labels, count: 1 });
  }
  return [...counts.values()].map((c) => ({ metric: makeMetric(c.labels), value: c.count }));
}
