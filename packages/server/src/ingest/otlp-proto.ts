import { unzigzag } from './histogram-proto.js';
import {
  attributeText,
  type ExponentialBuckets,
  type ExponentialHistogramPoint,
  type HistogramPoint,
  NO_RECORDED_VALUE,
  type NumberPoint,
  type OtlpAttributes,
  type OtlpMetric,
  type OtlpRequest,
  type OtlpResource,
  type SummaryPoint,
  temporalityOf,
} from './otlp-request.js';
import { I64, LEN, ProtoReader, VARINT } from './proto-reader.js';

// Field numbers of opentelemetry-proto's metrics/v1, common/v1 and resource/v1 messages.
const REQUEST_RESOURCE_METRICS = 1;
const RESOURCE_METRICS_RESOURCE = 1;
const RESOURCE_METRICS_SCOPE_METRICS = 2;
const RESOURCE_ATTRIBUTES = 1;
const SCOPE_METRICS_METRICS = 2;
const METRIC_NAME = 1;
const METRIC_DESCRIPTION = 2;
const METRIC_UNIT = 3;
const METRIC_GAUGE = 5;
const METRIC_SUM = 7;
const METRIC_HISTOGRAM = 9;
const METRIC_EXPONENTIAL_HISTOGRAM = 10;
const METRIC_SUMMARY = 11;
const DATA_POINTS = 1;
const TEMPORALITY = 2;
const SUM_IS_MONOTONIC = 3;
const KEY_VALUE_KEY = 1;
const KEY_VALUE_VALUE = 2;

// ignoreBOM: a label value may start with U+FEFF, and the bytes sent are the bytes stored.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** A protobuf `ExportMetricsServiceRequest`; throws an IngestError naming the byte that is wrong. */
export function decodeOtlpProto(body: Uint8Array): OtlpRequest {
  // A Buffer over the same bytes, for keyValue's latin1 keys.
  const r = new ProtoReader(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  const resources: OtlpResource[] = [];
  each(r, body.length, (field, wire, end) => {
    if (field === REQUEST_RESOURCE_METRICS && wire === LEN) resources.push(resourceMetrics(r, end));
    else return false;
    return true;
  });
  return { resources };
}

/**
 * Calls `read` for every field of the message that ends at `end`, with the end of a LEN field's
 * contents; a field `read` does not take (returns false) is skipped.
 */
function each(
  r: ProtoReader,
  end: number,
  read: (field: number, wire: number, fieldEnd: number) => boolean,
): void {
  while (r.pos < end) {
    const key = r.varint(end, 'field key');
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === LEN) {
      const length = r.length(end, `field ${field}`);
      const fieldEnd = r.pos + length;
      if (!read(field, wire, fieldEnd)) r.pos = fieldEnd;
      else if (r.pos !== fieldEnd) throw r.malformed(`field ${field} overran its length`, r.pos);
    } else if (!read(field, wire, end)) r.skip(wire, end, field);
  }
}

function resourceMetrics(r: ProtoReader, end: number): OtlpResource {
  let attributes: OtlpAttributes = [];
  const metrics: OtlpMetric[] = [];
  each(r, end, (field, wire, fieldEnd) => {
    if (wire !== LEN) return false;
    if (field === RESOURCE_METRICS_RESOURCE) {
      const list: (readonly [string, string])[] = [];
      each(r, fieldEnd, (f, w, e) => {
        if (f !== RESOURCE_ATTRIBUTES || w !== LEN) return false;
        list.push(keyValue(r, e));
        return true;
      });
      attributes = list;
      return true;
    }
    if (field === RESOURCE_METRICS_SCOPE_METRICS) {
      each(r, fieldEnd, (f, w, e) => {
        if (f !== SCOPE_METRICS_METRICS || w !== LEN) return false;
        metrics.push(metric(r, e));
        return true;
      });
      return true;
    }
    return false;
  });
  return { attributes, metrics };
}

function metric(r: ProtoReader, end: number): OtlpMetric {
  let name = '';
  let description = '';
  let unit = '';
  let data: OtlpMetric | undefined;
  each(r, end, (field, wire, fieldEnd) => {
    if (wire !== LEN) return false;
    switch (field) {
      case METRIC_NAME:
        name = text(r, fieldEnd);
        return true;
      case METRIC_DESCRIPTION:
        description = text(r, fieldEnd);
        return true;
      case METRIC_UNIT:
        unit = text(r, fieldEnd);
        return true;
      case METRIC_GAUGE:
      case METRIC_SUM:
      case METRIC_HISTOGRAM:
      case METRIC_EXPONENTIAL_HISTOGRAM:
      case METRIC_SUMMARY:
        data = metricData(r, field, fieldEnd);
        return true;
      default:
        return false;
    }
  });
  const base = { name, description, unit };
  return data ? { ...data, ...base } : { ...base, type: 'empty' };
}

function metricData(r: ProtoReader, kind: number, end: number): OtlpMetric {
  let temporality = 0;
  let monotonic = false;
  const numbers: NumberPoint[] = [];
  const histograms: HistogramPoint[] = [];
  const summaries: SummaryPoint[] = [];
  const exponentials: ExponentialHistogramPoint[] = [];
  each(r, end, (field, wire, fieldEnd) => {
    if (field === DATA_POINTS && wire === LEN) {
      if (kind === METRIC_GAUGE || kind === METRIC_SUM) numbers.push(numberPoint(r, fieldEnd));
      else if (kind === METRIC_HISTOGRAM) histograms.push(histogramPoint(r, fieldEnd));
      else if (kind === METRIC_SUMMARY) summaries.push(summaryPoint(r, fieldEnd));
      else exponentials.push(exponentialPoint(r, fieldEnd));
      return true;
    }
    if (field === TEMPORALITY && wire === VARINT) temporality = r.varint(end, 'aggregation_temporality');
    else if (field === SUM_IS_MONOTONIC && wire === VARINT) monotonic = r.varint(end, 'is_monotonic') !== 0;
    else return false;
    return true;
  });
  const base = { name: '', description: '', unit: '' };
  switch (kind) {
    case METRIC_GAUGE:
      return { ...base, type: 'gauge', points: numbers };
    case METRIC_SUM:
      return { ...base, type: 'sum', monotonic, temporality: temporalityOf(temporality), points: numbers };
    case METRIC_HISTOGRAM:
      return { ...base, type: 'histogram', temporality: temporalityOf(temporality), points: histograms };
    case METRIC_SUMMARY:
      return { ...base, type: 'summary', points: summaries };
    default:
      return {
        ...base,
        type: 'exponential_histogram',
        temporality: temporalityOf(temporality),
        points: exponentials,
      };
  }
}

/** Fields every data point has, at the numbers each message gives them. */
interface PointFields {
  attributes: (readonly [string, string])[];
  startMs: number;
  timeMs: number;
  flags: number;
}

function pointField(
  r: ProtoReader,
  p: PointFields,
  attributesField: number,
  flagsField: number,
  field: number,
  wire: number,
  end: number,
): boolean {
  if (field === attributesField && wire === LEN) p.attributes.push(keyValue(r, end));
  else if (field === 2 && wire === I64) p.startMs = nanosToMs(r, end);
  else if (field === 3 && wire === I64) p.timeMs = nanosToMs(r, end);
  else if (field === flagsField && wire === VARINT) p.flags = r.varint(end, 'flags');
  else return false;
  return true;
}

function numberPoint(r: ProtoReader, end: number): NumberPoint {
  const p: PointFields = { attributes: [], startMs: 0, timeMs: 0, flags: 0 };
  let value = 0;
  each(r, end, (field, wire, fieldEnd) => {
    if (pointField(r, p, 7, 8, field, wire, fieldEnd)) return true;
    if (field === 4 && wire === I64) value = float64(r, end);
    else if (field === 6 && wire === I64) value = int64(r, end);
    else return false;
    return true;
  });
  // Written out rather than spread from point(p): one object per data point, the common case.
  return {
    attributes: p.attributes,
    startMs: p.startMs,
    timeMs: p.timeMs,
    noValue: (p.flags & NO_RECORDED_VALUE) !== 0,
    value,
  };
}

function histogramPoint(r: ProtoReader, end: number): HistogramPoint {
  const p: PointFields = { attributes: [], startMs: 0, timeMs: 0, flags: 0 };
  let count = 0;
  let sum: number | undefined;
  const bucketCounts: number[] = [];
  const bounds: number[] = [];
  each(r, end, (field, wire, fieldEnd) => {
    if (pointField(r, p, 9, 10, field, wire, fieldEnd)) return true;
    if (field === 4 && wire === I64) count = uint64(r, end);
    else if (field === 5 && wire === I64) sum = float64(r, end);
    else if (field === 6 && wire === LEN) while (r.pos < fieldEnd) bucketCounts.push(uint64(r, fieldEnd));
    else if (field === 6 && wire === I64) bucketCounts.push(uint64(r, end));
    else if (field === 7 && wire === LEN) while (r.pos < fieldEnd) bounds.push(float64(r, fieldEnd));
    else if (field === 7 && wire === I64) bounds.push(float64(r, end));
    else return false;
    return true;
  });
  return { ...point(p), count, sum, bucketCounts, bounds };
}

function exponentialPoint(r: ProtoReader, end: number): ExponentialHistogramPoint {
  const p: PointFields = { attributes: [], startMs: 0, timeMs: 0, flags: 0 };
  let count = 0;
  let sum: number | undefined;
  let scale = 0;
  let zeroCount = 0;
  let positive: ExponentialBuckets = { offset: 0, counts: [] };
  let negative: ExponentialBuckets = { offset: 0, counts: [] };
  each(r, end, (field, wire, fieldEnd) => {
    if (pointField(r, p, 1, 10, field, wire, fieldEnd)) return true;
    if (field === 4 && wire === I64) count = uint64(r, end);
    else if (field === 5 && wire === I64) sum = float64(r, end);
    else if (field === 6 && wire === VARINT) scale = unzigzag(r.varint(end, 'scale'));
    else if (field === 7 && wire === I64) zeroCount = uint64(r, end);
    else if (field === 8 && wire === LEN) positive = buckets(r, fieldEnd);
    else if (field === 9 && wire === LEN) negative = buckets(r, fieldEnd);
    else return false;
    return true;
  });
  return { ...point(p), count, sum, scale, zeroCount, positive, negative };
}

/** `Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; }`, the counts packed or not. */
function buckets(r: ProtoReader, end: number): ExponentialBuckets {
  let offset = 0;
  const counts: number[] = [];
  each(r, end, (field, wire, fieldEnd) => {
    if (field === 1 && wire === VARINT) offset = unzigzag(r.varint(end, 'Buckets.offset'));
    else if (field === 2 && wire === VARINT) counts.push(r.varint(end, 'Buckets.bucket_counts'));
    else if (field === 2 && wire === LEN)
      while (r.pos < fieldEnd) counts.push(r.varint(fieldEnd, 'Buckets.bucket_counts'));
    else return false;
    return true;
  });
  return { offset, counts };
}

function summaryPoint(r: ProtoReader, end: number): SummaryPoint {
  const p: PointFields = { attributes: [], startMs: 0, timeMs: 0, flags: 0 };
  let count = 0;
  let sum = 0;
  const quantiles: [number, number][] = [];
  each(r, end, (field, wire, fieldEnd) => {
    if (pointField(r, p, 7, 8, field, wire, fieldEnd)) return true;
    if (field === 4 && wire === I64) count = uint64(r, end);
    else if (field === 5 && wire === I64) sum = float64(r, end);
    else if (field === 6 && wire === LEN) {
      const q: [number, number] = [0, 0];
      each(r, fieldEnd, (f, w) => {
        if (w !== I64 || (f !== 1 && f !== 2)) return false;
        q[f - 1] = float64(r, fieldEnd);
        return true;
      });
      quantiles.push(q);
    } else return false;
    return true;
  });
  return { ...point(p), count, sum, quantiles };
}

function point(p: PointFields) {
  return {
    attributes: p.attributes,
    startMs: p.startMs,
    timeMs: p.timeMs,
    noValue: (p.flags & NO_RECORDED_VALUE) !== 0,
  };
}

/** Short KeyValues as their bytes (latin1) → the pair they decode to. */
const KEY_VALUES = new Map<string, readonly [string, string]>();
const KEY_VALUE_CACHE_SIZE = 16_384;
const KEY_VALUE_CACHE_BYTES = 128;

/**
 * An attribute as [key, text]. The same attributes come with every point and every export
 * (`http.route="/a"`, the service's own), so a short one is looked up by its bytes and the decoded
 * pair, the same strings each time, is shared: a Map lookup instead of two UTF-8 decodes and the
 * AnyValue walk (bench/otlp-ingest.js). The pair is never mutated.
 */
function keyValue(r: ProtoReader, end: number): readonly [string, string] {
  const start = r.pos;
  if (end - start > KEY_VALUE_CACHE_BYTES) return decodeKeyValue(r, end);
  const bytes = (r.buf as Buffer).toString('latin1', start, end);
  let pair = KEY_VALUES.get(bytes);
  if (pair === undefined) {
    pair = decodeKeyValue(r, end);
    if (KEY_VALUES.size >= KEY_VALUE_CACHE_SIZE) KEY_VALUES.clear();
    KEY_VALUES.set(bytes, pair);
  }
  r.pos = end;
  return pair;
}

function decodeKeyValue(r: ProtoReader, end: number): readonly [string, string] {
  let key = '';
  let value: unknown;
  each(r, end, (field, wire, fieldEnd) => {
    if (wire !== LEN) return false;
    if (field === KEY_VALUE_KEY) key = text(r, fieldEnd);
    else if (field === KEY_VALUE_VALUE) value = anyValue(r, fieldEnd);
    else return false;
    return true;
  });
  return [key, attributeText(value)];
}

/** An AnyValue as a plain JS value (arrays and maps nested), for attributeText. */
function anyValue(r: ProtoReader, end: number): unknown {
  let value: unknown;
  each(r, end, (field, wire, fieldEnd) => {
    if (field === 1 && wire === LEN) value = text(r, fieldEnd);
    else if (field === 2 && wire === VARINT) value = r.varint(end, 'bool_value') !== 0;
    else if (field === 3 && wire === VARINT) value = r.int64(end, 'int_value');
    else if (field === 4 && wire === I64) value = float64(r, end);
    else if (field === 5 && wire === LEN) {
      const values: unknown[] = [];
      each(r, fieldEnd, (f, w, e) => {
        if (f !== 1 || w !== LEN) return false;
        values.push(anyValue(r, e));
        return true;
      });
      value = values;
    } else if (field === 6 && wire === LEN) {
      const map: Record<string, unknown> = {};
      each(r, fieldEnd, (f, w, e) => {
        if (f !== 1 || w !== LEN) return false;
        let k = '';
        let v: unknown;
        each(r, e, (f2, w2, e2) => {
          if (w2 !== LEN) return false;
          if (f2 === 1) k = text(r, e2);
          else if (f2 === 2) v = anyValue(r, e2);
          else return false;
          return true;
        });
        map[k] = v;
        return true;
      });
      value = map;
    } else if (field === 7 && wire === LEN) {
      value = Buffer.from(r.buf.subarray(r.pos, fieldEnd)).toString('base64');
      r.pos = fieldEnd;
    } else return false;
    return true;
  });
  return value;
}

function text(r: ProtoReader, end: number): string {
  const s = utf8.decode(r.buf.subarray(r.pos, end));
  r.pos = end;
  return s;
}

function fixed(r: ProtoReader, end: number, width: number): number {
  if (r.pos + width > end) throw r.malformed('truncated fixed-width field', r.pos);
  const at = r.pos;
  r.pos += width;
  return at;
}

function float64(r: ProtoReader, end: number): number {
  return r.view.getFloat64(fixed(r, end, 8), true);
}

function uint64(r: ProtoReader, end: number): number {
  const at = fixed(r, end, 8);
  return r.view.getUint32(at + 4, true) * 4294967296 + r.view.getUint32(at, true);
}

function int64(r: ProtoReader, end: number): number {
  const at = fixed(r, end, 8);
  return r.view.getInt32(at + 4, true) * 4294967296 + r.view.getUint32(at, true);
}

/**
 * fixed64 nanoseconds to whole milliseconds, exactly, without a BigInt: with ns = hi·2^32 + lo and
 * 2^32 = 4294·10^6 + 967296, ms = hi·4294 + ⌊(hi·967296 + lo) / 10^6⌋, every term below 2^53.
 */
function nanosToMs(r: ProtoReader, end: number): number {
  const at = fixed(r, end, 8);
  const lo = r.view.getUint32(at, true);
  const hi = r.view.getUint32(at + 4, true);
  return hi * 4294 + Math.floor((hi * 967296 + lo) / 1_000_000);
}
