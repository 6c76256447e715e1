import { QueryError } from '../query/query-error.js';
import type { MatrixSeries, QueryResult, VectorSample } from '../query/query-result.js';
import type { SeriesLabels } from '../store/series-store.js';

type ApiPoint = [number, string];

/** The `data` of a remote engine's query answer as JSON carries it. */
export type ApiQueryData =
  | { resultType: 'scalar' | 'string'; result: ApiPoint }
  | { resultType: 'vector'; result: { metric: SeriesLabels; value: ApiPoint }[] }
  | { resultType: 'matrix'; result: { metric: SeriesLabels; values?: ApiPoint[] }[] };

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
    case 'vector':
      return {
        resultType: 'vector',
        timeMs: data.result.length > 0 ? secondsToMs(data.result[0]!.value[0]) : timeMs,
        result: data.result.map(
          (s): VectorSample => ({ metric: s.metric, value: parseApiValue(s.value[1]) }),
        ),
      };
    case 'matrix':
      return { resultType: 'matrix', result: data.result.map(readSeries) };
    default:
      throw new QueryError(
        'VIGIL_REMOTE_UNAVAILABLE',
        `the remote engine answered with an unknown result type ${JSON.stringify((data as { resultType?: unknown })?.resultType)}`,
      );
  }
}

function readSeries(s: { metric: SeriesLabels; values?: ApiPoint[] }): MatrixSeries {
  const points = s.values ?? [];
  const timesMs = new Float64Array(points.length);
  const values = new Float64Array(points.length);
  for (let i = 0; i < points.length; i++) {
    timesMs[i] = secondsToMs(points[i]![0]);
    values[i] = parseApiValue(points[i]![1]);
  }
  return { metric: s.metric, timesMs, values };
}

/** Seconds with up to millisecond decimals, as the API writes a timestamp, to exact ms. */
function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** A sample value as the API writes it (Go's FormatFloat), back to a number. */
function parseApiValue(text: string): number {
  return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}
