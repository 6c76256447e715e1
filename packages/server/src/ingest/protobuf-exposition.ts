import { canonicalNumber, type ParsedFamily, type ParsedSample, type ParsedType } from '@vigil/metrics';
import {
  type NativeHistogram,
  NativeHistogramError,
  validateNativeHistogram,
} from '../store/native-histogram.js';
import {
  expect,
  HistogramParts,
  readDouble,
  readDoubles,
  readSint64s,
  readSpan,
  unzigzag,
} from './histogram-proto.js';
import { setLabel } from './labels.js';
import { I64, LEN, ProtoReader, VARINT } from './proto-reader.js';

/** One native histogram sample read from the exposition: its series name and labels as exposed. */
export interface ParsedHistogramSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly timestampMs?: number;
  /** Unix ms when the series was created or last reset, when the exposition says. */
  readonly createdMs?: number;
  readonly histogram: NativeHistogram;
}

export interface ProtobufExposition {
  /** Counters, gauges, summaries, untyped and the classic series of histograms, as the text parser gives them. */
  readonly families: ParsedFamily[];
  readonly histograms: ParsedHistogramSample[];
  /** Native histograms left out because they break the model, each message naming the series and why. */
  readonly errors: string[];
}

// MetricType of io.prometheus.client's metrics.proto, in order.
const TYPES: readonly ParsedType[] = [
  'counter',
  'gauge',
  'summary',
  'untyped',
  'histogram',
  'gaugehistogram',
];

const utf8 = new TextDecoder();
const reader = new ProtoReader(new Uint8Array(0));

/**
 * Reads the Prometheus protobuf exposition (`application/vnd.google.protobuf;
 * proto=io.prometheus.client.MetricFamily; encoding=delimited`): varint-length-prefixed
 * `MetricFamily` messages. A histogram is native when it has spans, a zero threshold or a zero count
 * (Prometheus's test); its classic buckets, sum and count become `_bucket`/`_sum`/`_count` samples
 * beside the native one when it has classic buckets or is not native (Prometheus's
 * `always_scrape_classic_histograms`), so rules over `_bucket` keep working.
 *
 * A counter's, summary's or histogram's `created_timestamp` is kept as `createdMs` on each of its
 * samples (see created-zeros.ts).
 *
 * Bytes that are not a valid message throw `IngestError('bad_protobuf')` with the byte offset; a
 * histogram that decodes but breaks the model is left out and reported in `errors`.
 */
export function parseProtobufExposition(bytes: Uint8Array): ProtobufExposition {
  const r = reader.reset(bytes);
  const out: ProtobufExposition = { families: [], histograms: [], errors: [] };
  while (r.pos < bytes.length) {
    const length = r.length(bytes.length, 'MetricFamily');
    readFamily(r, r.pos + length, out);
  }
  return out;
}

function readFamily(r: ProtoReader, end: number, out: ProtobufExposition): void {
  let name = '';
  let help = '';
  let unit = '';
  let type = 0;
  const metrics: [number, number][] = [];
  while (r.pos < end) {
    const at = r.pos;
    const key = r.varint(end, 'field key');
    const field = key >>> 3;
    const wireType = key & 7;
    if (field === 1 || field === 2 || field === 5) {
      expect(r, wireType, LEN, 'MetricFamily string');
      const text = readString(r, end);
      if (field === 1) name = text;
      else if (field === 2) help = text;
      else unit = text;
    } else if (field === 3) {
      expect(r, wireType, VARINT, 'MetricFamily.type');
      type = r.varint(end, 'MetricFamily.type');
    } else if (field === 4) {
      expect(r, wireType, LEN, 'MetricFamily.metric');
      const length = r.length(end, 'Metric');
      metrics.push([r.pos, r.pos + length]);
      r.pos += length;
    } else if (field === 0) {
      throw r.malformed('field number 0', at);
    } else {
      r.skip(wireType, end, field);
    }
  }
  if (name === '') throw r.malformed('a MetricFamily without a name', end);
  const familyType = TYPES[type] ?? 'untyped';
  const samples: ParsedSample[] = [];
  for (const [start, metricEnd] of metrics) {
    r.pos = start;
    readMetric(r, metricEnd, name, familyType, samples, out);
  }
  r.pos = end;
  out.families.push({ name, type: familyType, help, unit, samples });
}

function readMetric(
  r: ProtoReader,
  end: number,
  name: string,
  type: ParsedType,
  samples: ParsedSample[],
  out: ProtobufExposition,
): void {
  const labels: Record<string, string> = {};
  let timestampMs: number | undefined;
  let value = Number.NaN;
  let createdMs: number | undefined;
  let summary: Summary | undefined;
  let histogram: ClassicAndNative | undefined;
  while (r.pos < end) {
    const at = r.pos;
    const key = r.varint(end, 'field key');
    const field = key >>> 3;
    const wireType = key & 7;
    if (field === 1) {
      expect(r, wireType, LEN, 'Metric.label');
      readLabel(r, end, labels);
    } else if (field === 2 || field === 3 || field === 5) {
      // Gauge, Counter, Untyped: { double value = 1; ... }; Counter { Timestamp created_timestamp = 3; }
      expect(r, wireType, LEN, 'Metric value');
      const read = readValue(r, end, field === 3 ? 3 : 0);
      value = read.value;
      createdMs = read.createdMs;
    } else if (field === 4) {
      expect(r, wireType, LEN, 'Metric.summary');
      summary = readSummary(r, end);
      createdMs = summary.createdMs;
    } else if (field === 7) {
      expect(r, wireType, LEN, 'Metric.histogram');
      histogram = readHistogram(r, end, type === 'gaugehistogram');
      createdMs = histogram.createdMs;
    } else if (field === 6) {
      expect(r, wireType, VARINT, 'Metric.timestamp_ms');
      timestampMs = r.int64(end, 'Metric.timestamp_ms');
    } else if (field === 0) {
      throw r.malformed('field number 0', at);
    } else {
      r.skip(wireType, end, field);
    }
  }
  const push = (sampleName: string, sampleLabels: Record<string, string>, v: number) => {
    const sample: { -readonly [K in keyof ParsedSample]: ParsedSample[K] } = {
      name: sampleName,
      labels: sampleLabels,
      value: v,
    };
    if (timestampMs !== undefined) sample.timestampMs = timestampMs;
    if (createdMs !== undefined) sample.createdMs = createdMs;
    samples.push(sample);
  };
  if (summary) {
    for (const [q, v] of summary.quantiles)
      push(name, withLabel(labels, 'quantile', canonicalNumber(q, true)), v);
    push(`${name}_sum`, labels, summary.sum);
    push(`${name}_count`, labels, summary.count);
  } else if (histogram) {
    const { parts, buckets, native } = histogram;
    if (native) {
      const h = parts.build();
      try {
        validateNativeHistogram(h);
        const sample: { -readonly [K in keyof ParsedHistogramSample]: ParsedHistogramSample[K] } = {
          name,
          labels,
          histogram: h,
        };
        if (timestampMs !== undefined) sample.timestampMs = timestampMs;
        if (createdMs !== undefined) sample.createdMs = createdMs;
        out.histograms.push(sample);
      } catch (error) {
        if (!(error instanceof NativeHistogramError)) throw error;
        out.errors.push(`${name}${JSON.stringify(labels)}: ${error.message}`);
      }
    }
    if (buckets.length > 0 || !native) {
      const count = parts.countFloat ?? parts.countInt;
      let infinite = false;
      for (const [bound, cumulative] of buckets) {
        if (bound === Number.POSITIVE_INFINITY) infinite = true;
        push(`${name}_bucket`, withLabel(labels, 'le', canonicalNumber(bound, true)), cumulative);
      }
      if (!infinite) push(`${name}_bucket`, withLabel(labels, 'le', '+Inf'), count);
      push(`${name}_sum`, labels, parts.sum);
      push(`${name}_count`, labels, count);
    }
  } else {
    push(name, labels, value);
  }
}

function withLabel(labels: Record<string, string>, name: string, value: string): Record<string, string> {
  return { ...labels, [name]: value };
}

function readString(r: ProtoReader, end: number): string {
  const length = r.length(end, 'string');
  const text = utf8.decode(r.buf.subarray(r.pos, r.pos + length));
  r.pos += length;
  return text;
}

function readLabel(r: ProtoReader, end: number, labels: Record<string, string>): void {
  const length = r.length(end, 'LabelPair');
  const pairEnd = r.pos + length;
  let name = '';
  let value = '';
  while (r.pos < pairEnd) {
    const key = r.varint(pairEnd, 'field key');
    const field = key >>> 3;
    if ((field === 1 || field === 2) && (key & 7) === LEN) {
      const text = readString(r, pairEnd);
      if (field === 1) name = text;
      else value = text;
    } else r.skip(key & 7, pairEnd, field);
  }
  if (name === '') throw r.malformed('a label with an empty name', pairEnd);
  if (value !== '') setLabel(labels, name, value);
}

/**
 * Gauge, Counter and Untyped share `double value = 1`; `createdField` is the field of the created
 * timestamp (3 in Counter, 0 for the others); exemplars are skipped.
 */
function readValue(
  r: ProtoReader,
  end: number,
  createdField: number,
): { value: number; createdMs: number | undefined } {
  const length = r.length(end, 'value message');
  const valueEnd = r.pos + length;
  let value = 0;
  let createdMs: number | undefined;
  while (r.pos < valueEnd) {
    const key = r.varint(valueEnd, 'field key');
    if (key >>> 3 === 1 && (key & 7) === I64) value = readDouble(r, valueEnd, 'value');
    else if (key >>> 3 === createdField && (key & 7) === LEN)
      createdMs = readTimestamp(r, valueEnd, 'Counter.created_timestamp');
    else r.skip(key & 7, valueEnd, key >>> 3);
  }
  return { value, createdMs };
}

/**
 * google.protobuf.Timestamp { int64 seconds = 1; int32 nanos = 2; } as Unix ms; undefined for the
 * zero timestamp, which a client writes for "not known".
 */
function readTimestamp(r: ProtoReader, end: number, what: string): number | undefined {
  const length = r.length(end, what);
  const tEnd = r.pos + length;
  let seconds = 0;
  let nanos = 0;
  while (r.pos < tEnd) {
    const key = r.varint(tEnd, 'field key');
    if (key === ((1 << 3) | VARINT)) seconds = r.int64(tEnd, `${what}.seconds`);
    else if (key === ((2 << 3) | VARINT)) nanos = r.int64(tEnd, `${what}.nanos`);
    else r.skip(key & 7, tEnd, key >>> 3);
  }
  if (seconds === 0 && nanos === 0) return undefined;
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

interface Summary {
  count: number;
  sum: number;
  quantiles: [number, number][];
  createdMs: number | undefined;
}

/**
 * Summary { uint64 sample_count = 1; double sample_sum = 2; repeated Quantile quantile = 3;
 * Timestamp created_timestamp = 4; }
 */
function readSummary(r: ProtoReader, end: number): Summary {
  const length = r.length(end, 'Summary');
  const summaryEnd = r.pos + length;
  const out: Summary = { count: 0, sum: 0, quantiles: [], createdMs: undefined };
  while (r.pos < summaryEnd) {
    const key = r.varint(summaryEnd, 'field key');
    const field = key >>> 3;
    const wireType = key & 7;
    if (field === 4 && wireType === LEN)
      out.createdMs = readTimestamp(r, summaryEnd, 'Summary.created_timestamp');
    else if (field === 1 && wireType === VARINT) out.count = r.varint(summaryEnd, 'Summary.sample_count');
    else if (field === 2 && wireType === I64) out.sum = readDouble(r, summaryEnd, 'Summary.sample_sum');
    else if (field === 3 && wireType === LEN) {
      const qLength = r.length(summaryEnd, 'Quantile');
      const qEnd = r.pos + qLength;
      let q = 0;
      let v = 0;
      while (r.pos < qEnd) {
        const qKey = r.varint(qEnd, 'field key');
        if (qKey === ((1 << 3) | I64)) q = readDouble(r, qEnd, 'Quantile.quantile');
        else if (qKey === ((2 << 3) | I64)) v = readDouble(r, qEnd, 'Quantile.value');
        else r.skip(qKey & 7, qEnd, qKey >>> 3);
      }
      out.quantiles.push([q, v]);
    } else r.skip(wireType, summaryEnd, field);
  }
  return out;
}

interface ClassicAndNative {
  parts: HistogramParts;
  /** Classic buckets: [upper bound, cumulative count]. */
  buckets: [number, number][];
  native: boolean;
  createdMs: number | undefined;
}

/**
 * Histogram { uint64 sample_count = 1; double sample_count_float = 4; double sample_sum = 2;
 * repeated Bucket bucket = 3; sint32 schema = 5; double zero_threshold = 6; uint64 zero_count = 7;
 * double zero_count_float = 8; repeated BucketSpan negative_span = 9; repeated sint64 negative_delta = 10;
 * repeated double negative_count = 11; repeated BucketSpan positive_span = 12;
 * repeated sint64 positive_delta = 13; repeated double positive_count = 14;
 * Timestamp created_timestamp = 15; }
 */
function readHistogram(r: ProtoReader, end: number, gauge: boolean): ClassicAndNative {
  const length = r.length(end, 'Histogram');
  const hEnd = r.pos + length;
  const p = new HistogramParts();
  const buckets: [number, number][] = [];
  let createdMs: number | undefined;
  while (r.pos < hEnd) {
    const at = r.pos;
    const key = r.varint(hEnd, 'field key');
    const field = key >>> 3;
    const wireType = key & 7;
    switch (field) {
      case 1:
        expect(r, wireType, VARINT, 'Histogram.sample_count');
        p.countInt = r.varint(hEnd, 'Histogram.sample_count');
        break;
      case 2:
        expect(r, wireType, I64, 'Histogram.sample_sum');
        p.sum = readDouble(r, hEnd, 'Histogram.sample_sum');
        break;
      case 3:
        expect(r, wireType, LEN, 'Histogram.bucket');
        buckets.push(readBucket(r, hEnd));
        break;
      case 4:
        expect(r, wireType, I64, 'Histogram.sample_count_float');
        p.countFloat = readDouble(r, hEnd, 'Histogram.sample_count_float');
        break;
      case 5:
        expect(r, wireType, VARINT, 'Histogram.schema');
        p.schema = unzigzag(r.varint(hEnd, 'Histogram.schema'));
        break;
      case 6:
        expect(r, wireType, I64, 'Histogram.zero_threshold');
        p.zeroThreshold = readDouble(r, hEnd, 'Histogram.zero_threshold');
        break;
      case 7:
        expect(r, wireType, VARINT, 'Histogram.zero_count');
        p.zeroCountInt = r.varint(hEnd, 'Histogram.zero_count');
        break;
      case 8:
        expect(r, wireType, I64, 'Histogram.zero_count_float');
        p.zeroCountFloat = readDouble(r, hEnd, 'Histogram.zero_count_float');
        break;
      case 9:
        expect(r, wireType, LEN, 'Histogram.negative_span');
        readSpan(r, hEnd, p.negativeSpans);
        break;
      case 10:
        readSint64s(r, wireType, hEnd, 'Histogram.negative_delta', p.negativeDeltas);
        break;
      case 11:
        readDoubles(r, wireType, hEnd, 'Histogram.negative_count', p.negativeCounts);
        break;
      case 12:
        expect(r, wireType, LEN, 'Histogram.positive_span');
        readSpan(r, hEnd, p.positiveSpans);
        break;
      case 13:
        readSint64s(r, wireType, hEnd, 'Histogram.positive_delta', p.positiveDeltas);
        break;
      case 14:
        readDoubles(r, wireType, hEnd, 'Histogram.positive_count', p.positiveCounts);
        break;
      case 15:
        expect(r, wireType, LEN, 'Histogram.created_timestamp');
        createdMs = readTimestamp(r, hEnd, 'Histogram.created_timestamp');
        break;
      case 0:
        throw r.malformed('field number 0', at);
      default:
        r.skip(wireType, hEnd, field);
    }
  }
  if (gauge) p.counterResetHint = 'gauge';
  const native =
    p.positiveSpans.length > 0 ||
    p.negativeSpans.length > 0 ||
    p.zeroThreshold > 0 ||
    (p.zeroCountFloat ?? p.zeroCountInt) > 0;
  return { parts: p, buckets, native, createdMs };
}

/** Bucket { uint64 cumulative_count = 1; double cumulative_count_float = 4; double upper_bound = 2; } */
function readBucket(r: ProtoReader, end: number): [number, number] {
  const length = r.length(end, 'Bucket');
  const bEnd = r.pos + length;
  let bound = 0;
  let count = 0;
  let countFloat: number | undefined;
  while (r.pos < bEnd) {
    const key = r.varint(bEnd, 'field key');
    const field = key >>> 3;
    const wireType = key & 7;
    if (field === 1 && wireType === VARINT) count = r.varint(bEnd, 'Bucket.cumulative_count');
    else if (field === 2 && wireType === I64) bound = readDouble(r, bEnd, 'Bucket.upper_bound');
    else if (field === 4 && wireType === I64)
      countFloat = readDouble(r, bEnd, 'Bucket.cumulative_count_float');
    else r.skip(wireType, bEnd, field);
  }
  return [bound, countFloat ?? count];
}
