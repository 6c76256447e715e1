import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryEngine } from '../../src/query/query-engine.js';
import { QueryError } from '../../src/query/query-error.js';
import type { QueryResult } from '../../src/query/query-result.js';
import { type SeriesSamples, staleNaN } from '../../src/store/series-store.js';

/** An engine under test over a store the suite fills once, whose clock reads `now` (a whole minute). */
export interface EngineUnderTest {
  readonly engine: QueryEngine;
  readonly now: number;
  /** Stores samples; the engine reads them once it resolves. */
  load(batch: readonly SeriesSamples[]): Promise<void>;
  close(): Promise<void>;
}

const S = 1000;
const MIN = 60_000;

/** Counters rising by 1, 2 and 3 every 15 s for an hour up to `now`, and a gauge that ended 10 minutes ago. */
function workload(now: number): SeriesSamples[] {
  const t0 = now - 60 * MIN;
  const steps = Array.from({ length: 241 }, (_, i) => i);
  const counter = (labels: Record<string, string>, slope: number): SeriesSamples => ({
    labels: { __name__: 'http_requests_total', ...labels },
    timestamps: steps.map((i) => t0 + i * 15 * S),
    values: Float64Array.from(steps, (i) => slope * i),
  });
  const gaugeSteps = steps.filter((i) => i <= 200);
  const temperature = Float64Array.from(gaugeSteps, (i) => 20 + (i % 4));
  temperature[200] = staleNaN();
  return [
    counter({ job: 'api', instance: 'a' }, 1),
    counter({ job: 'api', instance: 'b' }, 2),
    counter({ job: 'web', instance: 'c' }, 3),
    {
      labels: { __name__: 'temperature', room: 'k' },
      timestamps: gaugeSteps.map((i) => t0 + i * 15 * S),
      values: temperature,
    },
  ];
}

function vector(result: QueryResult) {
  if (result.resultType !== 'vector') throw new Error(`expected a vector, got ${result.resultType}`);
  return result;
}

function matrix(result: QueryResult) {
  if (result.resultType !== 'matrix') throw new Error(`expected a matrix, got ${result.resultType}`);
  return result;
}

/**
 * What every QueryEngine must answer alike, whoever evaluates the PromQL: the embedded PromqlEngine
 * over a store, or a remote engine over its Prometheus API (vigil itself in the tests). Results are
 * typed values with labels, times in ms and Go's special floats; failures are QueryErrors whose
 * `type` is the API's errorType; annotations come beside the data.
 */
export function describeQueryEngine(name: string, open: () => Promise<EngineUnderTest>): void {
  describe(`QueryEngine conformance: ${name}`, () => {
    let t: EngineUnderTest;
    beforeAll(async () => {
      t = await open();
      await t.load(workload(t.now));
    }, 60_000);
    afterAll(() => t?.close());

    it('answers an instant selector with each series, its labels and its value at the time', async () => {
      const result = vector(await t.engine.instantQuery('http_requests_total{job="api"}', t.now));
      expect(result.timeMs).toBe(t.now);
      const byInstance = Object.fromEntries(result.result.map((s) => [s.metric.instance, s]));
      expect(Object.keys(byInstance).sort()).toEqual(['a', 'b']);
      expect(byInstance.a!.metric).toEqual({ __name__: 'http_requests_total', job: 'api', instance: 'a' });
      expect(byInstance.a!.value).toBe(240);
      expect(byInstance.b!.value).toBe(480);
    });

    it('evaluates rate and aggregation as Prometheus does, names dropped', async () => {
      const result = vector(
        await t.engine.instantQuery('sum by (job) (rate(http_requests_total[5m]))', t.now),
      );
      const byJob = Object.fromEntries(result.result.map((s) => [s.metric.job, s]));
      expect(result.result.map((s) => s.metric).sort((a, b) => (a.job! < b.job! ? -1 : 1))).toEqual([
        { job: 'api' },
        { job: 'web' },
      ]);
      expect(byJob.api!.value).toBeCloseTo(3 / 15, 12);
      expect(byJob.web!.value).toBeCloseTo(3 / 15, 12);
    });

    it('keeps the order sort_desc gives', async () => {
      const result = vector(await t.engine.instantQuery('sort_desc(http_requests_total)', t.now));
      expect(result.result.map((s) => s.metric.instance)).toEqual(['c', 'b', 'a']);
    });

    it('answers scalars, strings and special floats with their types', async () => {
      expect(await t.engine.instantQuery('1 + 2', t.now)).toMatchObject({
        resultType: 'scalar',
        timeMs: t.now,
        value: 3,
      });
      expect(await t.engine.instantQuery('"vigil"', t.now)).toMatchObject({
        resultType: 'string',
        timeMs: t.now,
        value: 'vigil',
      });
      const special = vector(
        await t.engine.instantQuery(
          'label_replace(vector(1) / 0, "v", "inf", "", "") or label_replace(-vector(1) / 0, "v", "-inf", "", "") or label_replace(vector(0) / 0, "v", "nan", "", "") or label_replace(vector(-0.1), "v", "tenth", "", "")',
          t.now,
        ),
      );
      const byV = Object.fromEntries(special.result.map((s) => [s.metric.v, s.value]));
      expect(byV).toEqual({ inf: Infinity, '-inf': -Infinity, nan: Number.NaN, tenth: -0.1 });
    });

    it('forgets a series after its staleness marker, and finds it before', async () => {
      expect(vector(await t.engine.instantQuery('temperature', t.now)).result).toEqual([]);
      const before = vector(await t.engine.instantQuery('temperature', t.now - 20 * MIN));
      expect(before.result.map((s) => [s.metric, s.value])).toEqual([
        [{ __name__: 'temperature', room: 'k' }, 20 + (160 % 4)],
      ]);
    });

    it('answers a range query with a point at each step from start, in ms', async () => {
      const start = t.now - 10 * MIN;
      const result = matrix(
        await t.engine.rangeQuery('http_requests_total{instance="a"}', start, t.now, MIN),
      );
      expect(result.result).toHaveLength(1);
      const [series] = result.result;
      expect(series!.metric).toEqual({ __name__: 'http_requests_total', job: 'api', instance: 'a' });
      expect([...series!.timesMs]).toEqual(Array.from({ length: 11 }, (_, k) => start + k * MIN));
      expect([...series!.values]).toEqual(Array.from({ length: 11 }, (_, k) => 200 + 4 * k));
    });

    it('answers nothing stored with an empty vector or matrix', async () => {
      expect(await t.engine.instantQuery('no_such_metric', t.now)).toMatchObject({
        resultType: 'vector',
        timeMs: t.now,
        result: [],
      });
      expect(await t.engine.rangeQuery('no_such_metric', t.now - 10 * MIN, t.now, MIN)).toMatchObject({
        resultType: 'matrix',
        result: [],
      });
    });

    it('refuses a malformed query as bad_data and a many-to-many match as execution', async () => {
      const parse = await t.engine.instantQuery('sum(', t.now).catch((e: unknown) => e);
      expect(parse).toBeInstanceOf(QueryError);
      expect((parse as QueryError).type).toBe('bad_data');
      const many = await t.engine
        .instantQuery('http_requests_total + on(job) http_requests_total', t.now)
        .catch((e: unknown) => e);
      expect(many).toBeInstanceOf(QueryError);
      expect((many as QueryError).type).toBe('execution');
      expect((many as QueryError).message).toMatch(/many-to-many/);
    });

    it('says beside the data what Prometheus would annotate', async () => {
      const result = await t.engine.instantQuery('rate(temperature[5m])', t.now - 20 * MIN);
      expect(vector(result).result).toHaveLength(1);
      expect(result.infos).toEqual([
        expect.stringMatching(
          /^PromQL info: metric might not be a counter, name does not end in _total.*"temperature"/,
        ),
      ]);
    });
  });
}
