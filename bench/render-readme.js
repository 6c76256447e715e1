// Re-renders the README's benchmark section from bench/results/latest.json, without running
// anything: `npm run bench:readme`. bench/run.js does the same after each run.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSection, writeReadmeSection } from './lib/readme-section.js';
import { SCENARIOS } from './scenarios.js';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const latestPath = here('./results/latest.json');
if (!existsSync(latestPath)) {
  console.error('bench/results/latest.json is missing: run `npm run bench` first');
  process.exit(2);
}
const { text, missing } = renderSection(JSON.parse(readFileSync(latestPath, 'utf8')), SCENARIOS);
const problem = writeReadmeSection(here('../README.md'), text);
if (problem) {
  console.error(`README not updated: ${problem}`);
  process.exit(1);
}
console.log(
  `README.md: benchmark section rendered from bench/results/latest.json${missing.length ? ` (not measured yet: ${missing.join(', ')})` : ''}.`,
);
