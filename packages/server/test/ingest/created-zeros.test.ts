import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, Registry } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { serveRegistry } from '../../../../test/support/serve-registry.js';
import type { ScrapeTarget } from '../../src/config/config.js';
import { IngestWriter } from '../../src/ingest/ingest-writer.js';
import { Scraper } from '../../src/ingest/scraper.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const T0 = Date.UTC(2026, 0, 10, 12);
const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const undo of cleanup.reverse()) await undo();
});

async function served(registry: Registry): Promise<string> {
  const { url, close } = await serveRegistry(registry);
  cleanup.push(close);
  return url;
}

async function openStore(clock: ManualClock): Promise<SqliteStore> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-created-'));
  const store = await openSqliteStore({ dir, clock });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(() => store.close());
  return store;
}

async function scalar(engine: PromqlEngine, expr: string, at: number): Promise<number> {
  const result = await engine.instantQuery(expr, at);
  if (result.resultType !== 'vector') throw new Error(`${expr}: ${result.resultType}`);
  const [sample] = result.result;
  if (!sample || typeof sample.value !== 'number') throw new Error(`${expr}: no float sample`);
  return sample.value;
}

describe('created timestamps: what was observed before the first scrape counts', () => {
  it('a percentile over rate() agrees with the library although most values came before vigil first scraped the series', async () => {
    const clock = new ManualClock(T0);
    const registry = new Registry({ clock });
    const h = registry.histogram({ name: 'op_seconds', help: 'Op latency.', labelNames: ['op'] });
    // 150 values near 1 s before the first scrape, 50 near 3 s between the first and the second.
    clock.advance(1_000);
    for (let i = 0; i < 150; i++) h.observe({ op: 'a' }, 0.95 + i / 1500);
    clock.advance(9_000);
    const store = await openStore(clock);
    const serverRegistry = new Registry({ clock });
    const writer = new IngestWriter(store, serverRegistry);
    const target: ScrapeTarget = {
      url: await served(registry),
      job: 'app',
      intervalMs: 15_000,
      timeoutMs: 5_000,
      honorTimestamps: true,
    };
    const scraper = new Scraper({ targets: [target], writer, clock, registry: serverRegistry });
    await scraper.scrape(target);
    for (let i = 0; i < 50; i++) h.observe({ op: 'a' }, 2.9 + i / 250);
    clock.advance(15_000);
    await scraper.scrape(target);
    const engine = new PromqlEngine({ store });
    const at = clock.now();
    const library = h.get({ op: 'a' }).p50;
    const native = await scalar(engine, 'histogram_quantile(0.5, sum(rate(op_seconds[5m])))', at);
    // Without the created timestamp, rate() starts from the first scrape and sees only the 50 near 3 s.
    expect(Math.abs(native - library) / library).toBeLessThan(0.01);
    const classic = await scalar(
      engine,
      'histogram_quantile(0.5, sum by (le) (rate(op_seconds_bucket[5m])))',
      at,
    );
    // The classic series get their zero too: the median is in (1, 2.5], not among the 50 in (2.5, 5].
    expect(classic).toBeLessThan(2.5);
    // One zero at the created timestamp, then the two scrapes: not a zero per scrape.
    expect(await scalar(engine, 'count_over_time(op_seconds_count[5m])', at)).toBe(3);
    const created = (T0 + 1_000) / 1000;
    expect(await scalar(engine, `timestamp(op_seconds_count @ ${created})`, at)).toBe(created);
    expect(await scalar(engine, `op_seconds_count @ ${created}`, at)).toBe(0);
    expect(await scalar(engine, `histogram_count(op_seconds @ ${created})`, at)).toBe(0);

    // vigil restarted: a new scraper offers the zero again, the store has later samples and refuses
    // it, and that refusal is no rejected sample.
    const again = new Scraper({ targets: [target], writer, clock, registry: serverRegistry });
    clock.advance(15_000);
    await again.scrape(target);
    expect(await scalar(engine, 'count_over_time(op_seconds_count[5m])', clock.now())).toBe(4);
    const exposition = (await serverRegistry.snapshot()).metrics.find(
      (m) => m.name === 'vigil_ingest_rejected_samples_total',
    );
    expect(exposition?.points ?? []).toEqual([]);
  });

  it('increase() of a library counter counts what was added before vigil first scraped it', async () => {
    const clock = new ManualClock(T0);
    const registry = new Registry({ clock });
    const c = registry.counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['kind'] });
    clock.advance(2_000);
    c.inc({ kind: 'a' }, 40);
    clock.advance(8_000);
    const store = await openStore(clock);
    const serverRegistry = new Registry({ clock });
    const target: ScrapeTarget = {
      url: await served(registry),
      job: 'app',
      intervalMs: 15_000,
      timeoutMs: 5_000,
      honorTimestamps: true,
    };
    const scraper = new Scraper({
      targets: [target],
      writer: new IngestWriter(store, serverRegistry),
      clock,
      registry: serverRegistry,
    });
    await scraper.scrape(target);
    c.inc({ kind: 'a' }, 2);
    clock.advance(15_000);
    await scraper.scrape(target);
    const engine = new PromqlEngine({ store });
    const created = (T0 + 2_000) / 1000;
    expect(await scalar(engine, `jobs_total @ ${created}`, clock.now())).toBe(0);
    // From the zero at creation: all 42, where the two scrapes alone would give about 2.
    const increase = await scalar(engine, 'increase(jobs_total[1m])', clock.now());
    expect(increase).toBeGreaterThan(40);
  });
});
