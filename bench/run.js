// Runs every scenario in its own process, one after another, collects each one's final
// `RESULT {json}` line, prints one summary table, writes bench/results/latest.json and renders
// docs/benchmarks.md from it (lib/benchmarks-page.js; `npm run bench:docs` re-renders without running anything).
//
//   node bench/run.js                  every scenario (npm run bench builds first)
//   node bench/run.js exposition ...   only these: their runs replace the same scenarios' in
//                                      latest.json, the others' are kept, and the page shows all
//   BENCH_TIMEOUT_MIN=20 node bench/run.js otlp-ingest
//                                      a longer limit per scenario than the 5 minutes, for a
//                                      machine so loaded that one cannot finish in them
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderPage, writePage } from './lib/benchmarks-page.js';
import { describeEnvironment, environment } from './lib/harness.js';
import { runScenario } from './lib/run-scenario.js';
import { SCENARIOS } from './scenarios.js';

const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MIN ?? 5) * 60_000;
if (!(TIMEOUT_MS > 0)) {
  console.error(
    `BENCH_TIMEOUT_MIN must be a positive number of minutes, got ${process.env.BENCH_TIMEOUT_MIN}`,
  );
  process.exit(2);
}
/** Scenarios that need longer whatever BENCH_TIMEOUT_MIN says: Prometheus 2.42 takes minutes per native-histogram query. */
const LONGER_MS = { 'native-histograms': 90 * 60_000, 'native-histograms-per-series': 45 * 60_000 };
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const PAGE = here('../docs/benchmarks.md');

const only = process.argv.slice(2).map((a) => a.replace(/^bench\//, '').replace(/\.js$/, ''));
const unknown = only.filter((name) => !SCENARIOS.includes(name));
if (unknown.length > 0) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  process.exit(2);
}
const selected = only.length > 0 ? SCENARIOS.filter((s) => only.includes(s)) : SCENARIOS;
if (!existsSync(here('../packages/metrics/dist/index.js'))) {
  console.error('packages/metrics/dist is missing: run `npm run build` (or `npm run bench`) first');
  process.exit(2);
}

async function run(name) {
  const timeoutMs = Math.max(LONGER_MS[name] ?? 0, TIMEOUT_MS);
  const { seconds, result, error } = await runScenario(here(`./${name}.js`), { timeoutMs });
  console.log(`(${name}: ${seconds.toFixed(1)} s${error ? `, FAILED: ${error}` : ''})\n`);
  return { name, seconds, result, error };
}

const started = Date.now();
const runs = [];
for (const name of selected) runs.push(await run(name));
const minutes = (Date.now() - started) / 60_000;

const json = here('./results/latest.json');
const previous = existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : { runs: [] };
const env = runs.find((r) => r.result)?.result.env ?? environment();
const merged = {
  env,
  minutes,
  runs: [...previous.runs.filter((r) => !selected.includes(r.name)), ...runs],
};
const thisRun = renderPage({ env, runs }, SCENARIOS);
console.log('# Summary');
console.log(describeEnvironment(env));
console.log(thisRun.summary);
console.log(thisRun.verdict);
console.log(`total: ${minutes.toFixed(1)} min`);

mkdirSync(here('./results'), { recursive: true });
writeFileSync(`${json}.tmp`, `${JSON.stringify(merged, null, 2)}\n`);
renameSync(`${json}.tmp`, json);

writePage(PAGE, renderPage(merged, SCENARIOS).text);
console.log('docs/benchmarks.md: rendered.');
const failed = runs.filter((r) => r.error);
process.exitCode = failed.length > 0 ? 1 : 0;
