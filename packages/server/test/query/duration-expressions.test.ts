import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { promqlString } from '../../src/query/format-promql.js';
import { parsePromql } from '../../src/query/parse.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

/**
 * Duration expressions (Prometheus's `--enable-feature=promql-duration-expr`, docs/feature_flags.md):
 * arithmetic in ranges, offsets and subquery steps, `step()`, `range()`, `min_of`, `max_of`. The
 * data is one sample every 15 s whose value is its age in seconds since T0, so each expected answer
 * is a count of samples in a window or a time, worked out by hand.
 */
const T0 = Date.UTC(2026, 0, 14, 0);
const S = 1000;
const M = 60 * S;
let store: SqliteStore;
let dir: string;
let engine: PromqlEngine;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-duration-expr-'));
  store = await openSqliteStore({ dir, clock: new ManualClock(T0 + 3 * 3_600_000) });
  const timestamps = Array.from({ length: 481 }, (_, i) => T0 + i * 15 * S);
  await store.append([
    {
      labels: { __name__: 'c', job: 'x' },
      timestamps,
      values: Float64Array.from(timestamps, (t) => (t - T0) / S),
    },
  ]);
  engine = new PromqlEngine({ store, durationExpressions: true });
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function instant(query: string, at: number): Promise<number[]> {
  const result = await engine.instantQuery(query, at);
  if (result.resultType !== 'vector') throw new Error(`expected a vector, got ${result.resultType}`);
  return result.result.map((s) => s.value);
}

async function range(query: string, start: number, end: number, step: number): Promise<number[]> {
  const result = await engine.rangeQuery(query, start, end, step);
  if (result.resultType !== 'matrix') throw new Error(`expected a matrix, got ${result.resultType}`);
  expect(result.result).toHaveLength(1);
  return Array.from(result.result[0]!.values);
}

const hour = T0 + 60 * M;

describe('duration expressions', () => {
  it('in a range: as many 15 s samples as the computed window holds', async () => {
    // (t - 10m, t]: 40 samples.
    expect(await instant('count_over_time(c[5m * 2])', hour)).toEqual([40]);
    expect(await instant('count_over_time(c[(5+2) * 1m])', hour)).toEqual([28]);
    expect(await instant('count_over_time(c[10m - 1m])', hour)).toEqual([36]);
    expect(await instant('count_over_time(c[4h % 3h])', 2 * hour - T0)).toEqual([240]);
    expect(await instant('count_over_time(c[(2 ^ 3) * 1m])', hour)).toEqual([32]);
    // A number counts seconds, as in a plain range: 90 * 2 s = 3 minutes.
    expect(await instant('count_over_time(c[90 * 2])', hour)).toEqual([12]);
    // Unary minus binds as in Prometheus: (-5m) + 10m.
    expect(await instant('count_over_time(c[-5m + 10m])', hour)).toEqual([20]);
    // The same rate as the literal range: the counter grows 1 per second.
    expect(await instant('rate(c[5m * 2])', hour)).toEqual([1]);
  });

  it('in an offset, written in parentheses; without them only the first duration is the offset', async () => {
    // The value is the sample's age: at 2 h with offset 1h30m, 1800.
    expect(await instant('c offset (1h + 30m)', 2 * hour - T0)).toEqual([1800]);
    expect(await instant('c offset (1h / 2)', hour)).toEqual([1800]);
    // Negative: 30 minutes after the evaluation time.
    expect(await instant('c offset -(1h / 2)', hour)).toEqual([5400]);
    // `c offset 1h + 30m` is `(c offset 1h) + 30m`: 0 + 1800.
    expect(await instant('c offset 1h + 30m', hour)).toEqual([1800]);
  });

  it('in a subquery range and step', async () => {
    // Steps at each whole minute in (1 h, 2 h]: 60 of them.
    expect(await instant('count_over_time(c[1h:5m/5])', 2 * hour - T0)).toEqual([60]);
    expect(await instant('count_over_time(c[30m * 2:1m] offset (10m + 20m))', 2 * hour - T0)).toEqual([60]);
  });

  it('step() and range() are the range query’s step and end - start', async () => {
    // step() = 2m: subquery steps at even minutes in (t - 10m, t], five at every step.
    expect(await range('count_over_time(c[10m:step()])', hour, hour + 10 * M, 2 * M)).toEqual([
      5, 5, 5, 5, 5, 5,
    ]);
    // range() = 30m: 120 samples in each window.
    expect(await range('count_over_time(c[range()])', hour, hour + 30 * M, 5 * M)).toEqual(
      Array(7).fill(120),
    );
    // Prometheus's example: the whole range at its end, the same at every step.
    expect(await range('max_over_time(c[range()] @ end())', hour, hour + 30 * M, 5 * M)).toEqual(
      Array(7).fill(5400),
    );
    // max_of(step(), 5m): 5m at a 1m step (20 samples), 10m at a 10m step (40).
    expect(await range('count_over_time(c[max_of(step(), 5m)])', hour, hour + 2 * M, M)).toEqual([
      20, 20, 20,
    ]);
    expect(await range('count_over_time(c[max_of(step(), 5m)])', hour, hour + 20 * M, 10 * M)).toEqual([
      40, 40, 40,
    ]);
    // min_of(2 * step() + 30s, 5m) at a 1m step: 2m30s, 10 samples.
    expect(await range('count_over_time(c[min_of(2 * step() + 30s, 5m)])', hour, hour + M, M)).toEqual([
      10, 10,
    ]);
    // step() + 1 in an offset: 61 s back at a 1 m step.
    expect(await range('c offset (step() + 1)', hour, hour, M)).toEqual([3600 - 75]);
  });

  it('in an instant query step() and range() are 0, which a range or a step may not be', async () => {
    await expect(engine.instantQuery('count_over_time(c[step()])', hour)).rejects.toMatchObject({
      type: 'bad_data',
      message: 'parse error at char 19: duration must be greater than 0',
    });
    await expect(engine.instantQuery('count_over_time(c[10m:range()])', hour)).rejects.toMatchObject({
      message: 'parse error at char 23: duration must be greater than 0',
    });
    // An offset may be 0.
    expect(await instant('c offset (step())', hour)).toEqual([3600]);
  });

  it('refuses what is not a positive duration, naming the reason', async () => {
    const refused = async (query: string, message: string) =>
      expect(engine.instantQuery(query, hour)).rejects.toMatchObject({ type: 'bad_data', message });
    await refused('c[5m - 5m]', 'parse error at char 3: duration must be greater than 0');
    await refused('c[1m - 2m]', 'parse error at char 3: duration must be greater than 0');
    await refused('c[1h:1m * 0]', 'parse error at char 6: duration must be greater than 0');
    await refused('c[5m / 0]', 'parse error at char 3: division by zero');
    await refused('c[5m % (1m - 1m)]', 'parse error at char 3: modulo by zero');
    await refused(
      'c[Inf * 1m]',
      'parse error at char 3: duration must be a finite number of seconds, got +Inf',
    );
    await refused('c[10 ^ 20]', 'parse error at char 3: duration is out of range');
    // A plain duration of 0 too, as Prometheus 3's grammar refuses it, with or without the switch.
    await refused('rate(c[0s])', 'parse error at char 8: duration must be greater than 0');
    await refused('c[1h:0]', 'parse error at char 6: duration must be greater than 0');
    await expect(new PromqlEngine({ store }).instantQuery('c[0m]', hour)).rejects.toMatchObject({
      message: 'parse error at char 3: duration must be greater than 0',
    });
  });

  it('are off unless enabled, with Prometheus’s message', async () => {
    const stock = new PromqlEngine({ store });
    await expect(stock.instantQuery('rate(c[5m * 2])', hour)).rejects.toMatchObject({
      message:
        'parse error at char 8: experimental duration expression is not enabled (--enable-feature=promql-duration-expr)',
    });
    await expect(stock.instantQuery('c offset (1h)', hour)).rejects.toMatchObject({
      message:
        'parse error at char 10: experimental duration expression is not enabled (--enable-feature=promql-duration-expr)',
    });
    // Plain durations and signed offsets are no expression.
    expect((await stock.instantQuery('c offset -5m', hour - 10 * M)).resultType).toBe('vector');
    expect(loadConfig({}, {}).query.durationExpressions).toBe(false);
    expect(loadConfig({ enableFeatures: ['promql-duration-expr'] }, {}).query.durationExpressions).toBe(true);
  });

  it('min_of and max_of are durations inside a range or offset and scalar functions outside', async () => {
    const both = new PromqlEngine({ store, durationExpressions: true, experimentalFunctions: true });
    const result = await both.instantQuery(
      'count_over_time(c[max_of(1m, 30s)] offset min_of(5m, 10m)) * min_of(2, max_of(3, 1))',
      hour,
    );
    // (t - 6m, t - 5m]: 4 samples, times 2.
    expect(result).toMatchObject({ resultType: 'vector', result: [{ value: 8 }] });
    const format = (q: string) =>
      promqlString(parsePromql(q, { durationExpressions: true, experimentalFunctions: true }));
    expect(format('count_over_time(x[max_of(1m,30s)])*min_of(2,max_of(3,1))')).toBe(
      'count_over_time(x[max_of(1m, 30s)]) * min_of(2, max_of(3, 1))',
    );
    // Told apart in the text, before the grammar reads it: signed and parenthesized offsets, a
    // subquery's step, comments and strings, and a label or metric named offset.
    expect(
      format(
        'min_of(scalar(count_over_time(x[min_of(1m, (max_of(2m, 1m)))] offset -max_of(1m, 2m))), max_of(1, 2)) # min_of(\n' +
          '+ max_of(scalar(count_over_time(x[1h:min_of(1m, 2m)] offset (min_of(1m, 2m) + 1s))), min_of(3, 4))' +
          ' + max_of(scalar(sum by (offset) (x{offset="min_of(1, 2)"} offset min_of(1m, 2m))), min_of(5, 6))',
      ),
    ).toBe(
      'min_of(scalar(count_over_time(x[min_of(1m, (max_of(2m, 1m)))] offset -max_of(1m, 2m))), max_of(1, 2)) + max_of(scalar(count_over_time(x[1h:min_of(1m, 2m)] offset (min_of(1m, 2m) + 1s))), min_of(3, 4)) + max_of(scalar(sum by (offset) (x{offset="min_of(1, 2)"} offset min_of(1m, 2m))), min_of(5, 6))',
    );
  });

  it('are written back as Prometheus writes them', () => {
    const format = (q: string) => promqlString(parsePromql(q, { durationExpressions: true }));
    expect(format('rate(x[5m*2])')).toBe('rate(x[5m * 2])');
    expect(format('x offset (1h+30m)')).toBe('x offset (1h + 30m)');
    expect(format('x[1h:5m/5]')).toBe('x[1h:5m / 5]');
    expect(format('x[max_of(step(),5m)] offset -(2*range())')).toBe(
      'x[max_of(step(), 5m)] offset -(2 * range())',
    );
  });
});
