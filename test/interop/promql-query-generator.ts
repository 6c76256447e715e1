import type { SeededRandom } from '../../packages/server/src/demo/seeded-random.js';

/**
 * Random PromQL over the corpus data (promql-corpus-data.ts), typed so that most queries are valid
 * and mean something: counters under rate-like functions, gauges under *_over_time, buckets under
 * histogram_quantile, label names and values that exist. Some are meant to fail (many-to-many
 * matches, a vector where a scalar belongs) so that errors are compared too. Ranges and offsets are
 * whole seconds, which no sample lies on, so Prometheus 2.42's closed ranges select what vigil's
 * left-open ones do.
 *
 * A query that uses something only Prometheus 3 has carries `prometheus3`: why 2.42 answers it
 * differently (a parse error for a function it lacks, an empty answer where 3.x reads classic
 * buckets). Its differences are listed, not failed.
 */
export interface GeneratedQuery {
  readonly query: string;
  readonly prometheus3?: string;
  /**
   * A topk or bottomk at the top: among equal values, which series it keeps follows the order of its
   * input, which is the engine's own; a difference made only of such ties is listed, not failed.
   */
  readonly ties?: boolean;
}

interface MetricSpec {
  readonly name: string;
  readonly kind: 'counter' | 'gauge';
  /** Labels that vary between its series, for matchers and grouping. */
  readonly labels: readonly string[];
}

const METRICS: readonly MetricSpec[] = [
  { name: 'memory_analysis_success_total', kind: 'counter', labels: ['instance', 'provider'] },
  { name: 'memory_analysis_failure_total', kind: 'counter', labels: ['instance', 'provider', 'error_type'] },
  { name: 'memory_analysis_cache_hits_total', kind: 'counter', labels: ['instance'] },
  { name: 'memory_analysis_duration_seconds_count', kind: 'counter', labels: ['instance', 'provider'] },
  { name: 'memory_analysis_duration_seconds_sum', kind: 'counter', labels: ['instance', 'provider'] },
  { name: 'http_requests_total', kind: 'counter', labels: ['job', 'instance', 'method', 'code'] },
  { name: 'memory_analysis_cache_size', kind: 'gauge', labels: ['instance'] },
  { name: 'node_temperature_celsius', kind: 'gauge', labels: ['sensor'] },
  { name: 'http_latency_seconds', kind: 'gauge', labels: ['job', 'instance'] },
  { name: 'up', kind: 'gauge', labels: ['job', 'instance'] },
  { name: 'build_info', kind: 'gauge', labels: ['job', 'instance', 'version'] },
  { name: 'special_values', kind: 'gauge', labels: ['kind'] },
];

const VALUES: Readonly<Record<string, readonly string[]>> = {
  instance: ['a:8000', 'b:8000', 'x:9000', 'y:9000', 'z:80', 'nope'],
  provider: ['neo_analysis', 'nexus', 'anima'],
  error_type: ['timeout', 'parse'],
  job: ['backend', 'api', 'web', 'node'],
  method: ['GET', 'POST'],
  code: ['200', '500'],
  sensor: ['cpu', 'gpu', 'disk'],
  version: ['1.2.0', '1.3.0'],
  kind: ['nan', 'inf', 'neginf', 'zero'],
};

const REGEXES: Readonly<Record<string, readonly string[]>> = {
  instance: ['.*:8000', '[xy]:9000', 'a.*|z.*'],
  provider: ['n.*', 'anima|nexus'],
  job: ['api|web', 'b.*'],
  code: ['5..', '2.*'],
  sensor: ['.pu'],
};

const RANGES = ['1m', '2m', '5m', '10m', '30m'];
const COUNTER_FUNCTIONS = ['rate', 'increase', 'irate', 'resets'];
const GAUGE_FUNCTIONS = [
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'present_over_time',
  'changes',
  'delta',
  'idelta',
  'deriv',
];
const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar'];
const MATH = ['abs', 'ceil', 'floor', 'round', 'sqrt', 'exp', 'ln', 'log2', 'log10', 'sgn', '-'];
const ARITHMETIC = ['+', '-', '*', '/', '%', '^'];
const COMPARISONS = ['==', '!=', '>', '<', '>=', '<='];

export class PromqlQueryGenerator {
  readonly #rnd: SeededRandom;

  constructor(rnd: SeededRandom) {
    this.#rnd = rnd;
  }

  next(): GeneratedQuery {
    const r = this.#rnd;
    if (r.chance(0.06)) return this.#prometheus3Only();
    if (r.chance(0.1)) return { query: this.#histogramQuantile() };
    if (r.chance(0.08)) return { query: this.#subquery() };
    if (r.chance(0.08)) return { query: this.#topk(), ties: true };
    return { query: this.#vector(3) };
  }

  #vector(depth: number): string {
    const r = this.#rnd;
    const leaf = depth <= 0 || r.chance(0.25);
    if (leaf) return r.chance(0.5) ? this.#selector(this.#metric()) : this.#rangeCall();
    switch (r.int(0, 6)) {
      case 0:
        return this.#aggregation(depth);
      case 1: {
        const op = r.pick([...ARITHMETIC, ...COMPARISONS]);
        const bool = COMPARISONS.includes(op) && r.chance(0.4) ? ' bool' : '';
        // `%` only by a literal: time() % x turns x's last-bit differences (from another order of
        // floating-point operations) into differences of 1e-6 and more.
        if (op === '%') return `${this.#vector(depth - 1)} % ${this.#number()}`;
        const scalar = this.#scalar();
        return r.chance(0.5)
          ? `${this.#vector(depth - 1)} ${op}${bool} ${scalar}`
          : `${scalar} ${op}${bool} ${this.#vector(depth - 1)}`;
      }
      case 2:
        return this.#vectorBinary(depth);
      case 3: {
        const f = r.pick(MATH);
        return f === '-' ? `-${this.#paren(this.#vector(depth - 1))}` : `${f}(${this.#vector(depth - 1)})`;
      }
      case 4: {
        const v = this.#vector(depth - 1);
        return r.pick([
          `clamp_min(${v}, ${this.#number()})`,
          `clamp_max(${v}, ${this.#number()})`,
          `clamp(${v}, -1, ${this.#number()})`,
          `timestamp(${v})`,
          `label_replace(${v}, "copy", "$1", "instance", "([a-z]+):.*")`,
          `label_join(${v}, "joined", "-", "job", "instance")`,
        ]);
      }
      case 5: {
        // Over stored values only: a computed value can differ from Prometheus's in its last bit
        // (another order of floating-point operations), which count_values turns into another label.
        const stored = this.#selector(this.#metric());
        const inner = r.chance(0.5) ? stored : `count_values("value", ${stored})`;
        return `count_values${this.#grouping()} ("value", ${inner})`;
      }
      default:
        return this.#rangeCall();
    }
  }

  #metric(kind?: MetricSpec['kind']): MetricSpec {
    return this.#rnd.pick(kind ? METRICS.filter((m) => m.kind === kind) : METRICS);
  }

  #selector(metric: MetricSpec): string {
    const r = this.#rnd;
    const matchers: string[] = [];
    const n = r.chance(0.5) ? 0 : r.int(1, 2);
    for (let i = 0; i < n; i++) {
      const label = r.pick(metric.labels);
      const regex = REGEXES[label];
      if (regex && r.chance(0.4)) matchers.push(`${label}${r.pick(['=~', '!~'])}"${r.pick(regex)}"`);
      else matchers.push(`${label}${r.pick(['=', '=', '!='])}"${r.pick(VALUES[label]!)}"`);
    }
    const offset = r.chance(0.1) ? ` offset ${r.pick(['1m', '5m', '-2m'])}` : '';
    return `${metric.name}${matchers.length > 0 ? `{${matchers.join(', ')}}` : ''}${offset}`;
  }

  #rangeCall(): string {
    const r = this.#rnd;
    const counter = r.chance(0.5);
    const metric = this.#metric(counter ? 'counter' : 'gauge');
    const matrix = `${this.#selector(metric).replace(/ offset .*$/, '')}[${r.pick(RANGES)}]`;
    if (!counter && r.chance(0.1)) return `quantile_over_time(${r.pick(['0.5', '0.9', '0'])}, ${matrix})`;
    if (!counter && r.chance(0.1)) return `predict_linear(${matrix}, ${r.pick(['60', '600'])})`;
    return `${r.pick(counter ? COUNTER_FUNCTIONS : GAUGE_FUNCTIONS)}(${matrix})`;
  }

  #grouping(): string {
    const r = this.#rnd;
    if (r.chance(0.3)) return '';
    const labels = new Set<string>();
    for (let i = r.int(1, 2); i > 0; i--)
      labels.add(r.pick(['job', 'instance', 'provider', 'code', 'sensor']));
    return ` ${r.pick(['by', 'without'])} (${[...labels].join(', ')})`;
  }

  #aggregation(depth: number): string {
    const r = this.#rnd;
    const inner = this.#vector(depth - 1);
    if (r.chance(0.15)) return `quantile${this.#grouping()} (${r.pick(['0.5', '0.9', '1'])}, ${inner})`;
    return `${r.pick(AGGREGATIONS)}${this.#grouping()} (${inner})`;
  }

  #topk(): string {
    const r = this.#rnd;
    return `${r.pick(['topk', 'bottomk'])}${this.#grouping()} (${r.int(1, 3)}, ${this.#vector(2)})`;
  }

  #vectorBinary(depth: number): string {
    const r = this.#rnd;
    const lhs = this.#paren(this.#vector(depth - 1));
    const rhs = this.#paren(this.#vector(depth - 1));
    const op = r.pick([...ARITHMETIC.filter((o) => o !== '%'), ...COMPARISONS, 'and', 'or', 'unless']);
    const set = op === 'and' || op === 'or' || op === 'unless';
    const bool = COMPARISONS.includes(op) && r.chance(0.3) ? ' bool' : '';
    let matching = '';
    if (r.chance(0.5)) {
      const labels = r.pick(['job', 'instance', 'job, instance']);
      matching = ` ${r.pick(['on', 'ignoring'])} (${labels})`;
      if (!set && r.chance(0.3)) matching += ` ${r.pick(['group_left', 'group_right'])}`;
    }
    return `${lhs} ${op}${bool}${matching} ${rhs}`;
  }

  #histogramQuantile(): string {
    const r = this.#rnd;
    const by = r.pick(['le', 'le, provider', 'le, instance']);
    return `histogram_quantile(${r.pick(['0.5', '0.95', '0.99', '0'])}, sum by (${by}) (rate(memory_analysis_duration_seconds_bucket[${r.pick(['5m', '10m'])}])))`;
  }

  #subquery(): string {
    const r = this.#rnd;
    const inner = r.chance(0.5) ? this.#rangeCall() : this.#aggregation(1);
    const outer = r.pick(['max_over_time', 'min_over_time', 'avg_over_time', 'count_over_time']);
    return `${outer}((${inner})[${r.pick(['10m', '30m'])}:${r.pick(['1m', '2m', ''])}])`;
  }

  #scalar(): string {
    const r = this.#rnd;
    return r.chance(0.8) ? this.#number() : r.pick(['time()', 'scalar(up{instance="y:9000"})', 'pi()']);
  }

  #number(): string {
    return this.#rnd.pick(['0', '1', '2', '0.5', '10', '100', '-3']);
  }

  #paren(e: string): string {
    return /^[a-z_]+(\{[^}]*\})?$/.test(e) ? e : `(${e})`;
  }

  #prometheus3Only(): GeneratedQuery {
    const r = this.#rnd;
    const gauge = this.#selector(this.#metric('gauge')).replace(/ offset .*$/, '');
    return r.pick<GeneratedQuery>([
      { query: `mad_over_time(${gauge}[10m])`, prometheus3: 'mad_over_time is new in Prometheus 3' },
      {
        query: `ts_of_max_over_time(${gauge}[10m])`,
        prometheus3: 'ts_of_max_over_time is new in Prometheus 3',
      },
      { query: `sort_by_label(${gauge}, "instance")`, prometheus3: 'sort_by_label is new in Prometheus 3' },
      { query: `limitk(2, ${gauge})`, prometheus3: 'limitk is new in Prometheus 3' },
      { query: `limit_ratio(0.5, ${gauge})`, prometheus3: 'limit_ratio is new in Prometheus 3' },
      { query: '{"up"}', prometheus3: 'the quoted metric name syntax is new in Prometheus 3' },
      {
        query: 'histogram_fraction(0, 2, sum by (le) (rate(memory_analysis_duration_seconds_bucket[5m])))',
        prometheus3: 'Prometheus 3 reads classic buckets in histogram_fraction; 2.42 only native histograms',
      },
      {
        query: 'label_replace(up, "1st", "$1", "instance", "(.*)")',
        prometheus3: 'Prometheus 3 takes any UTF-8 label name; 2.42 refuses one starting with a digit',
      },
    ]);
  }
}
