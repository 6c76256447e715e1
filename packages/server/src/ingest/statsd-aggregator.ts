import { canonicalNumber, DEFAULT_BUCKETS, QuantileSketch, toPrometheusName } from '@vigil/metrics';
import {
  STATSD_COUNTER_MODES,
  STATSD_TIMER_SERIES,
  type StatsdCounterMode,
  type StatsdTimerSeries,
} from '../config/config.js';
import { invalidOption } from '../errors/invalid-option.js';
import { type SeriesHistograms, type SeriesLabels, STALE_NAN_BITS } from '../store/series-store.js';
import { setLabel } from './labels.js';
import type { ParsedSeries } from './parsed-series.js';
import { sketchNative } from './sketch-native.js';
import { parseStatsdLine, parseStatsdTags, type StatsdMetric, type StatsdRejectReason } from './statsd.js';

export interface StatsdAggregatorOptions {
  /** Most series kept (a timer counts once); a new one beyond it is refused as `series_limit`. Default 10,000. */
  readonly maxSeries?: number;
  /**
   * A series not updated for this long is forgotten, after one staleness marker. 0 (the default)
   * keeps every series, as Etsy's statsd keeps its gauges and statsd_exporter its series (`--statsd.ttl 0`).
   */
  readonly ttlMs?: number;
  /**
   * How timers, histograms and distributions are written. `native`: one native histogram series per
   * timer (percentiles as exact as the library's, summable across instances); `classic`: `_bucket`
   * series with the default buckets, `_count` and `_sum`; `both` (the default, as a library
   * histogram exposes both): all of them.
   */
  readonly timers?: StatsdTimerSeries;
  /**
   * What a negative counter increment (`conns:-1|c`, hot-shots' `decrement`) does. `prometheus` (the
   * default): it is refused (`negative_counter`) and the counter stays a `_total` that only goes up.
   * `etsy`: it is added, as Etsy's statsd adds it, and the metric is from then on a gauge `<name>`
   * holding the running sum, never a `_total` that goes down (which `rate()` would read as a reset).
   */
  readonly counterMode?: StatsdCounterMode;
  /** Told once per metric name of a negative counter increment refused in `prometheus` mode. */
  readonly warn?: (message: string) => void;
}

/** What one flush writes: float samples, and the native histograms of timers. */
export interface StatsdFlush {
  readonly samples: ParsedSeries[];
  readonly histograms: SeriesHistograms[];
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
  /**
   * Counter `<name>_total` (`<name>` once decremented in etsy mode), gauge and set `<name>`; a
   * timer's classic series `<name>_count`, `<name>_sum`, then `<name>_bucket` per bound and `+Inf`
   * (none when the timers are native only).
   */
  series: readonly SeriesLabels[];
  /** A counter's `_total` series it left when it became a gauge: ended with a staleness marker at the next flush. */
  retired: SeriesLabels | undefined;
  /** A timer's native histogram series, `<name>`. */
  readonly native: SeriesLabels | undefined;
  /** Counter total, gauge value, timer count. */
  value: number;
  /** Timer sum, in seconds for `ms`. */
  sum: number;
  /** A timer's observations since the start, for its native histogram. */
  readonly sketch: QuantileSketch | undefined;
  /** A timer's observations per classic bucket (not cumulative), the last one past every bound. */
  readonly buckets: Float64Array | undefined;
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

/** Most observations one sampled timer value stands for: a rate below 1/2^32 is refused. */
const MAX_TIMES = 2 ** 32;

/** Metric names warned about; past this many, negative increments are only counted. */
const MAX_WARNED = 10_000;

/** A set's distinct values per interval stop being recorded here; its count then reads this. */
const MAX_SET_MEMBERS = 100_000;

/**
 * Turns StatsD lines into series, one flush interval at a time, with statsd_exporter's naming
 * (github.com/prometheus/statsd_exporter): the name with every character outside [a-zA-Z0-9_:] made
 * `_`, tags as labels, and
 *
 * - counters: `<name>_total`, the sum of value / sample rate, accumulated across flushes as a
 *   Prometheus counter is (Etsy's statsd resets per interval; rate() gives that back); a negative
 *   increment is refused, or in `counterMode: 'etsy'` added, the metric becoming a gauge `<name>`;
 * - gauges: `<name>`, set or moved by `+n`/`-n`, kept between flushes;
 * - timers (`ms`, converted to seconds), histograms and distributions (`h`, `d`, unitless, kept as
 *   sent, as statsd_exporter does since 0.17): a histogram accumulated across flushes as a library
 *   histogram is, written as a native histogram `<name>` (the library's sketch, so percentiles are
 *   within its 0.54% and merge across instances), as classic `<name>_bucket` (the default buckets),
 *   `<name>_count` and `<name>_sum`, or both (`timers`). A value sent at sample rate r counts
 *   trunc(1/r) times, as statsd_exporter counts it;
 * - sets: `<name>`, the number of distinct values seen in the interval.
 *
 * A name used with two kinds keeps the first (`type_conflict`), as statsd_exporter does.
 */
export class StatsdAggregator {
  readonly #maxSeries: number;
  readonly #ttlMs: number;
  readonly #native: boolean;
  readonly #classic: boolean;
  /** By what was sent (kind, name, tags as written): a repeated line costs two map lookups. */
  #byRaw = new RawIndex();
  /** By sanitised name and sorted labels: `a.b` and `a_b`, or tags in another order, are one series. */
  readonly #entries = new Map<string, Entry>();
  /** Family name → its kind, how many entries use it, and whether a counter family was decremented (etsy mode). */
  readonly #families = new Map<string, Family>();
  readonly #etsy: boolean;
  readonly #warn: (message: string) => void;
  readonly #warned = new Set<string>();
  readonly #parsed: StatsdMetric[] = [];
  #accepted = 0;
  #expired = 0;
  readonly #rejected: Partial<Record<StatsdRejectReason, number>> = {};
  readonly #reject = (reason: StatsdRejectReason): void => {
    this.#rejected[reason] = (this.#rejected[reason] ?? 0) + 1;
  };

  constructor(options: StatsdAggregatorOptions = {}) {
    const {
      maxSeries = 10_000,
      ttlMs = 0,
      timers = 'both',
      counterMode = 'prometheus',
      warn = () => {},
    } = options;
    if (!Number.isSafeInteger(maxSeries) || maxSeries < 1) {
      throw invalidOption('StatsdAggregator', 'maxSeries', maxSeries, 'a positive integer');
    }
    if (!(Number.isFinite(ttlMs) && ttlMs >= 0))
      throw invalidOption('StatsdAggregator', 'ttlMs', ttlMs, 'a number of ms >= 0');
    if (!STATSD_TIMER_SERIES.includes(timers))
      throw invalidOption('StatsdAggregator', 'timers', timers, STATSD_TIMER_SERIES.join(', '));
    if (!STATSD_COUNTER_MODES.includes(counterMode))
      throw invalidOption('StatsdAggregator', 'counterMode', counterMode, STATSD_COUNTER_MODES.join(', '));
    this.#etsy = counterMode === 'etsy';
    this.#warn = warn;
    this.#maxSeries = maxSeries;
    this.#ttlMs = ttlMs;
    this.#native = timers !== 'classic';
    this.#classic = timers !== 'native';
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
    if (kind === 'counter' && metric.value < 0 && !this.#etsy) {
      this.#refuseNegative(metric);
      return false;
    }
    // A timer value stands for trunc(1/rate) observations, integer counts as a histogram's (1/r is
    // 3.0000000000000004 for r = 1/3); past 2^32 of them a histogram's counts would stop being exact.
    const times = kind === 'timer' ? Math.trunc(1 / metric.sampleRate + 1e-9) : 1;
    if (times > MAX_TIMES) {
      this.#reject('bad_sample_rate');
      return false;
    }
    const entry = this.#byRaw.get(kind, metric.name, metric.tags) ?? this.#entry(kind, metric);
    if (!entry) return false;
    entry.touched = true;
    if (kind === 'counter' && metric.value < 0) this.#becomeGauge(entry.family);
    switch (kind) {
      case 'counter':
        entry.value += metric.value / metric.sampleRate;
        break;
      case 'gauge':
        entry.value = metric.delta ? entry.value + metric.value : metric.value;
        break;
      case 'timer': {
        const value = metric.type === 'ms' ? metric.value / 1000 : metric.value;
        entry.value += times;
        entry.sum += value * times;
        entry.sketch?.addTimes(value, times);
        const buckets = entry.buckets;
        if (buckets) {
          let b = 0;
          while (b < DEFAULT_BUCKETS.length && value > DEFAULT_BUCKETS[b]!) b++;
          buckets[b]! += times;
        }
        break;
      }
      case 'set':
        if (entry.members!.size < MAX_SET_MEMBERS) entry.members!.add(metric.member);
        break;
    }
    return true;
  }

  #refuseNegative(metric: StatsdMetric): void {
    this.#reject('negative_counter');
    const family = toPrometheusName(metric.name);
    if (this.#warned.has(family) || this.#warned.size >= MAX_WARNED) return;
    this.#warned.add(family);
    this.#warn(
      `vigil: StatsD counter ${family} got a negative increment (${metric.name}:${metric.value}|c): a Prometheus counter only goes up, so negative increments of it are dropped and counted in vigil_ingest_malformed_total{source="statsd",reason="negative_counter"}; statsdCounterMode: etsy stores a decremented counter as a gauge instead (said once per metric)`,
    );
  }

  /**
   * Etsy mode: the counter family `family` was decremented, so each of its series is from now on the
   * gauge `<family>` with the same labels and running sum; the `_total` ones end at the next flush.
   */
  #becomeGauge(family: string): void {
    const known = this.#families.get(family)!;
    if (known.decremented) return;
    known.decremented = true;
    for (const entry of this.#entries.values()) {
      if (entry.kind !== 'counter' || entry.family !== family) continue;
      const total = entry.series[0]!;
      if (total.__name__ === family) continue;
      // A series never flushed was never written: nothing to end.
      if (!Number.isNaN(entry.lastSeenMs)) entry.retired = total;
      entry.series = [{ ...total, __name__: family }];
    }
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
      entry = this.#create(kind, family, names, tags, known?.decremented ?? false);
      this.#entries.set(key, entry);
      if (known) known.entries++;
      else this.#families.set(family, { kind, entries: 1, decremented: false });
    }
    // Each spelling of a series adds a key here; a flood of spellings is bounded by starting over.
    if (this.#byRaw.size >= 4 * this.#maxSeries) this.#byRaw = new RawIndex();
    this.#byRaw.set(kind, metric.name, metric.tags, entry);
    return entry;
  }

  #create(
    kind: Kind,
    family: string,
    names: string[],
    tags: Record<string, string>,
    decremented: boolean,
  ): Entry {
    // A classic histogram's own `le` label would overwrite a tag of that name: the tag is kept as
    // exported_le on every series of the timer, as Prometheus renames clashing target labels.
    const renamed = kind === 'timer' && this.#classic ? 'le' : undefined;
    const labelled = (metricName: string, le?: string): SeriesLabels => {
      const labels: Record<string, string> = { __name__: metricName };
      for (const name of names) setLabel(labels, name === renamed ? `exported_${name}` : name, tags[name]!);
      if (le !== undefined) labels.le = le;
      return labels;
    };
    const timer = kind === 'timer';
    const classic = timer && this.#classic;
    let series: SeriesLabels[];
    if (kind === 'counter') {
      series = [labelled(decremented || family.endsWith('_total') ? family : `${family}_total`)];
    } else if (timer) {
      series = classic
        ? [
            labelled(`${family}_count`),
            labelled(`${family}_sum`),
            // `le` as Prometheus 3 writes it for a classic histogram: OpenMetrics' canonical `1.0`.
            ...[...DEFAULT_BUCKETS, Infinity].map((b) =>
              labelled(`${family}_bucket`, canonicalNumber(b, true)),
            ),
          ]
        : [];
    } else {
      series = [labelled(family)];
    }
    return {
      kind,
      family,
      series,
      retired: undefined,
      native: timer && this.#native ? labelled(family) : undefined,
      value: 0,
      sum: 0,
      sketch: timer && this.#native ? new QuantileSketch() : undefined,
      buckets: classic ? new Float64Array(DEFAULT_BUCKETS.length + 1) : undefined,
      members: kind === 'set' ? new Set() : undefined,
      touched: false,
      lastSeenMs: Number.NaN,
    };
  }

  /**
   * The samples of this interval, all at `nowMs`, and the start of the next interval: per-interval
   * state (set members) is cleared. A series past `ttlMs` gets a staleness marker and is forgotten.
   */
  flush(nowMs: number): StatsdFlush {
    const out: ParsedSeries[] = [];
    const histograms: SeriesHistograms[] = [];
    // One shared timestamps array: the store only reads it.
    const at = Float64Array.of(nowMs);
    const sample = (labels: SeriesLabels, value: number): void => {
      out.push({ labels, timestamps: at, values: Float64Array.of(value) });
    };
    let expired = false;
    for (const [key, entry] of this.#entries) {
      if (entry.retired) {
        out.push({ labels: entry.retired, timestamps: at, values: STALE });
        entry.retired = undefined;
      }
      if (entry.touched || Number.isNaN(entry.lastSeenMs)) entry.lastSeenMs = nowMs;
      else if (this.#ttlMs > 0 && nowMs - entry.lastSeenMs > this.#ttlMs) {
        for (const labels of entry.series) out.push({ labels, timestamps: at, values: STALE });
        // A histogram series ends with a float marker too, as the scraper ends one.
        if (entry.native) out.push({ labels: entry.native, timestamps: at, values: STALE });
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
          const buckets = entry.buckets;
          if (buckets) {
            sample(first!, entry.value);
            sample(second!, entry.sum);
            let cumulative = 0;
            for (let b = 0; b < buckets.length; b++)
              sample(entry.series[2 + b]!, (cumulative += buckets[b]!));
          }
          if (entry.sketch) {
            histograms.push({
              labels: entry.native!,
              timestamps: at,
              histograms: [sketchNative(entry.sketch)],
            });
          }
          break;
        }
      }
    }
    // The raw-spelling index may still point at forgotten entries.
    if (expired) this.#byRaw = new RawIndex();
    return { samples: out, histograms };
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

interface Family {
  readonly kind: Kind;
  entries: number;
  /** A counter family that got a negative increment in etsy mode: its series are gauges. */
  decremented: boolean;
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
