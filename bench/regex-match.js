// Regex label matching over 1M label values: vigil's matcher (RE2 dialect, linear time, with
// FastRegexMatcher's shortcuts) against JavaScript's backtracking RegExp compiled the way Prometheus
// anchors a matcher (`^(?:re)$`, `.` matching newlines), on ordinary patterns; then the catastrophic
// pattern `([a-z_]+)+!`, where RegExp's time doubles with every character and vigil's grows linearly.
// The `re2` package (bindings to Google's C++ RE2, not a dependency of vigil) joins the same loops
// when BENCH_RE2 names its entry file (e.g. BENCH_RE2=/tmp/x/node_modules/re2/re2.js): the measured
// reason why vigil uses RE2JS is in docs/regular-expressions.md.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatTime, loop, measure, scenario } from './lib/harness.js';

const MODULE = new URL('../packages/server/dist/regex/regex-matcher.js', import.meta.url);
if (!existsSync(fileURLToPath(MODULE))) {
  console.error('packages/server/dist is missing: run `npx tsc -b packages/server` first');
  process.exit(2);
}
const { regexMatcher } = await import(MODULE.href);
const RE2 = process.env.BENCH_RE2 ? (await import(process.env.BENCH_RE2)).default : undefined;

const report = scenario('regex-match', 'regex label matchers over 1M label values');
const N = 1 << 20;
const MASK = N - 1;
// Label values of a demo-sized installation: metric names, jobs and hosts with numbers in them.
const WORDS = ['http', 'requests', 'total', 'node', 'cpu', 'seconds', 'stream', 'tick', 'api', 'db', 'cache'];
const V = new Array(N);
for (let i = 0; i < N; i++) {
  const a = WORDS[i % WORDS.length];
  const b = WORDS[(i >> 3) % WORDS.length];
  V[i] = `${a}_${b}_${i % 9973}`;
}
console.log(`${N.toLocaleString('en-US')} label values such as ${V[1]}, ${V[12345]}`);

const PATTERNS = [
  ['literal', 'api_db_42'],
  ['prefix', 'http_.*'],
  ['suffix', '.*_42'],
  ['contains', '.*cpu.*'],
  ['alternation', 'api_db_1|api_db_2|node_cpu_3|cache_tick_4'],
  ['case-insensitive prefix', '(?i)HTTP_.*'],
  ['class', '[a-z]+_db_[0-9]+'],
];

const rows = [];
for (const [shape, pattern] of PATTERNS) {
  const m = regexMatcher(pattern);
  // JavaScript has no inline flags: the case-insensitive pattern becomes the `i` flag.
  const js = pattern.startsWith('(?i)')
    ? new RegExp(`^(?:${pattern.slice(4)})$`, 'si')
    : new RegExp(`^(?:${pattern})$`, 's');
  const cases = [
    loop(`vigil ${shape}`, { m, V, MASK }, 'if (m.test(V[i & MASK])) sink++;'),
    loop(`RegExp ${shape}`, { js, V, MASK }, 'if (js.test(V[i & MASK])) sink++;', { vs: `vigil ${shape}` }),
  ];
  if (RE2) {
    const re2 = new RE2(`^(?:${pattern})$`, 's');
    cases.push(
      loop(`re2 ${shape}`, { re2, V, MASK }, 'if (re2.test(V[i & MASK])) sink++;', { vs: `vigil ${shape}` }),
    );
  }
  const [ours, theirs, native] = await measure(cases);
  const ratio = ours.median / theirs.median;
  rows.push({ shape, pattern, vigil: ours.median, js: theirs.median, re2: native?.median, ratio });
  console.log(
    `${shape.padEnd(24)} ${pattern.padEnd(44)} vigil ${formatTime(ours.median)}  RegExp ${formatTime(theirs.median)}  ${ratio.toFixed(2)}x${native ? `  re2 ${formatTime(native.median)}` : ''}`,
  );
}

// The catastrophic pattern over one value of growing length, each timed once (RegExp stops at 26
// characters: about 2^26 steps already take seconds).
const bad = '([a-z_]+)+!';
const m = regexMatcher(bad);
const js = new RegExp(`^(?:${bad})$`, 's');
const growth = [];
for (const n of [16, 20, 24, 26, 1000, 100_000]) {
  const value = 'a'.repeat(n);
  const t0 = performance.now();
  m.test(value);
  const t1 = performance.now();
  let jsMs;
  if (n <= 26) {
    js.test(value);
    jsMs = performance.now() - t1;
  }
  growth.push({ length: n, vigilMs: t1 - t0, jsMs });
  console.log(
    `${bad} on ${n} characters: vigil ${(t1 - t0).toFixed(3)} ms, RegExp ${jsMs === undefined ? 'not run' : `${jsMs.toFixed(1)} ms`}`,
  );
}

const ordinary = rows.filter((r) => !['case-insensitive prefix', 'class'].includes(r.shape));
const worst = Math.max(...ordinary.map((r) => r.ratio));
report.check(
  'ordinary patterns (literal, prefix, suffix, contains, alternation) ≤ 2x RegExp',
  worst <= 2,
  `worst ${worst.toFixed(2)}x`,
);
const linear = growth.find((g) => g.length === 100_000);
report.check(
  'catastrophic pattern on 100,000 characters under 1 s (linear: RegExp needs 2^100000 steps)',
  linear.vigilMs < 1000,
  `${linear.vigilMs.toFixed(1)} ms`,
);
report.data = { rows, growth };
report.row('regex matcher over 1M label values (ordinary patterns)', {
  vigil: `worst ${worst.toFixed(2)}x RegExp`,
  prom: 'n/a',
  otel: 'n/a',
  target: '≤ 2x RegExp',
  result: worst <= 2 ? 'PASS' : 'MISS',
});
report.emit();
