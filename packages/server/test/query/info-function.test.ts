import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promqlString } from '../../src/query/format-promql.js';
import { parsePromql } from '../../src/query/parse.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { staleNaN } from '../../src/store/series-store.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

/**
 * Prometheus 3's experimental info(). Every expected label set is worked out from Prometheus's
 * documentation of the function (functions.md, "info()") and its metric-join rules: the info series
 * with the same `instance` and `job` lend their data labels, a label the series has wins, the newer
 * of two info series with one identity wins and two at the same time are an error.
 */
const T0 = Date.UTC(2026, 0, 12, 9);
const S = 1000;
const TIMES = [0, 15, 30, 45, 60].map((t) => T0 + t * S);
const at = T0 + 60 * S;
let store: SqliteStore;
let dir: string;
let engine: PromqlEngine;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-info-'));
  store = await openSqliteStore({ dir, clock: new ManualClock(T0 + 3_600_000) });
  const series = (labels: Record<string, string>, values: number[] | Float64Array, times = TIMES) => ({
    labels,
    timestamps: times,
    values,
  });
  // Set in place: a plain array of numbers does not keep the staleness marker's NaN bits.
  const ended = Float64Array.of(1, 1, 0);
  ended[2] = staleNaN();
  const ones = [1, 1, 1, 1, 1];
  await store.append([
    series(
      { __name__: 'http_requests_total', job: 'api', instance: 'a:1', code: '200' },
      [0, 15, 30, 45, 60],
    ),
    series(
      { __name__: 'http_requests_total', job: 'api', instance: 'b:1', code: '200' },
      [0, 30, 60, 90, 120],
    ),
    series({ __name__: 'http_requests_total', job: 'db', instance: 'c:1', code: '200' }, [5, 5, 5, 5, 5]),
    // code="500" is also on the series above: the series' own value stays.
    series(
      {
        __name__: 'target_info',
        job: 'api',
        instance: 'a:1',
        k8s_cluster_name: 'eu',
        version: '1.2',
        code: '500',
      },
      ones,
    ),
    series(
      { __name__: 'target_info', job: 'api', instance: 'b:1', k8s_cluster_name: 'us', version: '1.3' },
      ones,
    ),
    series({ __name__: 'build_info', job: 'api', instance: 'a:1', go_version: '1.24', version: '1.2' }, ones),
    series({ __name__: 'deploy_info', job: 'api', instance: 'b:1', version: '9' }, ones),
    // The web target's version changed at 45 s without a staleness marker: two target_info series.
    series({ __name__: 'up', job: 'web', instance: 'w:1' }, ones),
    series(
      { __name__: 'target_info', job: 'web', instance: 'w:1', version: '1' },
      [1, 1, 1],
      TIMES.slice(0, 3),
    ),
    series({ __name__: 'target_info', job: 'web', instance: 'w:1', version: '2' }, [1, 1], TIMES.slice(3)),
    // Two target_info series for one target, both scraped at the same times.
    series({ __name__: 'up', job: 'dup', instance: 'd:1' }, ones),
    series({ __name__: 'target_info', job: 'dup', instance: 'd:1', version: '1' }, ones),
    series({ __name__: 'target_info', job: 'dup', instance: 'd:1', version: '2' }, ones),
    // A target that went away: its target_info ended with a staleness marker at 30 s.
    series({ __name__: 'up', job: 'gone', instance: 'g:1' }, ones),
    series({ __name__: 'target_info', job: 'gone', instance: 'g:1', team: 'x' }, ended, TIMES.slice(0, 3)),
  ]);
  engine = new PromqlEngine({ store, experimentalFunctions: true });
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The answer's label sets (sorted for comparison) with their values. */
async function labelSets(query: string, time = at): Promise<Array<[Record<string, string>, number]>> {
  const result = await engine.instantQuery(query, time);
  if (result.resultType !== 'vector') throw new Error(`expected a vector, got ${result.resultType}`);
  return result.result
    .map((s): [Record<string, string>, number] => [s.metric, s.value])
    .sort((a, b) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0])));
}

const api = (instance: string, extra: Record<string, string> = {}) => ({
  __name__: 'http_requests_total',
  code: '200',
  instance,
  job: 'api',
  ...extra,
});
const db = { __name__: 'http_requests_total', code: '200', instance: 'c:1', job: 'db' };

describe('info()', () => {
  it('adds every data label of target_info by default; a label the series has keeps its value', async () => {
    expect(await labelSets('info(http_requests_total)')).toEqual([
      [api('a:1', { k8s_cluster_name: 'eu', version: '1.2' }), 60],
      [api('b:1', { k8s_cluster_name: 'us', version: '1.3' }), 120],
      // No target_info for job="db": the series passes unchanged.
      [db, 5],
    ]);
  });

  it('works on any expression that keeps the identifying labels, such as a rate', async () => {
    // a:1 grows 1/s, b:1 2/s; rate drops the name, info keeps what it is given.
    expect(await labelSets('info(rate(http_requests_total{job="api"}[1m]))')).toEqual([
      [{ code: '200', instance: 'a:1', job: 'api', k8s_cluster_name: 'eu', version: '1.2' }, 1],
      [{ code: '200', instance: 'b:1', job: 'api', k8s_cluster_name: 'us', version: '1.3' }, 2],
    ]);
  });

  it('with a data label selector adds only the labels it names, and drops series it cannot enrich', async () => {
    expect(await labelSets('info(http_requests_total, {k8s_cluster_name=~".+"})')).toEqual([
      [api('a:1', { k8s_cluster_name: 'eu' }), 60],
      [api('b:1', { k8s_cluster_name: 'us' }), 120],
    ]);
    // Only info series the matchers accept are considered: b:1's cluster is "us".
    expect(await labelSets('info(http_requests_total, {k8s_cluster_name="eu"})')).toEqual([
      [api('a:1', { k8s_cluster_name: 'eu' }), 60],
    ]);
    // A matcher that accepts the empty string keeps series without an info series, unchanged.
    expect(await labelSets('info(http_requests_total, {version=~".*"})')).toEqual([
      [api('a:1', { version: '1.2' }), 60],
      [api('b:1', { version: '1.3' }), 120],
      [db, 5],
    ]);
  });

  it('reads another info metric when the selector names it with __name__', async () => {
    expect(await labelSets('info(http_requests_total, {__name__="build_info"})')).toEqual([
      [api('a:1', { go_version: '1.24', version: '1.2' }), 60],
      // No build_info for b:1 nor c:1, and no data label required.
      [api('b:1'), 120],
      [db, 5],
    ]);
    // Several info metrics at once: the union of their data labels (version agrees for a:1).
    expect(
      await labelSets('info(http_requests_total{instance="a:1"}, {__name__=~"target_info|build_info"})'),
    ).toEqual([[api('a:1', { go_version: '1.24', k8s_cluster_name: 'eu', version: '1.2' }), 60]]);
  });

  it('takes every __name__ matcher at once, negated ones alone included, as promql/info.go does', async () => {
    // Both matchers choose the info metrics (build_info only) and say which input series are info
    // series: build_info passes unchanged, http_requests_total is enriched.
    expect(
      await labelSets(
        'info({__name__=~"http_requests_total|build_info", instance="a:1"}, {__name__=~".+_info", __name__!="target_info"})',
      ),
    ).toEqual([
      [{ __name__: 'build_info', go_version: '1.24', instance: 'a:1', job: 'api', version: '1.2' }, 1],
      [api('a:1', { go_version: '1.24', version: '1.2' }), 60],
    ]);
    // A negated matcher alone accepts http_requests_total as an info metric: the series passes
    // unchanged (it is not matched against *_info metrics in particular).
    expect(await labelSets('info(http_requests_total{instance="a:1"}, {__name__!="target_info"})')).toEqual([
      [api('a:1'), 60],
    ]);
  });

  it('a series that already has every data label keeps its values, but still needs an info series', async () => {
    // a:1's target_info says code="500": matched, and the series' own code="200" stays. b:1 has a
    // code too, but its target_info has none, so no info series is selected for it and the
    // required data label drops it, as db's missing target_info drops db.
    expect(await labelSets('info(http_requests_total, {code=~".+"})')).toEqual([[api('a:1'), 60]]);
  });

  it('two info metrics with different values for one data label are an error', async () => {
    await expect(
      engine.instantQuery(
        'info(http_requests_total{instance="b:1"}, {__name__=~"target_info|deploy_info"})',
        at,
      ),
    ).rejects.toMatchObject({ type: 'execution', message: 'conflicting label: version' });
  });

  it('returns the info series of its input unchanged', async () => {
    expect(await labelSets('info({__name__=~"http_requests_total|target_info", instance="b:1"})')).toEqual([
      [api('b:1', { k8s_cluster_name: 'us', version: '1.3' }), 120],
      [{ __name__: 'target_info', instance: 'b:1', job: 'api', k8s_cluster_name: 'us', version: '1.3' }, 1],
    ]);
  });

  it('takes the newer of two info series with the same identity', async () => {
    // At 60 s the version="2" series (samples at 45 and 60 s) is newer than version="1" (last at 30 s).
    expect(await labelSets('info(up{job="web"})')).toEqual([
      [{ __name__: 'up', instance: 'w:1', job: 'web', version: '2' }, 1],
    ]);
    // At 40 s only version="1" has a sample.
    expect(await labelSets('info(up{job="web"})', T0 + 40 * S)).toEqual([
      [{ __name__: 'up', instance: 'w:1', job: 'web', version: '1' }, 1],
    ]);
    // A range query changes the label where the target's version changed.
    const range = await engine.rangeQuery('info(up{job="web"})', T0, at, 15 * S);
    if (range.resultType !== 'matrix') throw new Error('expected a matrix');
    expect(range.result.map((s) => [s.metric.version, Array.from(s.timesMs, (t) => (t - T0) / S)])).toEqual([
      ['1', [0, 15, 30]],
      ['2', [45, 60]],
    ]);
  });

  it('reads the info series at the time its input is read (offset, @)', async () => {
    expect(await labelSets('info(up{job="web"} offset 30s)')).toEqual([
      [{ __name__: 'up', instance: 'w:1', job: 'web', version: '1' }, 1],
    ]);
    expect(await labelSets(`info(up{job="web"} @ ${(T0 + 15 * S) / 1000})`)).toEqual([
      [{ __name__: 'up', instance: 'w:1', job: 'web', version: '1' }, 1],
    ]);
  });

  it('two info series with one identity and the same sample time are an error, as in Prometheus', async () => {
    const error = await engine.instantQuery('info(up{job="dup"})', at).catch((e: Error) => e);
    expect(error).toMatchObject({ type: 'execution' });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^found duplicate series for info metric: existing \\{__name__="target_info", instance="d:1", job="dup", version="[12]"\\} @ ${at}, new \\{__name__="target_info", instance="d:1", job="dup", version="[12]"\\} @ ${at}$`,
      ),
    );
  });

  it('a stale info series lends nothing', async () => {
    expect(await labelSets('info(up{job="gone"})')).toEqual([
      [{ __name__: 'up', instance: 'g:1', job: 'gone' }, 1],
    ]);
    expect(await labelSets('info(up{job="gone"})', T0 + 15 * S)).toEqual([
      [{ __name__: 'up', instance: 'g:1', job: 'gone', team: 'x' }, 1],
    ]);
  });

  it('its second argument is label matchers only, which may all match the empty string', async () => {
    await expect(engine.instantQuery('info(up, target_info)', at)).rejects.toMatchObject({
      type: 'bad_data',
      message: 'parse error at char 10: expected label selectors only, got vector selector instead',
    });
    await expect(engine.instantQuery('info(up, sum(target_info))', at)).rejects.toMatchObject({
      message: 'parse error at char 10: expected label selectors only',
    });
    await expect(engine.instantQuery('info(up, 1)', at)).rejects.toMatchObject({
      message: 'parse error at char 10: expected type instant vector in call to function "info", got scalar',
    });
    // `{}` selects target_info and requires no data label.
    expect(await labelSets('info(up{job="web"}, {})')).toEqual([
      [{ __name__: 'up', instance: 'w:1', job: 'web', version: '2' }, 1],
    ]);
    const format = (q: string) => promqlString(parsePromql(q, { experimentalFunctions: true }));
    expect(format('info(up,{})')).toBe('info(up, {})');
    expect(format('info(rate(x[5m]),{k8s_cluster_name=~".+"})')).toBe(
      'info(rate(x[5m]), {k8s_cluster_name=~".+"})',
    );
  });

  it('is experimental: refused unless enabled, with Prometheus’s message', async () => {
    const stock = new PromqlEngine({ store });
    await expect(stock.instantQuery('info(up)', at)).rejects.toMatchObject({
      message: 'parse error at char 1: function "info" is not enabled',
    });
  });
});
