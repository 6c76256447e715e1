import { DEFAULT_NATIVE_BUCKET_LIMIT, NATIVE_ZERO_THRESHOLD } from '../core/histogram.js';
import type { HistogramPoint, HistogramSnapshot, Labels, RegistrySnapshot } from '../core/snapshot.js';
import { type NativeSide, nativeLayout } from './native-layout.js';
import { ProtobufWriter } from './protobuf-writer.js';

// Field numbers of io.prometheus.client's metrics.proto (prometheus/client_model).
const FAMILY_NAME = 1;
const FAMILY_HELP = 2;
const FAMILY_TYPE = 3;
const FAMILY_METRIC = 4;
const METRIC_LABEL = 1;
const METRIC_GAUGE = 2;
const METRIC_COUNTER = 3;
const METRIC_HISTOGRAM = 7;
const LABEL_NAME = 1;
const LABEL_VALUE = 2;
const VALUE = 1;
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
const BUCKET_CUMULATIVE_COUNT = 1;
const BUCKET_UPPER_BOUND = 2;
const SPAN_OFFSET = 1;
const SPAN_LENGTH = 2;
const TYPE_NUMBER = { counter: 0, gauge: 1, histogram: 4 } as const;

/**
 * The Prometheus protobuf exposition (`application/vnd.google.protobuf;
 * proto=io.prometheus.client.MetricFamily; encoding=delimited`): one varint-length-prefixed
 * `MetricFamily` per metric. Histograms carry their classic buckets and, from the sketch the snapshot
 * holds when taken with `{ native: true }`, a native histogram (schema, zero bucket, spans, deltas),
 * and the time the series was created, so that a scraper counts what was observed before it first
 * scraped it (Prometheus's created-timestamp zero ingestion).
 * Repeated numbers are packed, which every protobuf parser reads (the spec requires it).
 */
export function toProtobuf(snapshot: RegistrySnapshot): Uint8Array {
  const w = new ProtobufWriter();
  for (const metric of snapshot.metrics) {
    w.beginDelimited();
    w.stringField(FAMILY_NAME, metric.name);
    if (metric.help !== '') w.stringField(FAMILY_HELP, metric.help);
    w.varintField(FAMILY_TYPE, TYPE_NUMBER[metric.type]);
    if (metric.type === 'histogram') {
      for (const point of metric.points) {
        w.begin(FAMILY_METRIC);
        labels(w, point.labels);
        histogram(w, metric, point);
        w.end();
      }
    } else {
      const field = metric.type === 'counter' ? METRIC_COUNTER : METRIC_GAUGE;
      for (const point of metric.points) {
        w.begin(FAMILY_METRIC);
        labels(w, point.labels);
        w.begin(field);
        w.doubleField(VALUE, point.value);
        w.end();
        w.end();
      }
    }
    w.end();
  }
  return w.finish();
}

function labels(w: ProtobufWriter, pairs: Labels): void {
  for (const name in pairs) {
    w.begin(METRIC_LABEL);
    w.stringField(LABEL_NAME, name);
    w.stringField(LABEL_VALUE, pairs[name]!);
    w.end();
  }
}

function histogram(w: ProtobufWriter, metric: HistogramSnapshot, point: HistogramPoint): void {
  w.begin(METRIC_HISTOGRAM);
  w.varintField(HISTOGRAM_COUNT, point.count);
  w.doubleField(HISTOGRAM_SUM, point.sum);
  if (metric.classic !== false) {
    const { bounds } = metric;
    for (let i = 0; i < bounds.length; i++) {
      w.begin(HISTOGRAM_BUCKET);
      w.varintField(BUCKET_CUMULATIVE_COUNT, point.buckets[i]!);
      w.doubleField(BUCKET_UPPER_BOUND, bounds[i]!);
      w.end();
    }
  }
  if (point.createdMs !== undefined) {
    const seconds = Math.floor(point.createdMs / 1000);
    w.begin(HISTOGRAM_CREATED_TIMESTAMP);
    w.varintField(TIMESTAMP_SECONDS, seconds);
    w.varintField(TIMESTAMP_NANOS, Math.round((point.createdMs - seconds * 1000) * 1e6));
    w.end();
  }
  const sketch = point.sketch;
  const limit = metric.nativeBucketLimit ?? DEFAULT_NATIVE_BUCKET_LIMIT;
  if (limit > 0 && sketch) {
    const layout = nativeLayout(sketch, limit);
    w.tag(HISTOGRAM_SCHEMA, 0);
    w.zigzag(layout.schema);
    // Always written, and never 0: a zero threshold above 0 is what tells a parser the histogram is native.
    w.doubleField(HISTOGRAM_ZERO_THRESHOLD, NATIVE_ZERO_THRESHOLD);
    w.varintField(HISTOGRAM_ZERO_COUNT, sketch.zeroCount);
    side(w, layout.negative, HISTOGRAM_NEGATIVE_SPAN, HISTOGRAM_NEGATIVE_DELTA);
    side(w, layout.positive, HISTOGRAM_POSITIVE_SPAN, HISTOGRAM_POSITIVE_DELTA);
  }
  w.end();
}

function side(w: ProtobufWriter, side: NativeSide, spanField: number, deltaField: number): void {
  const { spans, deltas } = side;
  for (let i = 0; i < spans.length; i += 2) {
    w.begin(spanField);
    w.tag(SPAN_OFFSET, 0);
    w.zigzag(spans[i]!);
    w.varintField(SPAN_LENGTH, spans[i + 1]!);
    w.end();
  }
  if (deltas.length === 0) return;
  w.begin(deltaField);
  w.zigzags(deltas);
  w.end();
}
