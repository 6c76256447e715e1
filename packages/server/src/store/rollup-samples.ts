import type { LabelMatcher } from '../matchers/label-matcher.js';
import { Float64Arena } from './float64-arena.js';
import { droppedIn } from './rollup-folder.js';
import {
  type DaySpan,
  type HistogramSeriesData,
  type HistogramVisitor,
  isStaleNaN,
  type RollupData,
  type SampleSource,
  type SampleVisitor,
  type SelectOptions,
  type SeriesData,
  type SeriesStore,
  wholeDays,
} from './series-store.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

type RolledStore = Pick<SeriesStore, 'select' | 'selectRollup' | 'selectHistograms' | 'scanHistograms'>;

/**
 * Which figure of an hour stands for it: `last` for counters (a rate or increase over the hours is
 * then the one over the raw samples, measured hour to hour), `mean` for gauges (avg_over_time over
 * the hours is the mean of the raw samples when the hours hold as many samples each).
 */
export type RollupValue = 'last' | 'mean';

/**
 * A store's rollups read as samples, so that PromQL over weeks reads a few points a series an hour
 * (or a day) instead of every scrape.
 *
 * A counter's bucket is its last value, which is the counter's value when the bucket ends: it is
 * placed on the bucket's end and again a millisecond after, so that a range from one bucket end to
 * another, which PromQL opens on the left, holds the value at both of its ends, and increase() over
 * whole buckets is the raw samples' to the scrape (a read starts an hour early for the value at its
 * start). A bucket in which the counter reset also gets, at its middle, the value `dropped` then 0,
 * so that PromQL counts `last − (last before) + dropped`, exactly what the samples rose by
 * (rollup-folder.ts). A read that serves a single range (`rangeMs` is `end − start`: an instant
 * query) takes the whole days inside it as daily buckets (7 a week instead of 168 hours); so does a
 * read of ranges end to end that meet on the hour (`stepMs` is `rangeMs`: a report's period and
 * the one before, as a range query of two steps), each range's days apart, the day they meet in
 * read in hours. A read for other steps stays in hours, which its steps' ranges must end on to be
 * read exactly.
 *
 * A gauge's hour is its mean, placed just before the hour ends, so that a range over whole hours
 * holds its hours only.
 *
 * The hours a read starts and ends in, when it does not start or end on the hour (a report in a
 * time zone half an hour off UTC), are read from the raw samples: as they are for counters, as
 * their mean (at the part's end) for gauges. Only the read's own ends are: ranges that meet inside
 * an hour in the middle of a read are not read exactly (rangesMeetExactly).
 *
 * Native histograms are not rolled up (store.md): they are read raw from the store. Reads are kept
 * for the life of the view, since a report asks for the same selectors again (p50, p95 and p99 of
 * one histogram); make one view per report.
 */
export class RollupSamples implements SampleSource {
  readonly #store: RolledStore;
  readonly #value: RollupValue;
  readonly #reads = new Map<string, Promise<SeriesData[]>>();
  #timestamps = new Float64Array(0);
  #values = new Float64Array(0);

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
    const days = this.#value === 'last' ? daysOf(start, end, options) : undefined;
    const key = JSON.stringify([matchers, start, end, days]);
    let read = this.#reads.get(key);
    if (!read) {
      read = this.#read(matchers, start, end, days, options);
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

  async #read(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    days: readonly DaySpan[] | undefined,
    options: SelectOptions | undefined,
  ): Promise<SeriesData[]> {
    const first = Math.ceil(start / HOUR) * HOUR;
    const last = Math.floor(end / HOUR) * HOUR;
    if (last <= first) return this.#store.select(matchers, start, end, options);
    const from = this.#value === 'last' ? first - HOUR : first;
    const daily = days !== undefined && days.length > 0;
    const [rollups, head, tail] = await Promise.all([
      this.#store.selectRollup(
        matchers,
        from,
        last - 1,
        daily ? DAY : HOUR,
        daily ? { ...options, days } : options,
      ),
      start < first ? this.#store.select(matchers, first - HOUR, first - 1, options) : [],
      end > last ? this.#store.select(matchers, last, end, options) : [],
    ]);
    const width = (t: number) => (days?.some(([d0, d1]) => t >= d0 && t < d1) ? DAY : HOUR);
    const arena = new Float64Arena();
    if (head.length === 0 && tail.length === 0)
      return rollups.map((r) => this.#samples(arena, r, start, end, last, width));
    type Parts = [SeriesData | undefined, RollupData | undefined, SeriesData | undefined];
    const byKey = new Map<string, { labels: SeriesData['labels']; parts: Parts }>();
    const part = (labels: SeriesData['labels']): Parts => {
      const k = JSON.stringify(labels);
      let p = byKey.get(k);
      if (!p) {
        p = { labels, parts: [undefined, undefined, undefined] };
        byKey.set(k, p);
      }
      return p.parts;
    };
    for (const r of rollups) part(r.labels)[1] = r;
    for (const s of head) part(s.labels)[0] = s;
    for (const s of tail) part(s.labels)[2] = s;
    return [...byKey.values()].map(({ labels, parts: [h, r, t] }) =>
      this.#samples(arena, r ?? { labels, ...NO_BUCKETS }, start, end, last, width, h, t),
    );
  }

  /**
   * One series' points: the raw samples of the part-hour before the first whole hour (`head`), the
   * buckets that end by `last`, the raw samples of the part-hour from `last` on (`tail`).
   */
  #samples(
    arena: Float64Arena,
    r: RollupData,
    start: number,
    end: number,
    last: number,
    width: (t: number) => number,
    head?: SeriesData | undefined,
    tail?: SeriesData | undefined,
  ): SeriesData {
    const n = r.timestamps.length;
    // At most four points a bucket (a reset's two, the bucket's end and a millisecond after), the
    // raw samples around them, and the start and end; placed in buffers kept for the next series.
    const room = 4 * n + (head?.timestamps.length ?? 0) + (tail?.timestamps.length ?? 0) + 2;
    if (this.#timestamps.length < room) {
      this.#timestamps = new Float64Array(room);
      this.#values = new Float64Array(room);
    }
    const timestamps = this.#timestamps;
    const values = this.#values;
    let k = 0;
    const put = (t: number, v: number) => {
      if (t < start || t > end || (k > 0 && t <= timestamps[k - 1]!)) return;
      timestamps[k] = t;
      values[k++] = v;
    };
    const mean = this.#value === 'mean';
    if (head) {
      const first = Math.ceil(start / HOUR) * HOUR;
      // A counter's value at the read's start (its last sample at or before it) goes a millisecond
      // after it, as on the hour; a gauge's part-hour is its mean.
      const [sum, count, before] = fold(head, start, end);
      if (mean && count > 0) put(first - 1, sum / count);
      if (!mean) {
        if (before !== undefined) put(start + 1, before);
        eachSample(head, start + 1, first - 1, put);
      }
    }
    let previous: number | undefined;
    for (let i = 0; i < n; i++) {
      const t0 = r.timestamps[i]!;
      if (t0 >= last) continue;
      const t1 = t0 + width(t0);
      if (mean) {
        put(t1 - 1, r.sum[i]! / r.count[i]!);
        continue;
      }
      const v = r.last[i]!;
      if (previous !== undefined) {
        const dropped = droppedIn(previous, r.min[i]!, r.max[i]!, v, r.dropped[i]!);
        if (dropped > 0) {
          const middle = t0 + (t1 - t0) / 2;
          put(middle, dropped);
          put(middle + 1, 0);
        }
      } else if (k === 0 && r.dropped[i] === 0) {
        // The series' first bucket, after the read's start (a series that began in the range): its
        // first value, the least of a counter that did not reset, goes at the bucket's start, so
        // that what it rose by in that bucket (a day, from rollups) is counted.
        put(t0 + 1, r.min[i]!);
      }
      put(t1, v);
      if (t1 < end) put(t1 + 1, v);
      previous = v;
    }
    if (tail && mean) {
      const [sum, count] = fold(tail, last, end);
      if (count > 0) put(end, sum / count);
    } else if (!mean && end > last) {
      // The counter's value at the end, on the end: without it PromQL would stretch the increase
      // from the last sample to the end.
      if (tail) eachSample(tail, last, end, put);
      if (k > 0 && timestamps[k - 1]! < end) put(end, values[k - 1]!);
    }
    return { labels: r.labels, timestamps: arena.copy(timestamps, k), values: arena.copy(values, k) };
  }
}

/**
 * Whether ranges that meet at `t` inside one read of rollups are each read exactly: when `t` is on
 * the hour, as the buckets end there.
 */
export function rangesMeetExactly(t: number): boolean {
  return t % HOUR === 0;
}

/**
 * The spans of whole days a counter's read of [start, end] takes as days: each range's whole days,
 * as a read of that range alone takes them (wholeDays from the hour before its first whole hour to
 * its last whole hour), when the read serves one range or ranges end to end that meet on the hour
 * (a report's period and the one before, in one read); undefined otherwise: ranges that overlap,
 * leave gaps or meet inside an hour read hours.
 */
function daysOf(start: number, end: number, options: SelectOptions | undefined): DaySpan[] | undefined {
  const range = options?.rangeMs;
  if (range === undefined || range <= 0) return undefined;
  const n = (end - start) / range;
  if (n !== 1 && (!Number.isInteger(n) || options?.stepMs !== range)) return undefined;
  const days: DaySpan[] = [];
  for (let k = 0; k < n; k++) {
    const s = start + k * range;
    if (k > 0 && !rangesMeetExactly(s)) return undefined;
    const [d0, d1] = wholeDays(Math.ceil(s / HOUR) * HOUR - HOUR, Math.floor((s + range) / HOUR) * HOUR - 1);
    if (d1 > d0) days.push([d0, d1]);
  }
  return days;
}

/** Sum and count of the samples in [from, to], staleness markers left out, and the last sample before `from`. */
function fold(
  s: SeriesData,
  from: number,
  to: number,
): [sum: number, count: number, before: number | undefined] {
  let sum = 0;
  let count = 0;
  let before: number | undefined;
  for (let i = 0; i < s.timestamps.length; i++) {
    const t = s.timestamps[i]!;
    const v = s.values[i]!;
    if (t > to || isStaleNaN(v)) continue;
    if (t <= from) before = v;
    if (t < from) continue;
    sum += v;
    count++;
  }
  return [sum, count, before];
}

/** Hands `put` the samples in [from, to] other than staleness markers. */
function eachSample(s: SeriesData, from: number, to: number, put: (t: number, v: number) => void): void {
  for (let i = 0; i < s.timestamps.length; i++) {
    const t = s.timestamps[i]!;
    if (t >= from && t <= to && !isStaleNaN(s.values[i]!)) put(t, s.values[i]!);
  }
}

const NO_BUCKETS = {
  timestamps: new Float64Array(0),
  count: new Float64Array(0),
  sum: new Float64Array(0),
  min: new Float64Array(0),
  max: new Float64Array(0),
  last: new Float64Array(0),
  dropped: new Float64Array(0),
};
