import { NativeHistogramError } from '../store/native-histogram.js';
import {
  type SeriesHistograms,
  type SeriesLabels,
  type SeriesSamples,
  staleNaN,
} from '../store/series-store.js';
import type { DeltaOutcome, DeltaToCumulative } from './delta-to-cumulative.js';
import { setLabel } from './labels.js';
import { addExponential, exponentialToNative } from './otlp-exponential.js';
import { prometheusLabelName, prometheusMetricName } from './otlp-names.js';
import {
  type ExponentialHistogramPoint,
  goFixed,
  type HistogramPoint,
  type OtlpAttributes,
  type OtlpMetric,
  type OtlpRequest,
  type OtlpResource,
  type Temporality,
} from './otlp-request.js';
import type { WriteMetadata } from './remote-write.js';

/** What one OTLP export becomes: samples to store, metadata, and the points refused with why. */
export interface OtlpTranslation {
  readonly series: SeriesSamples[];
  /** Native histogram samples, from exponential histograms. */
  readonly histograms: SeriesHistograms[];
  readonly families: WriteMetadata[];
  /** Data points refused (OTLP's `rejected_data_points`). */
  rejected: number;
  /** Why, one line per metric that lost points (OTLP's `error_message`). */
  readonly errors: string[];
}

const IDENTIFYING = new Set(['service.name', 'service.namespace', 'service.instance.id']);

/**
 * Translates OTLP metrics as Prometheus 3 does: `job` from `service.namespace/service.name`,
 * `instance` from `service.instance.id`, the other resource attributes on a `target_info` series,
 * Prometheus names with unit and `_total` suffixes, histograms as classic `_bucket`/`_sum`/`_count`
 * series, exponential histograms as native histograms (otlp-exponential.ts), summaries as `quantile`
 * series. Delta sums and histograms of both kinds become cumulative through `delta`.
 */
export function translateOtlp(request: OtlpRequest, delta: DeltaToCumulative): OtlpTranslation {
  const out: OtlpTranslation = { series: [], histograms: [], families: [], rejected: 0, errors: [] };
  for (const resource of request.resources) translateResource(resource, delta, out);
  return out;
}

function translateResource(resource: OtlpResource, delta: DeltaToCumulative, out: OtlpTranslation): void {
  const target = targetLabels(resource.attributes);
  let latestMs = 0;
  for (const metric of resource.metrics) {
    const t = new MetricTranslation(metric, target, delta, out);
    t.run();
    latestMs = Math.max(latestMs, t.latestMs);
  }
  const info = targetInfo(resource.attributes, target);
  if (info && latestMs > 0) out.series.push(sample(info, latestMs, 1));
}

/** `job` and `instance` from the resource, as Prometheus derives them. */
function targetLabels(attributes: OtlpAttributes): Record<string, string> {
  const get = (key: string) => attributes.find(([k]) => k === key)?.[1];
  const name = get('service.name');
  const namespace = get('service.namespace');
  const instance = get('service.instance.id');
  const labels: Record<string, string> = {};
  if (name !== undefined) labels.job = namespace !== undefined ? `${namespace}/${name}` : name;
  if (instance !== undefined) labels.instance = instance;
  return labels;
}

/** `target_info`: the non-identifying resource attributes, when there are some and a job or instance to join on. */
function targetInfo(attributes: OtlpAttributes, target: Record<string, string>): SeriesLabels | undefined {
  const rest = attributes.filter(([k]) => !IDENTIFYING.has(k));
  if (rest.length === 0 || Object.keys(target).length === 0) return undefined;
  return { ...attributeLabels(rest), ...target, __name__: 'target_info' };
}

/**
 * Attributes as labels; keys that sanitize to one name are joined with `;` in key order, as
 * Prometheus does. Only that join needs the keys sorted, so they are sorted only when two names
 * collide (bench/otlp-ingest.js: sorting every point's attributes was a sixth of translation).
 */
function attributeLabels(attributes: OtlpAttributes): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of attributes) {
    if (value === '') continue;
    const name = labelName(key);
    if (name === '') continue;
    if (Object.hasOwn(labels, name)) return joinedAttributeLabels(attributes);
    setLabel(labels, name, value);
  }
  return labels;
}

function joinedAttributeLabels(attributes: OtlpAttributes): Record<string, string> {
  const sorted = [...attributes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const labels: Record<string, string> = {};
  for (const [key, value] of sorted) {
    if (value === '') continue;
    const name = labelName(key);
    if (name === '') continue;
    setLabel(labels, name, Object.hasOwn(labels, name) ? `${labels[name]};${value}` : value);
  }
  return labels;
}

/** Attribute keys repeat in every point: each one's label name is worked out once. */
const LABEL_NAMES = new Map<string, string>();

function labelName(key: string): string {
  let name = LABEL_NAMES.get(key);
  if (name === undefined) {
    name = prometheusLabelName(key);
    if (LABEL_NAMES.size >= 16_384) LABEL_NAMES.clear();
    LABEL_NAMES.set(key, name);
  }
  return name;
}

function sample(labels: SeriesLabels, timeMs: number, value: number): SeriesSamples {
  return { labels, timestamps: [timeMs], values: Float64Array.of(value) };
}

class MetricTranslation {
  latestMs = 0;
  readonly #m: OtlpMetric;
  readonly #target: Record<string, string>;
  readonly #delta: DeltaToCumulative;
  readonly #out: OtlpTranslation;
  #refused = 0;
  #why = new Set<string>();

  constructor(m: OtlpMetric, target: Record<string, string>, delta: DeltaToCumulative, out: OtlpTranslation) {
    this.#m = m;
    this.#target = target;
    this.#delta = delta;
    this.#out = out;
  }

  run(): void {
    const m = this.#m;
    switch (m.type) {
      case 'gauge':
        this.#numbers(prometheusMetricName(m.name, m.unit, 'gauge'), 'gauge', 'cumulative', m.points);
        break;
      case 'sum': {
        const name = prometheusMetricName(m.name, m.unit, m.monotonic ? 'counter' : 'other');
        this.#numbers(name, m.monotonic ? 'counter' : 'gauge', m.temporality, m.points);
        break;
      }
      case 'histogram':
        this.#histograms(prometheusMetricName(m.name, m.unit, 'other'), m.temporality, m.points);
        break;
      case 'summary': {
        const name = prometheusMetricName(m.name, m.unit, 'other');
        this.#family(name, 'summary');
        for (const p of m.points) {
          const labels = this.#labels(p.attributes);
          const at = this.#at(p.timeMs);
          const v = (x: number) => (p.noValue ? staleNaN() : x);
          this.#push({ ...labels, __name__: `${name}_sum` }, at, v(p.sum));
          this.#push({ ...labels, __name__: `${name}_count` }, at, v(p.count));
          for (const [q, value] of p.quantiles)
            this.#push({ ...labels, quantile: goFixed(q), __name__: name }, at, v(value));
        }
        break;
      }
      case 'exponential_histogram':
        this.#exponential(prometheusMetricName(m.name, m.unit, 'other'), m.temporality, m.points);
        break;
      case 'empty':
        break;
    }
    if (this.#refused > 0) {
      this.#out.rejected += this.#refused;
      this.#out.errors.push(
        `metric "${m.name}": ${this.#refused} points refused: ${[...this.#why].join('; ')}`,
      );
    }
  }

  #numbers(
    name: string,
    type: string,
    temporality: Temporality,
    points: readonly { attributes: OtlpAttributes; timeMs: number; value: number; noValue: boolean }[],
  ): void {
    if (temporality === 'unspecified') {
      this.#refuse(points.length, 'aggregation temporality unspecified');
      return;
    }
    this.#family(name, type);
    for (const p of points) {
      const labels = this.#labels(p.attributes, name);
      let value = p.value;
      if (temporality === 'delta' && !p.noValue) {
        const total = this.#cumulative(labels, p.timeMs, [p.value]);
        if (!total) continue;
        value = total[0]!;
      }
      this.#push(labels, this.#at(p.timeMs), p.noValue ? staleNaN() : value);
    }
  }

  #histograms(name: string, temporality: Temporality, points: readonly HistogramPoint[]): void {
    if (temporality === 'unspecified') {
      this.#refuse(points.length, 'aggregation temporality unspecified');
      return;
    }
    this.#family(name, 'histogram');
    for (const p of points) {
      if (p.bucketCounts.length !== 0 && p.bucketCounts.length !== p.bounds.length + 1) {
        this.#refuse(1, `${p.bucketCounts.length} bucket counts for ${p.bounds.length} bounds`);
        continue;
      }
      const labels = this.#labels(p.attributes);
      let count = p.count;
      let sum = p.sum ?? 0;
      let buckets = p.bucketCounts;
      if (temporality === 'delta' && !p.noValue) {
        const key = { ...labels, __name__: name, le: p.bounds.join(',') };
        const total = this.#cumulative(key, p.timeMs, [p.count, p.sum ?? 0, ...p.bucketCounts]);
        if (!total) continue;
        [count, sum] = total as [number, number];
        buckets = total.slice(2);
      }
      const at = this.#at(p.timeMs);
      const v = (x: number) => (p.noValue ? staleNaN() : x);
      this.#push({ ...labels, __name__: `${name}_count` }, at, v(count));
      if (p.sum !== undefined) this.#push({ ...labels, __name__: `${name}_sum` }, at, v(sum));
      let cumulative = 0;
      for (let i = 0; i < p.bounds.length && i < buckets.length; i++) {
        cumulative += buckets[i]!;
        this.#push({ ...labels, le: goFixed(p.bounds[i]!), __name__: `${name}_bucket` }, at, v(cumulative));
      }
      this.#push({ ...labels, le: '+Inf', __name__: `${name}_bucket` }, at, v(count));
    }
  }

  /** Native histograms, one sample a point; a point that makes no valid histogram is refused with why. */
  #exponential(name: string, temporality: Temporality, points: readonly ExponentialHistogramPoint[]): void {
    if (temporality === 'unspecified') {
      this.#refuse(points.length, 'aggregation temporality unspecified');
      return;
    }
    this.#family(name, 'histogram');
    for (const p of points) {
      const labels = { ...this.#labels(p.attributes), __name__: name };
      if (p.noValue) {
        // A staleness marker as the scraper writes one for a histogram series: a float stale NaN.
        this.#push(labels, this.#at(p.timeMs), staleNaN());
        continue;
      }
      try {
        let histogram = exponentialToNative(p);
        if (temporality === 'delta') {
          // The key differs from any float series' key: its total is a histogram, not numbers.
          const key = JSON.stringify({ ...labels, le: 'exponential' });
          const total = this.#accepted(this.#delta.accumulate(key, p.timeMs, p, addExponential));
          if (!total) continue;
          histogram = exponentialToNative(total);
        }
        this.#out.histograms.push({ labels, timestamps: [this.#at(p.timeMs)], histograms: [histogram] });
      } catch (error) {
        if (!(error instanceof NativeHistogramError)) throw error;
        this.#refuse(1, error.message);
      }
    }
  }

  #cumulative(labels: SeriesLabels, timeMs: number, deltas: number[]): readonly number[] | undefined {
    return this.#accepted(this.#delta.add(JSON.stringify(labels), timeMs, deltas));
  }

  #accepted<T>(outcome: DeltaOutcome<T>): T | undefined {
    if (outcome.ok) return outcome.values;
    this.#refuse(
      1,
      outcome.reason === 'out_of_order'
        ? 'delta point not newer than the last one of its series'
        : 'too many delta series held for conversion to cumulative',
    );
    return undefined;
  }

  /** A point's labels: its attributes, then the target's `job` and `instance`, then `__name__` if given. */
  #labels(attributes: OtlpAttributes, name?: string): Record<string, string> {
    const labels = attributeLabels(attributes);
    for (const key in this.#target) labels[key] = this.#target[key]!;
    if (name !== undefined) labels.__name__ = name;
    return labels;
  }

  #at(timeMs: number): number {
    if (timeMs > this.latestMs) this.latestMs = timeMs;
    return timeMs;
  }

  #push(labels: SeriesLabels, timeMs: number, value: number): void {
    this.#out.series.push(sample(labels, timeMs, value));
  }

  #family(name: string, type: string): void {
    this.#out.families.push({ name, type, help: this.#m.description, unit: '' });
  }

  #refuse(n: number, why: string): void {
    this.#refused += n;
    this.#why.add(why);
  }
}
