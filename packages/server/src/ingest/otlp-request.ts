import { IngestError } from './ingest-error.js';

/**
 * An OTLP `ExportMetricsServiceRequest` (opentelemetry-proto, metrics/v1), read from protobuf
 * (otlp-proto.ts) or OTLP/JSON (here) into one shape. Times are milliseconds since the epoch;
 * attribute values are already text, as Prometheus writes them into labels.
 */
export interface OtlpRequest {
  readonly resources: readonly OtlpResource[];
}

/** Attribute key and value text, in the order they came. */
export type OtlpAttributes = readonly (readonly [string, string])[];

export interface OtlpResource {
  readonly attributes: OtlpAttributes;
  readonly metrics: readonly OtlpMetric[];
}

export type Temporality = 'delta' | 'cumulative' | 'unspecified';

export type OtlpMetric =
  | (MetricBase & { readonly type: 'gauge'; readonly points: readonly NumberPoint[] })
  | (MetricBase & {
      readonly type: 'sum';
      readonly monotonic: boolean;
      readonly temporality: Temporality;
      readonly points: readonly NumberPoint[];
    })
  | (MetricBase & {
      readonly type: 'histogram';
      readonly temporality: Temporality;
      readonly points: readonly HistogramPoint[];
    })
  | (MetricBase & {
      readonly type: 'exponential_histogram';
      readonly temporality: Temporality;
      readonly points: readonly ExponentialHistogramPoint[];
    })
  | (MetricBase & { readonly type: 'summary'; readonly points: readonly SummaryPoint[] })
  | (MetricBase & { readonly type: 'empty' });

interface MetricBase {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
}

interface PointBase {
  readonly attributes: OtlpAttributes;
  /** 0 when the point has none. */
  readonly startMs: number;
  readonly timeMs: number;
  /** The point carries no value (DataPointFlags.NO_RECORDED_VALUE): written as a staleness marker. */
  readonly noValue: boolean;
}

export interface NumberPoint extends PointBase {
  readonly value: number;
}

export interface HistogramPoint extends PointBase {
  readonly count: number;
  readonly sum: number | undefined;
  /** Per-bucket counts, one more than `bounds`. */
  readonly bucketCounts: readonly number[];
  readonly bounds: readonly number[];
}

/**
 * Bucket `i` of scale `s` covers `(base^i, base^(i+1)]`, `base = 2^(2^-s)`; `counts[k]` is bucket
 * `offset + k`'s count.
 */
export interface ExponentialBuckets {
  readonly offset: number;
  readonly counts: readonly number[];
}

export interface ExponentialHistogramPoint extends PointBase {
  readonly count: number;
  readonly sum: number | undefined;
  readonly scale: number;
  readonly zeroCount: number;
  readonly positive: ExponentialBuckets;
  readonly negative: ExponentialBuckets;
}

export interface SummaryPoint extends PointBase {
  readonly count: number;
  readonly sum: number;
  readonly quantiles: readonly (readonly [quantile: number, value: number])[];
}

export const NO_RECORDED_VALUE = 1;

export function temporalityOf(n: number): Temporality {
  return n === 1 ? 'delta' : n === 2 ? 'cumulative' : 'unspecified';
}

/**
 * An attribute value as Prometheus's OTLP translation writes it into a label (pcommon AsString):
 * strings as they are, booleans and numbers as text, arrays and maps as JSON.
 */
export function attributeText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : goFixed(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A float as Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest digits, never an exponent. */
export function goFixed(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const text = String(v);
  if (!text.includes('e')) return text;
  const [mantissa, exponentText] = text.split('e') as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const point = (mantissa.replace(/^-/, '').indexOf('.') + 1 || digits.length + 1) - 1 + exponent;
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${body}` : body;
}

/**
 * OTLP/JSON (opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): lowerCamelCase fields,
 * 64-bit integers as strings or numbers, enums as integers. Throws an IngestError naming the field.
 */
export function parseOtlpJson(text: string): OtlpRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new IngestError('bad_otlp', `OTLP/JSON: ${(error as Error).message}`, { cause: error });
  }
  const root = object(doc, 'the request');
  return {
    resources: array(root.resourceMetrics, 'resourceMetrics').map((r, i) => {
      const at = `resourceMetrics[${i}]`;
      const rm = object(r, at);
      const resource = rm.resource === undefined ? {} : object(rm.resource, `${at}.resource`);
      return {
        attributes: jsonAttributes(resource.attributes, `${at}.resource.attributes`),
        metrics: array(rm.scopeMetrics, `${at}.scopeMetrics`).flatMap((s, j) =>
          array(object(s, `${at}.scopeMetrics[${j}]`).metrics, `${at}.scopeMetrics[${j}].metrics`).map(
            (m, k) => jsonMetric(m, `${at}.scopeMetrics[${j}].metrics[${k}]`),
          ),
        ),
      };
    }),
  };
}

function jsonMetric(m: unknown, at: string): OtlpMetric {
  const metric = object(m, at);
  const base = {
    name: string(metric.name, `${at}.name`),
    description: string(metric.description, `${at}.description`),
    unit: string(metric.unit, `${at}.unit`),
  };
  if (metric.gauge !== undefined) {
    const g = object(metric.gauge, `${at}.gauge`);
    return { ...base, type: 'gauge', points: jsonPoints(g.dataPoints, `${at}.gauge`, jsonNumberPoint) };
  }
  if (metric.sum !== undefined) {
    const s = object(metric.sum, `${at}.sum`);
    return {
      ...base,
      type: 'sum',
      monotonic: s.isMonotonic === true,
      temporality: temporalityOf(integer(s.aggregationTemporality, `${at}.sum.aggregationTemporality`)),
      points: jsonPoints(s.dataPoints, `${at}.sum`, jsonNumberPoint),
    };
  }
  if (metric.histogram !== undefined) {
    const h = object(metric.histogram, `${at}.histogram`);
    return {
      ...base,
      type: 'histogram',
      temporality: temporalityOf(integer(h.aggregationTemporality, `${at}.histogram.aggregationTemporality`)),
      points: jsonPoints(h.dataPoints, `${at}.histogram`, (p, where) => ({
        ...jsonPointBase(p, where),
        count: integer(p.count, `${where}.count`),
        sum: p.sum === undefined || p.sum === null ? undefined : double(p.sum, `${where}.sum`),
        bucketCounts: array(p.bucketCounts, `${where}.bucketCounts`).map((c, i) =>
          integer(c, `${where}.bucketCounts[${i}]`),
        ),
        bounds: array(p.explicitBounds, `${where}.explicitBounds`).map((b, i) =>
          double(b, `${where}.explicitBounds[${i}]`),
        ),
      })),
    };
  }
  if (metric.exponentialHistogram !== undefined) {
    const e = object(metric.exponentialHistogram, `${at}.exponentialHistogram`);
    return {
      ...base,
      type: 'exponential_histogram',
      temporality: temporalityOf(
        integer(e.aggregationTemporality, `${at}.exponentialHistogram.aggregationTemporality`),
      ),
      points: jsonPoints(e.dataPoints, `${at}.exponentialHistogram`, (p, where) => ({
        ...jsonPointBase(p, where),
        count: integer(p.count, `${where}.count`),
        sum: p.sum === undefined || p.sum === null ? undefined : double(p.sum, `${where}.sum`),
        scale: integer(p.scale, `${where}.scale`),
        zeroCount: integer(p.zeroCount, `${where}.zeroCount`),
        positive: jsonBuckets(p.positive, `${where}.positive`),
        negative: jsonBuckets(p.negative, `${where}.negative`),
      })),
    };
  }
  if (metric.summary !== undefined) {
    const s = object(metric.summary, `${at}.summary`);
    return {
      ...base,
      type: 'summary',
      points: jsonPoints(s.dataPoints, `${at}.summary`, (p, where) => ({
        ...jsonPointBase(p, where),
        count: integer(p.count, `${where}.count`),
        sum: double(p.sum, `${where}.sum`),
        quantiles: array(p.quantileValues, `${where}.quantileValues`).map((q, i) => {
          const qv = object(q, `${where}.quantileValues[${i}]`);
          return [double(qv.quantile, `${where}.quantile`), double(qv.value, `${where}.value`)] as const;
        }),
      })),
    };
  }
  return { ...base, type: 'empty' };
}

function jsonPoints<T>(
  points: unknown,
  at: string,
  read: (p: Record<string, unknown>, where: string) => T,
): T[] {
  return array(points, `${at}.dataPoints`).map((p, i) => {
    const where = `${at}.dataPoints[${i}]`;
    return read(object(p, where), where);
  });
}

function jsonBuckets(v: unknown, at: string): ExponentialBuckets {
  if (v === undefined || v === null) return { offset: 0, counts: [] };
  const b = object(v, at);
  return {
    offset: integer(b.offset, `${at}.offset`),
    counts: array(b.bucketCounts, `${at}.bucketCounts`).map((c, i) => integer(c, `${at}.bucketCounts[${i}]`)),
  };
}

function jsonNumberPoint(p: Record<string, unknown>, where: string): NumberPoint {
  const value =
    p.asDouble !== undefined
      ? double(p.asDouble, `${where}.asDouble`)
      : p.asInt !== undefined
        ? integer(p.asInt, `${where}.asInt`)
        : 0;
  return { ...jsonPointBase(p, where), value };
}

function jsonPointBase(p: Record<string, unknown>, where: string) {
  return {
    attributes: jsonAttributes(p.attributes, `${where}.attributes`),
    startMs: nanosToMs(p.startTimeUnixNano, `${where}.startTimeUnixNano`),
    timeMs: nanosToMs(p.timeUnixNano, `${where}.timeUnixNano`),
    noValue: (integer(p.flags, `${where}.flags`) & NO_RECORDED_VALUE) !== 0,
  };
}

function jsonAttributes(list: unknown, at: string): OtlpAttributes {
  return array(list, at).map((kv, i) => {
    const pair = object(kv, `${at}[${i}]`);
    return [string(pair.key, `${at}[${i}].key`), attributeText(jsonAnyValue(pair.value))] as const;
  });
}

/** An AnyValue as a plain JS value: `{stringValue}`, `{intValue: "5"}`, `{arrayValue: {values}}`... */
function jsonAnyValue(v: unknown): unknown {
  if (v === undefined || v === null || typeof v !== 'object') return undefined;
  const any = v as Record<string, unknown>;
  if ('stringValue' in any) return String(any.stringValue);
  if ('boolValue' in any) return any.boolValue === true;
  if ('intValue' in any) return BigInt(String(any.intValue));
  if ('doubleValue' in any) return Number(any.doubleValue);
  if ('bytesValue' in any) return String(any.bytesValue);
  if ('arrayValue' in any) {
    const values = (any.arrayValue as { values?: unknown[] } | null)?.values ?? [];
    return values.map((x) => jsonPlain(jsonAnyValue(x)));
  }
  if ('kvlistValue' in any) {
    const values = (any.kvlistValue as { values?: { key: string; value: unknown }[] } | null)?.values ?? [];
    return Object.fromEntries(values.map((kv) => [kv.key, jsonPlain(jsonAnyValue(kv.value))]));
  }
  return undefined;
}

function jsonPlain(v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

/** Nanoseconds (string or number) to whole milliseconds; 0 when absent. */
function nanosToMs(v: unknown, at: string): number {
  if (v === undefined || v === null || v === '' || v === 0 || v === '0') return 0;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(BigInt(v) / 1_000_000n);
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.floor(v / 1e6);
  throw bad(at, 'a count of nanoseconds');
}

function object(v: unknown, at: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(at, 'an object');
  return v as Record<string, unknown>;
}

function array(v: unknown, at: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(at, 'an array');
  return v;
}

function string(v: unknown, at: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw bad(at, 'a string');
  return v;
}

function integer(v: unknown, at: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  throw bad(at, 'an integer');
}

/** A double: a JSON number, or the strings "NaN", "Infinity", "-Infinity" of proto3's JSON mapping. */
function double(v: unknown, at: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw bad(at, 'a number');
}

function bad(at: string, expected: string): IngestError {
  return new IngestError('bad_otlp', `OTLP/JSON: ${at} must be ${expected}`);
}
