// Runs every scenario in its own process, one after another, collects each one's final
// `RESULT {json}` line, prints one summary table, writes bench/results/latest.json and regenerates
// the README section between <!-- bench:start --> and <!-- bench:end -->.
//
//   node bench/run.js                  every scenario (npm run bench builds first)
//   node bench/run.js exposition ...   only these; the README is then left alone
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeEnvironment, environment, table } from './lib/harness.js';

const SCENARIOS = [
  'counter-inc',
  'counter-inc-labels',
  'counter-inc-bound',
  'histogram-observe',
  'quantile-read',
  'exposition',
  'cluster-scrape',
  'memory-counter',
  'memory-histogram',
  'accuracy',
  'disabled',
  'latency-overhead',
  'latency-memory',
  'ingest-parsers',
  'store-ingest',
  'store-disk',
  'store-range-read',
  'statsd-ingest',
  'remote-write-ingest',
  'ws-fanout',
  'dashboard',
];
const TIMEOUT_MS = 5 * 60_000;
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const README = here('../README.md');
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

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

function runScenario(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [here(`./${name}.js`)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let result;
    let pending = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        if (line.startsWith('RESULT ')) result = JSON.parse(line.slice('RESULT '.length));
        else console.log(line);
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      const error =
        code === 0 && result ? undefined : `exit ${code ?? signal}${result ? '' : ', no RESULT line'}`;
      console.log(`(${name}: ${seconds.toFixed(1)} s${error ? `, FAILED: ${error}` : ''})\n`);
      resolve({ name, seconds, result, error });
    });
  });
}

const started = Date.now();
const runs = [];
for (const name of selected) runs.push(await runScenario(name));
const minutes = (Date.now() - started) / 60_000;

const env = runs.find((r) => r.result)?.result.env ?? environment();
const rows = runs.flatMap((r) =>
  r.result
    ? r.result.summary.map((s) => [r.name, s.measure, s.vigil, s.prom, s.otel, s.target, s.result])
    : [[r.name, `FAILED (${r.error})`, '', '', '', '', '']],
);
const summary = table(
  ['scenario', 'measure', 'vigil', 'prom-client', 'OpenTelemetry', 'target', 'result'],
  rows,
);
const targets = runs.flatMap((r) =>
  r.result ? r.result.targets.map((t) => ({ scenario: r.name, ...t })) : [],
);
const missed = targets.filter((t) => !t.pass);
const failed = runs.filter((r) => r.error);
const verdictText = [
  missed.length === 0
    ? `All ${targets.length} targets met.`
    : `${targets.length - missed.length} of ${targets.length} targets met. Missed:`,
  ...missed.map((t) => `- ${t.scenario}: ${t.target} — measured ${t.measured}`),
  ...failed.map((r) => `- ${r.name}: FAILED (${r.error})`),
].join('\n');
const legend =
  'Times are medians of ≥5 runs in one process, peers measured in the same run; (N×) = how many times faster or smaller vigil is. Machine: shared, 2 cores; compare ratios, not absolute times.';

console.log('# Summary');
console.log(describeEnvironment(env));
console.log(summary);
console.log(legend);
console.log(verdictText);
console.log(`total: ${minutes.toFixed(1)} min`);

mkdirSync(here('./results'), { recursive: true });
const json = here('./results/latest.json');
writeFileSync(`${json}.tmp`, `${JSON.stringify({ env, minutes, runs }, null, 2)}\n`);
renameSync(`${json}.tmp`, json);

if (selected !== SCENARIOS) {
  console.log('README not updated: only part of the suite ran.');
} else if (!existsSync(README)) {
  console.log(
    `README not updated: ${README} does not exist (the table above is what would go between ${START} and ${END}).`,
  );
} else {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end === -1 || end < start) {
    console.log(
      `README not updated: markers ${START} … ${END} not found in README.md (the table above is the content).`,
    );
  } else {
    const section = [
      START,
      '<!-- Generated by `npm run bench` (bench/run.js); edits here are overwritten. -->',
      '',
      describeEnvironment(env),
      '',
      summary,
      '',
      legend,
      '',
      verdictText,
      END,
    ].join('\n');
    writeFileSync(README, text.slice(0, start) + section + text.slice(end + END.length));
    console.log('README.md: benchmark section regenerated.');
  }
}
process.exitCode = failed.length > 0 ? 1 : 0;
