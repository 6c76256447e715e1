import { describe, expect, it } from 'vitest';
import { queryJson } from '../../src/http/query-json.js';
import type { QueryResult } from '../../src/query/query-result.js';
import type { NativeHistogram } from '../../src/store/native-histogram.js';
import { engineOverStore } from './engine-over-store.js';

/**
 * The `warnings` and `infos` of Prometheus 3's query API. The expected texts are those of
 * Prometheus's util/annotations package, with the position `(line:column)` of the expression each
 * is about, counted as Prometheus counts it (1-based, in bytes).
 */
const T0 = Date.UTC(2026, 0, 10, 12);
const S = 1000;

const histogram: NativeHistogram = {
  kind: 'int',
  schema: 0,
  zeroThreshold: 0.001,
  zeroCount: 0,
  count: 4,
  sum: 6,
  positiveSpans: [{ offset: 1, length: 1 }],
  positiveDeltas: [4],
  negativeSpans: [],
  negativeDeltas: [],
  counterResetHint: 'unknown',
} as NativeHistogram;

const promql = engineOverStore({
  now: T0 + 3_600_000,
  fill: async (store) => {
    const at = [0, 15, 30, 45, 60].map((t) => T0 + t * S);
    const series = (labels: Record<string, string>, values: number[]) => ({ labels, timestamps: at, values });
    await store.append([
      series({ __name__: 'temperature_celsius', room: 'a' }, [20, 21, 22, 21, 20]),
      series({ __name__: 'requests_total' }, [0, 5, 10, 15, 20]),
      series({ __name__: 'rpc_seconds_bucket', le: '0.1' }, [0, 2, 4, 6, 8]),
      series({ __name__: 'rpc_seconds_bucket', le: 'fast' }, [0, 1, 2, 3, 4]),
      series({ __name__: 'rpc_seconds_bucket', le: '+Inf' }, [0, 3, 6, 9, 12]),
      // A bucket lower than the one below it: the counts need fixing to be monotonic.
      series({ __name__: 'skewed_bucket', le: '1' }, [5, 5, 5, 5, 5]),
      series({ __name__: 'skewed_bucket', le: '2' }, [4, 4, 4, 4, 4]),
      series({ __name__: 'skewed_bucket', le: '+Inf' }, [6, 6, 6, 6, 6]),
      series({ __name__: 'mixed', kind: 'f' }, [1, 2, 3, 4, 5]),
    ]);
    await store.appendHistograms([
      { labels: { __name__: 'mixed', kind: 'h' }, timestamps: at, histograms: at.map(() => histogram) },
    ]);
  },
});

const at = T0 + 60 * S;

/** What the API answers beside `data`. */
function notes(result: QueryResult): { warnings?: string[]; infos?: string[] } {
  const { warnings, infos } = JSON.parse(queryJson(result).toString('utf8'));
  return { ...(warnings ? { warnings } : {}), ...(infos ? { infos } : {}) };
}

describe('annotations (warnings and infos) as Prometheus 3 answers them', () => {
  it('notes rate and increase of a metric whose name is not a counter’s, once per name', async () => {
    const info =
      'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "temperature_celsius"';
    expect(notes(await promql.engine.instantQuery('rate(temperature_celsius[1m])', at))).toEqual({
      infos: [`${info} (1:6)`],
    });
    // The series-by-series path of sum(rate(...)) notes it too, and a range query once.
    expect(
      notes(await promql.engine.instantQuery('sum by (room) (increase(temperature_celsius[1m]))', at)),
    ).toEqual({
      infos: [`${info} (1:25)`],
    });
    expect(
      notes(await promql.engine.rangeQuery('rate(temperature_celsius[1m]) > 0', at - 30 * S, at, 15 * S)),
    ).toEqual({ infos: [`${info} (1:6)`] });
    // A counter's name, a function that takes gauges, or no sample in the range: nothing to note.
    expect(notes(await promql.engine.instantQuery('rate(requests_total[1m])', at))).toEqual({});
    expect(notes(await promql.engine.instantQuery('deriv(temperature_celsius[1m])', at))).toEqual({});
    expect(notes(await promql.engine.instantQuery('rate(temperature_celsius[1m])', at + 3_600_000))).toEqual(
      {},
    );
    // The line and column of a query over several lines.
    expect(notes(await promql.engine.instantQuery('sum(\n  rate(temperature_celsius[1m])\n)', at))).toEqual({
      infos: [`${info} (2:8)`],
    });
  });

  it('warns of quantiles outside [0, 1] in histogram_quantile, quantile_over_time and quantile', async () => {
    expect(notes(await promql.engine.instantQuery('histogram_quantile(1.5, requests_total)', at))).toEqual({
      warnings: [
        'PromQL warning: quantile value should be between 0 and 1, got 1.5 (1:20)',
        'PromQL warning: bucket label "le" is missing or has a malformed value of "" for metric name "requests_total" (1:25)',
      ],
    });
    expect(notes(await promql.engine.instantQuery('quantile_over_time(-1, requests_total[1m])', at))).toEqual(
      {
        warnings: ['PromQL warning: quantile value should be between 0 and 1, got -1 (1:20)'],
      },
    );
    expect(notes(await promql.engine.instantQuery('quantile(1e6, requests_total)', at))).toEqual({
      warnings: ['PromQL warning: quantile value should be between 0 and 1, got 1e+06 (1:10)'],
    });
    expect(notes(await promql.engine.instantQuery('quantile(0.5, requests_total)', at))).toEqual({});
  });

  it('notes classic buckets with a malformed le and counts fixed to be monotonic', async () => {
    const result = await promql.engine.instantQuery('histogram_quantile(0.5, rpc_seconds_bucket)', at);
    expect(notes(result)).toEqual({
      warnings: [
        'PromQL warning: bucket label "le" is missing or has a malformed value of "fast" for metric name "rpc_seconds_bucket" (1:25)',
      ],
    });
    // The malformed bucket is left out: 6 of 12 observations are at or below 0.1.
    expect(result).toMatchObject({ result: [{ metric: {}, value: 0.1 * (6 / 8) }] });
    expect(notes(await promql.engine.instantQuery('histogram_quantile(0.5, skewed_bucket)', at))).toEqual({
      infos: [
        'PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name "skewed_bucket" (1:25)',
      ],
    });
  });

  it('notes histograms that an aggregation or a range function leaves out, and mixes it cannot add', async () => {
    expect(notes(await promql.engine.instantQuery('max(mixed)', at))).toEqual({
      infos: ['PromQL info: ignored histogram in max aggregation (1:5)'],
    });
    expect(notes(await promql.engine.instantQuery('topk(1, mixed)', at))).toEqual({
      infos: ['PromQL info: ignored histogram in topk aggregation (1:1)'],
    });
    expect(notes(await promql.engine.instantQuery('sum(mixed)', at))).toEqual({
      warnings: ['PromQL warning: encountered a mix of histograms and floats for aggregation (1:5)'],
    });
    expect(notes(await promql.engine.instantQuery('sum by (kind) (mixed)', at))).toEqual({});
  });

  it('writes them after data in the API answer, and nothing when there are none', async () => {
    const json = queryJson(await promql.engine.instantQuery('max(mixed)', at)).toString('utf8');
    expect(json).toMatch(/^\{"status":"success","data":\{.*\},"infos":\["PromQL info: ignored histogram/);
    expect(json).not.toContain('"warnings"');
    expect(queryJson(await promql.engine.instantQuery('requests_total', at)).toString('utf8')).not.toMatch(
      /warnings|infos/,
    );
  });
});
