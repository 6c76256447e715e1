import type { LabelMatcher } from '../matchers/label-matcher.js';
import type {
  HistogramSeriesData,
  HistogramVisitor,
  RollupData,
  SampleSource,
  SampleVisitor,
  SelectOptions,
  SeriesData,
  SeriesStore,
} from './series-store.js';

const HOUR = 3_600_000;

type RolledStore = Pick<SeriesStore, 'selectRollup' | 'selectHistograms' | 'scanHistograms'>;

/**
 * Which figure of an hour stands for it: `last` for counters (a rate or increase over the hours is
 * then the one over the raw samples, measured hour to hour), `mean` for gauges (avg_over_time over
 * the hours is the mean of the raw samples when the hours hold as many samples each).
 */
export type RollupValue = 'last' | 'mean';

/**
 * A store's hourly rollups read as samples, so that PromQL over weeks reads a few points a series an
 * hour instead of every scrape. A counter's hour is its last value, which is the counter's value when
 * the hour ends: it is placed on the hour's end and again a millisecond after, so that a range from
 * one hour to another, which PromQL opens on the left, holds the value at both of its ends, and
 * increase() over whole hours is the raw samples' to the scrape (a read starts an hour early for the
 * value at its start). An hour that holds a reset (its lowest value below the hour before's last) also
 * gets its highest value at mid-hour when that is above the hour's last, so the rise before the reset
 * counts. A gauge's hour is its mean, placed just before the hour ends, so that a range over whole
 * hours holds its hours only. The hour a read ends in counts at the read's end; one that starts there
 * is left out. A range that does not start and end on the hour is read to the hours around its ends.
 *
 * Native histograms are not rolled up (store.md): they are read raw from the store. Reads are kept
 * for the life of the view, since a report asks for the same selectors again (p50, p95 and p99 of
 * one histogram); make one view per report.
 */
export class RollupSamples implements SampleSource {
  readonly #store: RolledStore;
  readonly #value: RollupValue;
  readonly #reads = new Map<string, Promise<SeriesData[]>>();

  constructor(store: RolledStore, value: RollupValue) {
    this.#store = store;
    this.#value = value;
  }

  async selectHistograms(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    options?: SelectOptions,
  ): Promise<HistogramSeriesData[]> {
    return (await this.#store.selectHistograms?.(matchers, start, end, options)) ?? [];
  }

  async scanHistograms(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    visitor: HistogramVisitor,
    options?: SelectOptions,
  ): Promise<void> {
    await this.#store.scanHistograms?.(matchers, start, end, visitor, options);
  }

  select(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    options?: SelectOptions,
  ): Promise<SeriesData[]> {
    const key = JSON.stringify([matchers, start, end]);
    let read = this.#reads.get(key);
    if (!read) {
      const from = this.#value === 'last' ? start - HOUR : start;
      read = this.#store
        .selectRollup(matchers, from, end, HOUR, options)
        .then((rollups) => rollups.map((r) => this.#samples(r, start, end)));
      // A read that failed (a deadline, a limit) is not kept: the next query asks again.
      read.catch(() => this.#reads.delete(key));
      this.#reads.set(key, read);
    }
    return read;
  }

  async scan(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    visitor: SampleVisitor,
    options?: SelectOptions,
  ): Promise<void> {
    for (const s of await this.select(matchers, start, end, options)) {
      if (s.timestamps.length === 0) continue;
      visitor.series(s.labels);
      visitor.samples(s.timestamps, s.values, s.timestamps.length);
    }
  }

  #samples(r: RollupData, start: number, end: number): SeriesData {
    const n = r.timestamps.length;
    const timestamps = new Float64Array(3 * n);
    const values = new Float64Array(3 * n);
    let k = 0;
    const put = (t: number, v: number) => {
      if (t < start || (k > 0 && t <= timestamps[k - 1]!)) return;
      timestamps[k] = t;
      values[k++] = v;
    };
    for (let i = 0; i < n; i++) {
      const hour = r.timestamps[i]!;
      if (hour >= end) continue;
      const next = hour + HOUR;
      if (this.#value === 'mean') {
        put(Math.min(next - 1, end), r.sum[i]! / r.count[i]!);
        continue;
      }
      const v = r.last[i]!;
      if (i > 0 && r.min[i]! < r.last[i - 1]! && r.max[i]! > v)
        put(Math.min(hour + HOUR / 2, end - 1), r.max[i]!);
      put(Math.min(next, end), v);
      if (next < end) put(next + 1, v);
    }
    return { labels: r.labels, timestamps: timestamps.subarray(0, k), values: values.subarray(0, k) };
  }
}
