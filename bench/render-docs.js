// Re-renders docs/benchmarks.md from bench/results/latest.json, without running anything:
// `npm run bench:docs`. bench/run.js does the same after each run.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderPage, writePage } from './lib/benchmarks-page.js';
import { SCENARIOS } from './scenarios.js';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const latestPath = here('./results/latest.json');
if (!existsSync(latestPath)) {
  console.error('bench/results/latest.json is missing: run `npm run bench` first');
  process.exit(2);
}
const { text, missing } = renderPage(JSON.parse(readFileSync(latestPath, 'utf8')), SCENARIOS);
writePage(here('../docs/benchmarks.md'), text);
console.log(
  `docs/benchmarks.md: rendered from bench/results/latest.json${missing.length ? ` (not measured yet: ${missing.join(', ')})` : ''}.`,
);
