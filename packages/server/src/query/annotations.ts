import type { Span } from './ast.js';

/**
 * The warnings and infos a query's evaluation gathers, answered beside its data as Prometheus 3
 * answers them (`"warnings": [...]`, `"infos": [...]`), with the texts of Prometheus's
 * util/annotations package and the `(line:column)` of the expression they are about. The same
 * text is kept once, however many series or steps raise it.
 */
export class Annotations {
  readonly #warnings = new Map<string, Span>();
  readonly #infos = new Map<string, Span>();

  /** `rate` or `increase` over a float series whose name does not say it is a counter. */
  possibleNonCounter(metricName: string, at: Span): void {
    this.#info(
      `metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${goQuote(metricName)}`,
      at,
    );
  }

  invalidQuantile(q: number, at: Span): void {
    this.#warning(`quantile value should be between 0 and 1, got ${goFloat(q)}`, at);
  }

  /** limit_ratio's ratio outside [-1, 1], used as `capped`. */
  invalidRatio(ratio: number, capped: number, at: Span): void {
    this.#warning(
      `ratio value should be between -1 and 1, got ${goFloat(ratio)}, capping to ${goFloat(capped)}`,
      at,
    );
  }

  /** A classic histogram bucket whose `le` is missing or not a number. */
  badBucketLabel(metricName: string, le: string, at: Span): void {
    this.#warning(
      `bucket label "le" is missing or has a malformed value of ${goQuote(le)}${forMetric(metricName)}`,
      at,
    );
  }

  histogramQuantileForcedMonotonicity(metricName: string, at: Span): void {
    this.#info(
      `input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)${forMetric(metricName)}`,
      at,
    );
  }

  /** Classic buckets and a native histogram of the same series in one histogram_quantile. */
  mixedClassicNativeHistograms(metricName: string, at: Span): void {
    this.#warning(`vector contains a mix of classic and native histograms${forMetric(metricName)}`, at);
  }

  histogramIgnoredInAggregation(op: string, at: Span): void {
    this.#info(`ignored histogram in ${op} aggregation`, at);
  }

  mixedFloatsHistogramsInAggregation(at: Span): void {
    this.#warning('encountered a mix of histograms and floats for aggregation', at);
  }

  /** A range function that takes floats or histograms over a range holding both. */
  mixedFloatsHistograms(metricName: string, at: Span): void {
    this.#warning(`encountered a mix of histograms and floats for metric name ${goQuote(metricName)}`, at);
  }

  /** A float-only range function over a range holding histograms too: it read the floats. */
  histogramIgnoredInMixedRange(metricName: string, at: Span): void {
    this.#info(
      `ignored histograms in a range containing both floats and histograms for metric name ${goQuote(metricName)}`,
      at,
    );
  }

  /** The texts for the API, each ending in the position of its expression in `query`. */
  texts(query: string): { warnings: string[]; infos: string[] } {
    const render = (prefix: string, map: Map<string, Span>) =>
      [...map].map(([text, at]) => `${prefix}: ${text} (${position(query, at.start)})`);
    return { warnings: render('PromQL warning', this.#warnings), infos: render('PromQL info', this.#infos) };
  }

  #warning(text: string, at: Span): void {
    if (!this.#warnings.has(text)) this.#warnings.set(text, at);
  }

  #info(text: string, at: Span): void {
    if (!this.#infos.has(text)) this.#infos.set(text, at);
  }
}

function forMetric(metricName: string): string {
  return metricName === '' ? '' : ` for metric name ${goQuote(metricName)}`;
}

/** `line:column` of a character offset, as Prometheus counts them: 1-based, in bytes of UTF-8. */
function position(query: string, offset: number): string {
  const before = query.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  return `${line}:${Buffer.byteLength(before.slice(lineStart)) + 1}`;
}

/** Go's %q of a string: JSON's quoting is the same for the label values PromQL sees, but for \u escapes of control characters. */
function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}

/** Go's %g of a float64: the shortest digits, in exponent form below 1e-4 or from 1e6 on. */
function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, exp] = v.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(v);
}
