import { ManualClock, parsePrometheusText, toOpenMetrics } from '@vigil/metrics';
import type { DiskUsage } from '@vigil/metrics/health';
import { DemoWorkload } from '../demo/demo-workload.js';
import { fillingDiskHistory } from '../demo/filling-disk.js';
import { expositionSamples, histogramSamples } from '../ingest/exposition-samples.js';
import type { IngestWriter } from '../ingest/ingest-writer.js';
import { sketchNative } from '../ingest/sketch-native.js';
import type { NativeHistogram } from '../store/native-histogram.js';
import {
  type SeriesHistograms,
  type SeriesLabels,
  type SeriesSamples,
  staleNaN,
} from '../store/series-store.js';

export interface BackfillOptions {
  readonly writer: IngestWriter;
  /** History ends here (Unix ms), usually now; it starts `durationMs` before. */
  readonly endMs: number;
  readonly durationMs: number;
  /** One simulated scrape every this many ms. */
  readonly intervalMs: number;
  readonly seed: number;
  /** The labels a live scrape of the workload adds (`job`, `instance`), so history and live meet. */
  readonly targetLabels: SeriesLabels;
  /**
   * The machine's disk now, which the history's disk fills up to (demo/filling-disk.ts); none, no
   * disk series, as the live workload has none where it cannot read the disk.
   */
  readonly disk?: DiskUsage | undefined;
  /** Called after each simulated hour. */
  readonly onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillProgress {
  readonly simulatedMs: number;
  readonly durationMs: number;
  readonly samples: number;
  readonly rejected: number;
}

/** One series' samples since the last append. */
interface Pending {
  readonly labels: SeriesLabels;
  timestamps: number[];
  values: number[];
  /** The step that last saw the series, to write a staleness marker when it goes away. */
  seen: number;
}

/** One native histogram series' samples since the last append. */
interface PendingNative {
  readonly labels: SeriesLabels;
  timestamps: number[];
  histograms: NativeHistogram[];
  seen: number;
  /** The last histogram written: a series that saw no value since is written the same object again. */
  last: NativeHistogram | undefined;
}

/** Steps gathered before one append: a series then carries many samples, which the store takes fastest. */
const STEPS_PER_APPEND = 120;

/**
 * Writes `durationMs` of the demo workload's history: a workload on a ManualClock that starts in the
 * past is stepped one scrape interval at a time; each step's exposition becomes samples as a scrape
 * would make them (same labels, `up`, a staleness marker for a series that went away), stamped with
 * the simulated time, and goes to the store through the ingest writer. Histograms are written as
 * the live scrape stores them, classic series and native histograms both: with only the classic
 * ones, a percentile read from the native histograms where they exist covered the live minutes
 * and the average beside it the whole history.
 *
 * A series is parsed by the library's parser the first time its line appears; after that its line
 * prefix finds it in a map, and only the value is read. Parsing every line of every step made the
 * backfill of a day take minutes, most of it garbage collection (measured: 26 s per simulated hour
 * before, see the README for after).
 */
export async function backfillDemo(options: BackfillOptions): Promise<BackfillProgress> {
  const { writer, endMs, durationMs, intervalMs, targetLabels } = options;
  const start = endMs - durationMs;
  const clock = new ManualClock(start);
  // The process metrics would describe this backfill, not the simulated past: left out. The disk's
  // gauges are written after the steps, from `options.disk`.
  const workload = new DemoWorkload({ clock, seed: options.seed, runtime: false });
  workload.start();
  const series = new Map<string, Pending>();
  const natives = new Map<string, PendingNative>();
  const up = pending({ __name__: 'up', ...targetLabels });
  let samples = 0;
  let rejected = 0;
  let nextHour = start + 3_600_000;
  const flush = async () => {
    const batch: SeriesSamples[] = [];
    for (const p of [...series.values(), up]) {
      if (p.timestamps.length === 0) continue;
      batch.push({ labels: p.labels, timestamps: p.timestamps, values: Float64Array.from(p.values) });
      p.timestamps = [];
      p.values = [];
    }
    const histograms: SeriesHistograms[] = [];
    for (const p of natives.values()) {
      if (p.timestamps.length === 0) continue;
      histograms.push({ labels: p.labels, timestamps: p.timestamps, histograms: p.histograms });
      p.timestamps = [];
      p.histograms = [];
    }
    const result = await writer.write('import_prometheus', batch, histograms);
    samples += result.accepted;
    for (const n of Object.values(result.rejected)) rejected += n;
  };
  const progress = (t: number) => ({ simulatedMs: t - start, durationMs, samples, rejected });
  let lastStep = start;
  try {
    let step = 0;
    for (let t = start + intervalMs; t <= endMs; t += intervalMs) {
      step++;
      lastStep = t;
      clock.advance(intervalMs);
      // OpenMetrics: the same `le` and `quantile` spellings ("1.0") as the live series, which the
      // scraper reads from protobuf, or histogram_quantile would see two sets of buckets where they meet.
      const snapshot = await workload.registry.snapshot({ sketches: true });
      const text = toOpenMetrics(snapshot);
      for (const line of text.split('\n')) {
        if (line === '' || line.charCodeAt(0) === 35 /* # */) continue;
        if (line.includes(' # ')) throw new Error(`backfill: exemplars are not expected here: ${line}`);
        const space = line.lastIndexOf(' ');
        const key = line.slice(0, space);
        let p = series.get(key);
        if (!p) {
          p = pending(labelsOf(line, t, targetLabels));
          series.set(key, p);
        }
        p.timestamps.push(t);
        p.values.push(sampleValue(line.slice(space + 1)));
        p.seen = step;
      }
      for (const metric of snapshot.metrics) {
        if (metric.type !== 'histogram') continue;
        for (const point of metric.points) {
          if (!point.sketch || metric.nativeBucketLimit === 0) continue;
          const key = `${metric.name}{${point.block}}`;
          let p = natives.get(key);
          const histogram =
            p?.last && p.last.count === point.count && Object.is(p.last.sum, point.sum)
              ? p.last
              : sketchNative(point.sketch, metric.nativeBucketLimit);
          if (!p) {
            const [labelled] = histogramSamples([{ name: metric.name, labels: point.labels, histogram }], {
              nowMs: t,
              honorTimestamps: false,
              extraLabels: targetLabels,
            });
            p = { labels: labelled!.labels, timestamps: [], histograms: [], seen: 0, last: undefined };
            natives.set(key, p);
          }
          p.timestamps.push(t);
          p.histograms.push(histogram);
          p.last = histogram;
          p.seen = step;
        }
      }
      for (const [key, p] of natives) {
        if (p.seen === step) continue;
        // Its histograms first, then the float staleness marker after them, as a scrape writes it.
        natives.delete(key);
        if (p.timestamps.length > 0)
          await writer.write(
            'import_prometheus',
            [],
            [{ labels: p.labels, timestamps: p.timestamps, histograms: p.histograms }],
          );
        await writer.write('import_prometheus', [
          { labels: p.labels, timestamps: [t], values: Float64Array.of(staleNaN()) },
        ]);
      }
      for (const [key, p] of series) {
        if (p.seen === step) continue;
        // Gone since the last step: one staleness marker, as Prometheus writes, then forgotten. The
        // marker goes straight into a Float64Array: a plain array may canonicalise its NaN payload.
        series.delete(key);
        const values = new Float64Array(p.values.length + 1);
        values.set(p.values);
        values[p.values.length] = staleNaN();
        await writer.write('import_prometheus', [
          { labels: p.labels, timestamps: [...p.timestamps, t], values },
        ]);
      }
      up.timestamps.push(t);
      up.values.push(1);
      if (step % STEPS_PER_APPEND === 0) await flush();
      if (t >= nextHour) {
        nextHour += 3_600_000;
        await flush();
        options.onProgress?.(progress(t));
      }
    }
    await flush();
    await endSessions(writer, [...series.values(), ...natives.values()], lastStep + 1);
    if (options.disk) {
      const result = await writer.write(
        'import_prometheus',
        fillingDiskHistory(options.disk, { endMs, durationMs, intervalMs, targetLabels }),
      );
      samples += result.accepted;
      for (const n of Object.values(result.rejected)) rejected += n;
    }
  } finally {
    workload.stop();
  }
  return progress(endMs);
}

/**
 * The sessions of the simulated past end with it: the live workload that takes over has sessions of
 * its own. Without a staleness marker the backfill's last sessions would count as live for the five
 * minutes of lookback (12 live sessions where the workload had 6).
 */
async function endSessions(
  writer: IngestWriter,
  series: readonly { readonly labels: SeriesLabels }[],
  t: number,
): Promise<void> {
  const ended = series.filter((p) => (p.labels.session ?? '') !== '');
  if (ended.length === 0) return;
  await writer.write(
    'import_prometheus',
    ended.map((p) => ({ labels: p.labels, timestamps: [t], values: Float64Array.of(staleNaN()) })),
  );
}

function pending(labels: SeriesLabels): Pending {
  return { labels, timestamps: [], values: [], seen: 0 };
}

/** The labels of one exposition line, as a scrape of the workload would store them. */
function labelsOf(line: string, t: number, targetLabels: SeriesLabels): SeriesLabels {
  const parsed = parsePrometheusText(`${line}\n# EOF\n`, { openMetrics: true, strict: false });
  const [sample] = expositionSamples(parsed.families, {
    nowMs: t,
    honorTimestamps: false,
    extraLabels: targetLabels,
  });
  if (!sample) throw new Error(`backfill: the workload exposed a line the parser refused: ${line}`);
  return sample.labels;
}

/** A sample value as the Prometheus text format writes it. */
function sampleValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}
