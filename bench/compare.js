// Before/after comparison: runs each scenario in two checkouts of vigil, alternately (the tree that
// goes first swaps from one scenario and round to the next, so the load of a shared machine falls on
// both alike), keeps each run's summary rows in bench/results/compare.json (written after every run,
// so a stopped comparison keeps what it measured), and renders docs/bench-compare.md from it.
//
//   git worktree add /tmp/before <commit> && (cd /tmp/before && npm run build)
//   nice node bench/compare.js --before /tmp/before              every scenario both trees have
//   nice node bench/compare.js --before /tmp/before --rounds 3 query-long-range
//                                           3 rounds more of one scenario: they join the runs kept
//   node bench/compare.js --render          re-render docs/bench-compare.md from compare.json
//
// The after tree is this one unless --after names another; both run their built dist/, so build
// each at the commit it names. Runs accumulate in compare.json, each with its tree's commit (delete
// the file to start afresh). A scenario only the after tree has is run there alone when named.
// Neither tree's latest.json is touched. `notes` in compare.json ({ scenario: text }), for what a
// row does not say (a check made apart, with its command), are printed under the table.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderComparison } from './lib/compare-page.js';
import { environment } from './lib/harness.js';
import { runScenario } from './lib/run-scenario.js';
import { SCENARIOS } from './scenarios.js';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const JSON_PATH = here('./results/compare.json');
const PAGE = here('../docs/bench-compare.md');
const AFTER = here('..');
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MIN ?? 15) * 60_000;
const LONGER_MS = { 'native-histograms': 90 * 60_000 };

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [, value] = args.splice(i, 2);
  if (value === undefined) usage(`${name} needs a value`);
  return value;
};
function usage(problem) {
  console.error(
    `${problem}\nusage: node bench/compare.js --before DIR [--after DIR] [--rounds N] [SCENARIO...] | --render`,
  );
  process.exit(2);
}

const load = () => (existsSync(JSON_PATH) ? JSON.parse(readFileSync(JSON_PATH, 'utf8')) : undefined);
const save = (data) => {
  writeFileSync(`${JSON_PATH}.tmp`, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(`${JSON_PATH}.tmp`, JSON_PATH);
  writeFileSync(PAGE, renderComparison(data, SCENARIOS));
};

if (args[0] === '--render') {
  const data = load();
  if (!data) usage('bench/results/compare.json is missing: run a comparison first');
  save(data);
  console.log('docs/bench-compare.md: rendered from bench/results/compare.json.');
  process.exit(0);
}

const beforeDir = flag('--before');
const afterDir = flag('--after') ?? AFTER;
const rounds = Number(flag('--rounds') ?? 1);
if (!beforeDir) usage('--before is required');
if (!(Number.isInteger(rounds) && rounds > 0)) usage('--rounds must be a positive integer');
const BEFORE = resolve(beforeDir);
if (!existsSync(`${BEFORE}/packages/metrics/dist/index.js`))
  usage(`${BEFORE} is not built: run npm run build there`);
const { SCENARIOS: BEFORE_SCENARIOS } = await import(pathToFileURL(`${BEFORE}/bench/scenarios.js`).href);

const git = (dir, ...words) => execFileSync('git', ['-C', dir, ...words], { encoding: 'utf8' }).trim();
/** The tree's commit, and whether the code it runs differs from it (docs and this comparison's own files aside). */
const commit = (dir) => {
  const changed = git(
    dir,
    'status',
    '--porcelain',
    '--untracked-files=no',
    '--',
    '.',
    ':!bench/results',
    ':!bench/compare.js',
    ':!bench/lib/compare-page.js',
    ':!*.md',
  );
  return `${git(dir, 'log', '-1', '--format=%h %s')}${changed ? ' (with uncommitted changes)' : ''}`;
};
const trees = {
  before: { dir: BEFORE, commit: commit(BEFORE) },
  after: { dir: resolve(afterDir), commit: commit(afterDir) },
};
const named = args.map((a) => a.replace(/^bench\//, '').replace(/\.js$/, ''));
const unknown = named.filter((n) => !SCENARIOS.includes(n));
if (unknown.length > 0) usage(`unknown scenario(s): ${unknown.join(', ')}`);
const selected = named.length > 0 ? named : SCENARIOS.filter((n) => BEFORE_SCENARIOS.includes(n));

const data = load() ?? { runs: [] };
data.before = trees.before;
data.after = trees.after;
data.env = environment();

let turn = data.runs.length;
for (let round = 0; round < rounds; round++) {
  for (const name of selected) {
    const sides = BEFORE_SCENARIOS.includes(name) ? ['before', 'after'] : ['after'];
    if (turn++ % 2 === 1) sides.reverse();
    for (const side of sides) {
      const file = `${trees[side].dir}/bench/${name}.js`;
      const timeoutMs = Math.max(LONGER_MS[name] ?? 0, TIMEOUT_MS);
      console.log(`## ${name} (${side}, ${trees[side].commit.split(' ')[0]})`);
      const { seconds, result, error } = await runScenario(file, { timeoutMs, log: () => {} });
      console.log(`   ${seconds.toFixed(1)} s${error ? `, FAILED: ${error}` : ''}`);
      for (const row of result?.summary ?? []) console.log(`   ${row.measure}: ${row.vigil} | ${row.prom}`);
      data.runs.push({
        name,
        side,
        commit: trees[side].commit.split(' ')[0],
        seconds,
        date: new Date().toISOString(),
        load: readFileSync('/proc/loadavg', 'utf8').split(' ')[0],
        error,
        summary: result?.summary,
      });
      save(data);
    }
  }
}
console.log('docs/bench-compare.md: rendered.');
