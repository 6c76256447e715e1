import { FloatHistogram } from '../query/float-histogram.js';
import { QueryError } from '../query/query-error.js';
import type { MatrixSeries, QueryResult, VectorSample } from '../query/query-result.js';
import type { SeriesLabels } from '../store/series-store.js';

type ApiPoint = [number, string];

/** A native histogram as the API writes it: `buckets` holds `[boundary rule, lower, upper, count]` of the non-empty buckets. */
interface ApiHistogram {
  count: string;
  sum: string;
  buckets?: [number, string, string, string][];
}
type ApiHistogramPoint = [number, ApiHistogram];

/** The `data` of a remote engine's query answer as JSON carries it. */
export type ApiQueryData =
  | { resultType: 'scalar' | 'string'; result: ApiPoint }
  | {
      resultType: 'vector';
      result: { metric: SeriesLabels; value?: ApiPoint; histogram?: ApiHistogramPoint }[];
    }
  | {
      resultType: 'matrix';
      result: { metric: SeriesLabels; values?: ApiPoint[]; histograms?: ApiHistogramPoint[] }[];
    };

/**
 * A remote engine's answer as typed values: `[seconds, "value"]` points back to ms and numbers, Go's
 * `+Inf`/`-Inf`/`NaN` included. `timeMs` is the instant the query asked for, which a vector's
 * points all carry.
 */
export function readQueryResult(data: ApiQueryData, timeMs: number): QueryResult {
  switch (data?.resultType) {
    case 'scalar':
      return {
        resultType: 'scalar',
        timeMs: secondsToMs(data.result[0]),
        value: parseApiValue(data.result[1]),
      };
    case 'string':
      return { resultType: 'string', timeMs: secondsToMs(data.result[0]), value: String(data.result[1]) };
    case 'vector': {
      const first = data.result[0];
      return {
        resultType: 'vector',
        timeMs: first ? secondsToMs((first.value ?? first.histogram)![0]) : timeMs,
        result: data.result.map(
          (s): VectorSample =>
            s.histogram
              ? { metric: s.metric, value: Number.NaN, histogram: readHistogram(s.histogram[1]) }
              : { metric: s.metric, value: parseApiValue(s.value![1]) },
        ),
      };
    }
    case 'matrix':
      return { resultType: 'matrix', result: data.result.map(readSeries) };
    default:
      throw new QueryError(
        'VIGIL_REMOTE_UNAVAILABLE',
        `the remote engine answered with an unknown result type ${JSON.stringify((data as { resultType?: unknown })?.resultType)}`,
      );
  }
}

function readSeries(s: {
  metric: SeriesLabels;
  values?: ApiPoint[];
  histograms?: ApiHistogramPoint[];
}): MatrixSeries {
  const points = s.values ?? [];
  const timesMs = new Float64Array(points.length);
  const values = new Float64Array(points.length);
  for (let i = 0; i < points.length; i++) {
    timesMs[i] = secondsToMs(points[i]![0]);
    values[i] = parseApiValue(points[i]![1]);
  }
  if (!s.histograms) return { metric: s.metric, timesMs, values };
  const histograms = {
    timesMs: Float64Array.from(s.histograms, (p) => secondsToMs(p[0])),
    values: s.histograms.map((p) => readHistogram(p[1])),
  };
  return { metric: s.metric, timesMs, values, histograms };
}

/**
 * A native histogram back from its buckets' bounds: bucket i of schema s is `(2^((i-1)/2^s),
 * 2^(i/2^s)]`, so the ratio of a bucket's bounds gives the schema and its upper bound the index (the
 * bounds are exact doubles, written with the digits that read back to them). The zero bucket is the
 * one around 0. Without any bucket but the zero one, the schema does not matter and is 0.
 */
function readHistogram(h: ApiHistogram): FloatHistogram {
  const buckets = h.buckets ?? [];
  let schema = 0;
  for (const [, lowerText, upperText] of buckets) {
    const lower = parseApiValue(lowerText);
    const upper = parseApiValue(upperText);
    if (lower > 0 || upper < 0) {
      schema = -Math.round(Math.log2(Math.log2(Math.max(lower / upper, upper / lower))));
      break;
    }
  }
  let zeroThreshold = 0;
  let zeroCount = 0;
  const positive = new Map<number, number>();
  const negative = new Map<number, number>();
  for (const [, lowerText, upperText, countText] of buckets) {
    const lower = parseApiValue(lowerText);
    const upper = parseApiValue(upperText);
    const count = parseApiValue(countText);
    if (lower > 0) positive.set(Math.round(Math.log2(upper) * 2 ** schema), count);
    else if (upper < 0) negative.set(Math.round(Math.log2(-lower) * 2 ** schema), count);
    else {
      zeroThreshold = upper;
      zeroCount = count;
    }
  }
  return FloatHistogram.fromBuckets(
    schema,
    zeroThreshold,
    zeroCount,
    parseApiValue(h.count),
    parseApiValue(h.sum),
    positive,
    negative,
  );
}

/** Seconds with up to millisecond decimals, as the API writes a timestamp, to exact ms. */
function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** A sample value as the API writes it (Go's FormatFloat), back to a number. */
function parseApiValue(text: string): number {
  return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}
