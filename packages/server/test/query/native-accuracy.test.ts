import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, Registry } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { DISTRIBUTIONS, sample } from '../../../../bench/lib/data.js';
import { serveRegistry } from '../../../../test/support/serve-registry.js';
import type { ScrapeTarget } from '../../src/config/config.js';
import { IngestWriter } from '../../src/ingest/ingest-writer.js';
import { Scraper } from '../../src/ingest/scraper.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

/**
 * Values per instance. The figure is 1,000,000 each; the unit tier takes a quarter of that
 * (a million in the union) to stay within seconds. `node bench/percentiles-e2e.js` runs the full size
 * and prints the table of docs/percentiles.md.
 */
const PER_INSTANCE = 250_000;
const INSTANCES = 4;
const QUANTILES = [0.5, 0.9, 0.99, 0.999];
const T0 = Date.UTC(2026, 0, 10, 12);

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const undo of cleanup.reverse()) await undo();
});

describe('percentiles end to end: four instances scraped, aggregated, over a 5-minute rate', () => {
  for (const distribution of Object.keys(DISTRIBUTIONS)) {
    it(`${distribution}: histogram_quantile(q, sum(rate(x[5m]))) within 1% of the union's exact quantile`, async () => {
      const clock = new ManualClock(T0);
      const dir = mkdtempSync(join(tmpdir(), 'vigil-accuracy-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      const store = await openSqliteStore({ dir, clock });
      cleanup.push(() => store.close());
      const serverRegistry = new Registry({ clock });
      const writer = new IngestWriter(store, serverRegistry);
      const union = new Float64Array(PER_INSTANCE * INSTANCES);
      const targets: ScrapeTarget[] = [];
      const observe: Array<(from: number, to: number) => void> = [];
      for (let i = 0; i < INSTANCES; i++) {
        const registry = new Registry({ clock });
        const x = registry.histogram({ name: 'x', help: 'Latency.' });
        const values = sample(distribution, PER_INSTANCE, 100 + i);
        union.set(values, i * PER_INSTANCE);
        observe.push((from, to) => {
          for (let k = from; k < to; k++) x.observe(values[k]!);
        });
        const { url, close } = await serveRegistry(registry);
        cleanup.push(close);
        targets.push({ url, job: 'app', intervalMs: 15_000, timeoutMs: 10_000, honorTimestamps: true });
      }
      const scraper = new Scraper({ targets, writer, clock, registry: serverRegistry });
      // Half the values before the first scrape, half between it and the second, 15 s apart.
      for (const o of observe) o(0, PER_INSTANCE / 2);
      clock.advance(15_000);
      await Promise.all(targets.map((t) => scraper.scrape(t)));
      for (const o of observe) o(PER_INSTANCE / 2, PER_INSTANCE);
      clock.advance(15_000);
      await Promise.all(targets.map((t) => scraper.scrape(t)));

      const engine = new PromqlEngine({ store });
      const sorted = union.sort();
      const errors: Record<string, string> = {};
      for (const q of QUANTILES) {
        const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
        const result = await engine.instantQuery(`histogram_quantile(${q}, sum(rate(x[5m])))`, clock.now());
        if (result.resultType !== 'vector' || result.result.length !== 1)
          throw new Error(JSON.stringify(result));
        const error = Math.abs(result.result[0]!.value - exact) / exact;
        errors[`p${q * 100}`] = `${(100 * error).toFixed(3)}%`;
        expect(error, `${distribution} p${q * 100}: ${JSON.stringify(errors)}`).toBeLessThan(0.01);
      }
    }, 60_000);
  }
});
