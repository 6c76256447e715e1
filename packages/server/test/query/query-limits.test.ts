import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PromqlEngine, type PromqlEngineOptions } from '../../src/query/promql-engine.js';
import { QueryError } from '../../src/query/query-error.js';
import { QueryGate } from '../../src/query/query-gate.js';
import type { SeriesStore } from '../../src/store/series-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const NOW = Math.floor(Date.now() / 1000) * 1000;
const stores: SeriesStore[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function engine(options: Partial<PromqlEngineOptions> = {}): Promise<PromqlEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-limits-'));
  dirs.push(dir);
  const store = await openSqliteStore({ dir });
  stores.push(store);
  const timestamps = Array.from({ length: 40 }, (_, i) => NOW - 600_000 + i * 15_000);
  await store.append([
    { labels: { __name__: 'g', job: 'a' }, timestamps, values: Float64Array.from(timestamps, (_, i) => i) },
    { labels: { __name__: 'g', job: 'b' }, timestamps, values: Float64Array.from(timestamps, (_, i) => -i) },
  ]);
  return new PromqlEngine({ store, ...options });
}

async function refusal(run: Promise<unknown>): Promise<QueryError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(QueryError);
  return error as QueryError;
}

describe('query cost bounded before it is paid', () => {
  it('counts subquery steps against maxSamples before building them', async () => {
    const e = await engine({ maxSamples: 100_000 });
    const refused = await refusal(e.instantQuery('max_over_time(g[1h:10ms])', NOW));
    expect(refused.type).toBe('execution');
    expect(refused.message).toMatch(/query processing would load too many samples/);
    expect((await refusal(e.instantQuery('max_over_time(g[1y:1ms])', NOW))).type).toBe('execution');
    await expect(e.instantQuery('max_over_time(g{job="a"}[10m:10ms])', NOW)).resolves.toBeDefined();
  });

  it('counts intermediate vectors against maxSamples, not only samples loaded', async () => {
    // 40 samples loaded per series; `g * 2` over a 600-step range query builds 1,200 points.
    const e = await engine({ maxSamples: 1000 });
    await expect(e.rangeQuery('g', NOW - 600_000, NOW, 1000)).resolves.toBeDefined();
    const refused = await refusal(e.rangeQuery('g * 2', NOW - 600_000, NOW, 1000));
    expect(refused.type).toBe('execution');
  });

  it('refuses a query whose estimated memory exceeds maxQueryBytes', async () => {
    const e = await engine({ maxQueryBytes: 2 ** 20 });
    const refused = await refusal(e.instantQuery('max_over_time((g * 1)[10m:10ms])', NOW));
    expect(refused.type).toBe('execution');
    expect(refused.message).toMatch(/MiB of memory, more than the 1 MiB a query may use/);
  });

  it('hands the event loop back while it evaluates, and times out inside its loops', async () => {
    const e = await engine();
    const order: string[] = [];
    const query = e.instantQuery('max_over_time((g * 1)[10m:5ms])', NOW).then(() => order.push('query'));
    setImmediate(() => order.push('other work'));
    await query;
    expect(order).toEqual(['other work', 'query']);
    const late = await refusal(e.instantQuery('max_over_time((g * 1)[10m:5ms])', NOW, { timeoutMs: 1 }));
    expect(late.type).toBe('timeout');
  });
});

describe('QueryGate', () => {
  it('runs at most N at once, queues the rest in order, and refuses past the queue', async () => {
    const gate = new QueryGate(1, 1);
    const order: string[] = [];
    let release!: () => void;
    const first = gate.run(1000, () =>
      new Promise<void>((r) => (release = r)).then(() => order.push('first')),
    );
    const second = gate.run(1000, async () => order.push('second'));
    const third = await refusal(gate.run(1000, async () => order.push('third')));
    expect(third.type).toBe('unavailable');
    expect(order).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
  });

  it('times a query out when it waits past its deadline', async () => {
    const gate = new QueryGate(1, 10);
    let release!: () => void;
    const first = gate.run(1000, () => new Promise<void>((r) => (release = r)));
    const waited = await refusal(gate.run(5, async () => 'ran'));
    expect(waited.type).toBe('timeout');
    release();
    await first;
    await expect(gate.run(5, async () => 'ran')).resolves.toBe('ran');
  });
});
