// Percentile accuracy end to end: for each of the accuracy scenario's four distributions, four
// registries (four instances) observe PER_INSTANCE values each (1,000,000 by default), vigil scrapes
// them over HTTP (protobuf: native and classic histograms), and histogram_quantile(q, sum(rate(x[5m])))
// over the native series and over the classic _bucket series (default buckets) is compared with the
// exact quantile of the union, sorted[floor(q·(n-1))]. Prints the markdown table of docs/percentiles.md.
// Needs the build (packages/server/dist). Seeded: the same figures on every run.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, Registry } from '@vigil/metrics';
import { metricsHandler } from '@vigil/metrics/handler';
import { DISTRIBUTIONS, sample } from './lib/data.js';
import { loadStore } from './lib/server-dist.js';

const PER_INSTANCE = Number(process.env.PER_INSTANCE ?? 1_000_000);
const INSTANCES = 4;
const QUANTILES = [0.5, 0.9, 0.99, 0.999];
const dist = new URL('../packages/server/dist/', import.meta.url);
const { openSqliteStore } = await loadStore();
const { Scraper } = await import(new URL('ingest/scraper.js', dist).href);
const { IngestWriter } = await import(new URL('ingest/ingest-writer.js', dist).href);
const { PromqlEngine } = await import(new URL('query/promql-engine.js', dist).href);

async function serve(registry) {
  const handler = metricsHandler({ registry });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/metrics`, close: () => server.close() };
}

async function measure(distribution) {
  const clock = new ManualClock(Date.UTC(2026, 0, 10, 12));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-percentiles-'));
  const store = await openSqliteStore({ dir, clock });
  const serverRegistry = new Registry({ clock });
  const union = new Float64Array(PER_INSTANCE * INSTANCES);
  const instances = [];
  for (let i = 0; i < INSTANCES; i++) {
    const registry = new Registry({ clock });
    const x = registry.histogram({ name: 'x', help: 'Latency.' });
    const values = sample(distribution, PER_INSTANCE, 100 + i);
    union.set(values, i * PER_INSTANCE);
    const served = await serve(registry);
    const target = {
      url: served.url,
      job: 'app',
      intervalMs: 15_000,
      timeoutMs: 60_000,
      honorTimestamps: true,
    };
    instances.push({ x, values, served, target });
  }
  const scraper = new Scraper({
    targets: instances.map((i) => i.target),
    writer: new IngestWriter(store, serverRegistry),
    clock,
    registry: serverRegistry,
  });
  // Half the values before the first scrape, half between it and the second, 15 s apart.
  for (const [from, to] of [
    [0, PER_INSTANCE / 2],
    [PER_INSTANCE / 2, PER_INSTANCE],
  ]) {
    for (const { x, values } of instances) for (let k = from; k < to; k++) x.observe(values[k]);
    clock.advance(15_000);
    await Promise.all(instances.map((i) => scraper.scrape(i.target)));
  }
  const engine = new PromqlEngine({ store });
  const query = async (expr) => (await engine.instantQuery(expr, clock.now())).result[0].value;
  const sorted = union.sort();
  const rows = [];
  for (const q of QUANTILES) {
    const exact = sorted[Math.floor(q * (sorted.length - 1))];
    const native = await query(`histogram_quantile(${q}, sum(rate(x[5m])))`);
    const classic = await query(`histogram_quantile(${q}, sum by (le) (rate(x_bucket[5m])))`);
    rows.push({ q, exact, native, classic });
  }
  for (const i of instances) i.served.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

const pct = (estimate, exact) => `${((100 * Math.abs(estimate - exact)) / exact).toFixed(2)}%`;
const g = (v) => Number(v.toPrecision(5)).toString();
console.log(
  `${INSTANCES} instances × ${PER_INSTANCE.toLocaleString('en')} values; histogram_quantile(q, sum(rate(x[5m]))) against the exact quantile of the union\n`,
);
console.log('| distribution | q | exact | native | error | classic (default buckets) | error |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const name of Object.keys(DISTRIBUTIONS)) {
  for (const r of await measure(name)) {
    console.log(
      `| ${DISTRIBUTIONS[name].text} | ${r.q} | ${g(r.exact)} | ${g(r.native)} | ${pct(r.native, r.exact)} | ${g(r.classic)} | ${pct(r.classic, r.exact)} |`,
    );
  }
}
