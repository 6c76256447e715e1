import type { CounterPoint, HistogramPoint, HistogramSnapshot, RegistrySnapshot } from '../core/snapshot.js';
import { ProtobufLabels } from './protobuf-labels.js';
import { ProtobufWriter } from './protobuf-writer.js';

// Field numbers of io.prometheus.client's metrics.proto (prometheus/client_model).
const FAMILY_NAME = 1;
const FAMILY_HELP = 2;
const FAMILY_TYPE = 3;
const FAMILY_METRIC = 4;
const METRIC_GAUGE = 2;
const METRIC_COUNTER = 3;
const METRIC_HISTOGRAM = 7;
const VALUE = 1;
const COUNTER_CREATED_TIMESTAMP = 3;
const HISTOGRAM_COUNT = 1;
const HISTOGRAM_SUM = 2;
const HISTOGRAM_BUCKET = 3;
const HISTOGRAM_SCHEMA = 5;
const HISTOGRAM_ZERO_THRESHOLD = 6;
const HISTOGRAM_ZERO_COUNT = 7;
const HISTOGRAM_NEGATIVE_SPAN = 9;
const HISTOGRAM_NEGATIVE_DELTA = 10;
const HISTOGRAM_POSITIVE_SPAN = 12;
const HISTOGRAM_POSITIVE_DELTA = 13;
const HISTOGRAM_CREATED_TIMESTAMP = 15;
const TIMESTAMP_SECONDS = 1;
const TIMESTAMP_NANOS = 2;
const TYPE_NUMBER = { counter: 0, gauge: 1, histogram: 4 } as const;

/**
 * The Prometheus protobuf exposition (`application/vnd.google.protobuf;
 * proto=io.prometheus.client.MetricFamily; encoding=delimited`): one varint-length-prefixed
 * `MetricFamily` per metric. Histograms carry their classic buckets and, from the layout the snapshot
 * holds when taken with `{ native: true }`, a native histogram (schema, zero bucket, spans, deltas).
 * Counters and histograms carry the time their series was created, so that a scraper counts what
 * was added before it first scraped it (Prometheus's created-timestamp zero ingestion).
 * Repeated numbers are packed, which every protobuf parser reads (the spec requires it).
 */
export function toProtobuf(snapshot: RegistrySnapshot): Uint8Array {
  const w = new ProtobufWriter();
  for (const metric of snapshot.metrics) {
    w.beginDelimited();
    w.stringField(FAMILY_NAME, metric.name);
    if (metric.help !== '') w.stringField(FAMILY_HELP, metric.help);
    w.varintField(FAMILY_TYPE, TYPE_NUMBER[metric.type]);
    const labels = new ProtobufLabels();
    if (metric.type === 'histogram') {
      for (const point of metric.points) {
        w.begin(FAMILY_METRIC);
        labels.write(w, point);
        histogram(w, metric, point);
        w.end();
      }
    } else {
      const counter = metric.type === 'counter';
      for (const point of metric.points) {
        w.begin(FAMILY_METRIC);
        labels.write(w, point);
        w.begin(counter ? METRIC_COUNTER : METRIC_GAUGE);
        w.doubleField(VALUE, point.value);
        const created = counter ? (point as CounterPoint).createdMs : undefined;
        if (created !== undefined) timestamp(w, COUNTER_CREATED_TIMESTAMP, created);
        w.end();
        w.end();
      }
    }
    w.end();
  }
  return w.finish();
}

/** A `google.protobuf.Timestamp` field of Unix ms `ms`. */
function timestamp(w: ProtobufWriter, field: number, ms: number): void {
  const seconds = Math.floor(ms / 1000);
  w.begin(field);
  w.varintField(TIMESTAMP_SECONDS, seconds);
  w.varintField(TIMESTAMP_NANOS, Math.round((ms - seconds * 1000) * 1e6));
  w.end();
}

function histogram(w: ProtobufWriter, metric: HistogramSnapshot, point: HistogramPoint): void {
  w.begin(METRIC_HISTOGRAM);
  w.varintField(HISTOGRAM_COUNT, point.count);
  w.doubleField(HISTOGRAM_SUM, point.sum);
  if (metric.classic !== false) {
    const { bounds } = metric;
    // Bucket: cumulative_count (1), upper_bound (2).
    for (let i = 0; i < bounds.length; i++) w.countAndDouble(HISTOGRAM_BUCKET, point.buckets[i]!, bounds[i]!);
  }
  if (point.createdMs !== undefined) timestamp(w, HISTOGRAM_CREATED_TIMESTAMP, point.createdMs);
  const native = point.native;
  if (native) {
    w.tag(HISTOGRAM_SCHEMA, 0);
    w.zigzag(native.schema);
    // Always written, and never 0: a zero threshold above 0 is what tells a parser the histogram is native.
    w.doubleField(HISTOGRAM_ZERO_THRESHOLD, native.zeroThreshold);
    w.varintField(HISTOGRAM_ZERO_COUNT, native.zeroCount);
    const { spans, deltas } = native;
    if (native.positiveDeltasFrom > native.deltasFrom) {
      w.pairs(HISTOGRAM_NEGATIVE_SPAN, spans, native.spansFrom, native.positiveSpansFrom);
      w.begin(HISTOGRAM_NEGATIVE_DELTA);
      w.zigzags(deltas, native.deltasFrom, native.positiveDeltasFrom);
      w.end();
    }
    if (native.deltasTo > native.positiveDeltasFrom) {
      w.pairs(HISTOGRAM_POSITIVE_SPAN, spans, native.positiveSpansFrom, native.spansTo);
      w.begin(HISTOGRAM_POSITIVE_DELTA);
      w.zigzags(deltas, native.positiveDeltasFrom, native.deltasTo);
      w.end();
    }
  }
  w.end();
}
