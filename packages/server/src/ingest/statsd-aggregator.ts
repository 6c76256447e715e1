import { QuantileSketch, toPrometheusName } from '@vigil/metrics';
import { invalidOption } from '../errors/invalid-option.js';
import { type SeriesLabels, STALE_NAN_BITS } from '../store/series-store.js';
import { setLabel } from './labels.js';
import type { ParsedSeries } from './parsed-series.js';
import { parseStatsdLine, parseStatsdTags, type StatsdMetric, type StatsdRejectReason } from './statsd.js';

export interface StatsdAggregatorOptions {
  /** Most series kept (a timer counts once); a new one beyond it is refused as `series_limit`. Default 10,000. */
  readonly maxSeries?: number;
  /**
   * A series not updated for this long is forgotten, after one staleness marker. 0 (the default)
   * keeps every series, as Etsy's statsd keeps its gauges and statsd_exporter its series (`--statsd.ttl 0`).
   */
  readonly ttlMs?: number;
  /** Quantiles reported for timers, histograms and distributions. Default p50, p90, p95, p99. */
  readonly quantiles?: readonly number[];
}

export interface StatsdCounts {
  /** Values aggregated since the aggregator was made. */
  readonly accepted: number;
  /** Values refused, by reason. */
  readonly rejected: Readonly<Partial<Record<StatsdRejectReason, number>>>;
  readonly series: number;
  /** Series forgotten after `ttlMs` idle. */
  readonly expired: number;
}

type Kind = 'counter' | 'gauge' | 'timer' | 'set';

interface Entry {
  readonly kind: Kind;
  readonly family: string;
  /** Counter `<name>_total`, gauge and set `<name>`, timer `<name>_count`; then `_sum` and one per quantile. */
  readonly series: SeriesLabels[];
  /** Counter total, gauge value, timer count. */
  value: number;
  /** Timer sum, in seconds for `ms`. */
  sum: number;
  readonly sketch: QuantileSketch | undefined;
  readonly members: Set<string> | undefined;
  touched: boolean;
  lastSeenMs: number;
}

/**
 * The staleness marker written by its bits, once. The marker is a signaling NaN, and V8 sets the
 * quiet bit of a NaN that passes through a plain Array (0x7ff0…02 becomes 0x7ff8…02, no longer a
 * marker), so it never travels as a JS number here.
 */
const STALE = new Float64Array(1);
new BigUint64Array(STALE.buffer)[0] = STALE_NAN_BITS;

/** A set's distinct values per interval stop being recorded here; its count then reads this. */
const MAX_SET_MEMBERS = 100_000;

/**
 * Turns StatsD lines into series, one flush interval at a time, with statsd_exporter's naming
 * (github.com/prometheus/statsd_exporter): the name with every character outside [a-zA-Z0-9_:] made
 * `_`, tags as labels, and
 *
 * - counters: `<name>_total`, the sum of value / sample rate, accumulated across flushes as a
 *   Prometheus counter is (Etsy's statsd resets per interval; rate() gives that back);
 * - gauges: `<name>`, set or moved by `+n`/`-n`, kept between flushes;
 * - timers (`ms`, converted to seconds), histograms and distributions (`h`, `d`, unitless, kept as
 *   sent, as statsd_exporter does since 0.17): a summary, `<name>_count` and `<name>_sum` accumulated
 *   across flushes, `<name>{quantile="0.5"}`… over the values of the interval alone (from a
 *   QuantileSketch, within 0.54%), written only for an interval that had values;
 * - sets: `<name>`, the number of distinct values seen in the interval.
 *
 * A name used with two kinds keeps the first (`type_conflict`), as statsd_exporter does.
 */
export class StatsdAggregator {
  readonly #maxSeries: number;
  readonly #ttlMs: number;
  readonly #quantiles: readonly number[];
  readonly #quantileText: readonly string[];
  /** By what was sent (kind, name, tags as written): a repeated line costs two map lookups. */
  #byRaw = new RawIndex();
  /** By sanitised name and sorted labels: `a.b` and `a_b`, or tags in another order, are one series. */
  readonly #entries = new Map<string, Entry>();
  /** Family name → its kind and how many entries use it. */
  readonly #families = new Map<string, { kind: Kind; entries: number }>();
  readonly #parsed: StatsdMetric[] = [];
  #accepted = 0;
  #expired = 0;
  readonly #rejected: Partial<Record<StatsdRejectReason, number>> = {};
  readonly #reject = (reason: StatsdRejectReason): void => {
    this.#rejected[reason] = (this.#rejected[reason] ?? 0) + 1;
  };

  constructor(options: StatsdAggregatorOptions = {}) {
    const { maxSeries = 10_000, ttlMs = 0, quantiles = [0.5, 0.9, 0.95, 0.99] } = options;
    if (!Number.isSafeInteger(maxSeries) || maxSeries < 1) {
      throw invalidOption('StatsdAggregator', 'maxSeries', maxSeries, 'a positive integer');
    }
    if (!(Number.isFinite(ttlMs) && ttlMs >= 0))
      throw invalidOption('StatsdAggregator', 'ttlMs', ttlMs, 'a number of ms >= 0');
    if (
      !Array.isArray(quantiles) ||
      quantiles.some(
        (q, i) => typeof q !== 'number' || !(q >= 0 && q <= 1) || (i > 0 && q <= quantiles[i - 1]!),
      )
    ) {
      throw invalidOption('StatsdAggregator', 'quantiles', quantiles, 'ascending numbers between 0 and 1');
    }
    this.#maxSeries = maxSeries;
    this.#ttlMs = ttlMs;
    this.#quantiles = [...quantiles];
    this.#quantileText = quantiles.map(String);
  }

  /** Reads one datagram (lines separated by `\n`); returns how many values it added. Never throws. */
  ingest(datagram: string): number {
    const parsed = this.#parsed;
    parsed.length = 0;
    let start = 0;
    while (start <= datagram.length) {
      let end = datagram.indexOf('\n', start);
      if (end < 0) end = datagram.length;
      parseStatsdLine(datagram.slice(start, end), parsed, this.#reject);
      start = end + 1;
    }
    let accepted = 0;
    for (const metric of parsed) if (this.#add(metric)) accepted++;
    this.#accepted += accepted;
    return accepted;
  }

  #add(metric: StatsdMetric): boolean {
    const kind: Kind =
      metric.type === 'c' ? 'counter' : metric.type === 'g' ? 'gauge' : metric.type === 's' ? 'set' : 'timer';
    if (kind === 'counter' && metric.value < 0) {
      this.#reject('negative_counter');
      return false;
    }
    const entry = this.#byRaw.get(kind, metric.name, metric.tags) ?? this.#entry(kind, metric);
    if (!entry) return false;
    entry.touched = true;
    switch (kind) {
      case 'counter':
        entry.value += metric.value / metric.sampleRate;
        break;
      case 'gauge':
        entry.value = metric.delta ? entry.value + metric.value : metric.value;
        break;
      case 'timer': {
        const value = metric.type === 'ms' ? metric.value / 1000 : metric.value;
        entry.value += 1 / metric.sampleRate;
        entry.sum += value / metric.sampleRate;
        entry.sketch!.add(value);
        break;
      }
      case 'set':
        if (entry.members!.size < MAX_SET_MEMBERS) entry.members!.add(metric.member);
        break;
    }
    return true;
  }

  #entry(kind: Kind, metric: StatsdMetric): Entry | undefined {
    const family = toPrometheusName(metric.name);
    const tags = parseStatsdTags(metric.tags);
    const names = Object.keys(tags).sort();
    let key = `${kind}\u0000${family}`;
    for (const name of names) key += `\u0000${name}\u0000${tags[name]}`;
    let entry = this.#entries.get(key);
    if (!entry) {
      const known = this.#families.get(family);
      if (known && known.kind !== kind) {
        this.#reject('type_conflict');
        return undefined;
      }
      if (this.#entries.size >= this.#maxSeries) {
        this.#reject('series_limit');
        return undefined;
      }
      entry = this.#create(kind, family, names, tags);
      this.#entries.set(key, entry);
      if (known) known.entries++;
      else this.#families.set(family, { kind, entries: 1 });
    }
    // Each spelling of a series adds a key here; a flood of spellings is bounded by starting over.
    if (this.#byRaw.size >= 4 * this.#maxSeries) this.#byRaw = new RawIndex();
    this.#byRaw.set(kind, metric.name, metric.tags, entry);
    return entry;
  }

  #create(kind: Kind, family: string, names: string[], tags: Record<string, string>): Entry {
    // A summary's own `quantile` label would overwrite a tag of that name: the tag is kept as
    // exported_quantile on every series of the summary, as Prometheus renames clashing target labels.
    const renamed = kind === 'timer' ? 'quantile' : undefined;
    const labelled = (metricName: string, quantile?: string): SeriesLabels => {
      const labels: Record<string, string> = { __name__: metricName };
      for (const name of names) setLabel(labels, name === renamed ? `exported_${name}` : name, tags[name]!);
      if (quantile !== undefined) labels.quantile = quantile;
      return labels;
    };
    let series: SeriesLabels[];
    if (kind === 'counter') {
      series = [labelled(family.endsWith('_total') ? family : `${family}_total`)];
    } else if (kind === 'timer') {
      series = [
        labelled(`${family}_count`),
        labelled(`${family}_sum`),
        ...this.#quantileText.map((q) => labelled(family, q)),
      ];
    } else {
      series = [labelled(family)];
    }
    return {
      kind,
      family,
      series,
      value: 0,
      sum: 0,
      sketch: kind === 'timer' ? new QuantileSketch() : undefined,
      members: kind === 'set' ? new Set() : undefined,
      touched: false,
      lastSeenMs: Number.NaN,
    };
  }

  /**
   * The samples of this interval, all at `nowMs`, and the start of the next interval: per-interval
   * state (quantiles, set members) is cleared. A series past `ttlMs` gets a staleness marker and is
   * forgotten.
   */
  flush(nowMs: number): ParsedSeries[] {
    const out: ParsedSeries[] = [];
    // One shared timestamps array: the store only reads it.
    const at = Float64Array.of(nowMs);
    const sample = (labels: SeriesLabels, value: number): void => {
      out.push({ labels, timestamps: at, values: Float64Array.of(value) });
    };
    let expired = false;
    for (const [key, entry] of this.#entries) {
      if (entry.touched || Number.isNaN(entry.lastSeenMs)) entry.lastSeenMs = nowMs;
      else if (this.#ttlMs > 0 && nowMs - entry.lastSeenMs > this.#ttlMs) {
        for (const labels of entry.series) out.push({ labels, timestamps: at, values: STALE });
        this.#forget(key, entry);
        this.#expired++;
        expired = true;
        continue;
      }
      entry.touched = false;
      const [first, second] = entry.series;
      switch (entry.kind) {
        case 'counter':
        case 'gauge':
          sample(first!, entry.value);
          break;
        case 'set':
          sample(first!, entry.members!.size);
          entry.members!.clear();
          break;
        case 'timer': {
          sample(first!, entry.value);
          sample(second!, entry.sum);
          const sketch = entry.sketch!;
          if (sketch.count > 0) {
            const values: number[] = [];
            sketch.quantiles(this.#quantiles, values);
            for (let q = 0; q < values.length; q++) sample(entry.series[2 + q]!, values[q]!);
            sketch.reset();
          }
          break;
        }
      }
    }
    // The raw-spelling index may still point at forgotten entries.
    if (expired) this.#byRaw = new RawIndex();
    return out;
  }

  #forget(key: string, entry: Entry): void {
    this.#entries.delete(key);
    const family = this.#families.get(entry.family)!;
    if (--family.entries === 0) this.#families.delete(entry.family);
  }

  /** Totals since the aggregator was made, for the ingest self-metrics. */
  counts(): StatsdCounts {
    return {
      accepted: this.#accepted,
      rejected: { ...this.#rejected },
      series: this.#entries.size,
      expired: this.#expired,
    };
  }
}

/**
 * Entries by kind, name and tags as sent, in nested maps: looking up two strings the parser already
 * cut costs less than joining them into one key first (measured: 40% of the time in ingest went to
 * building and hashing the joined key).
 */
class RawIndex {
  readonly #maps: Record<Kind, Map<string, Map<string, Entry>>> = {
    counter: new Map(),
    gauge: new Map(),
    timer: new Map(),
    set: new Map(),
  };
  size = 0;

  get(kind: Kind, name: string, tags: string): Entry | undefined {
    return this.#maps[kind].get(name)?.get(tags);
  }

  set(kind: Kind, name: string, tags: string, entry: Entry): void {
    let byTags = this.#maps[kind].get(name);
    if (!byTags) this.#maps[kind].set(name, (byTags = new Map()));
    if (!byTags.has(tags)) this.size++;
    byTags.set(tags, entry);
  }
}
