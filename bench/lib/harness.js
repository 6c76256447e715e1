/**
 * What every scenario shares: the environment header, a timing loop compiled per case, interleaved
 * repetitions with medians, PASS/MISS targets, and the one `RESULT {json}` line that bench/run.js reads.
 *
 * Why the loops are compiled with `new Function`: a loop that calls `fn()` through a shared helper
 * makes that call site polymorphic as soon as a second case runs, and every case then pays for the
 * harness's megamorphic call (several ns, as much as vigil's whole `inc`). One generated function per
 * case keeps its call site and its feedback to itself, as a user's own call site would be.
 */
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';

// gc() between runs, so that one library's garbage is not collected on another's clock. Works
// whether or not node was started with --expose-gc (a fresh context picks the flag up).
v8.setFlagsFromString('--expose-gc');
export const gc = globalThis.gc ?? vm.runInNewContext('gc');

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 50);

export function environment() {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    platform: `${os.platform()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

export function describeEnvironment(env) {
  return `node ${env.node} (V8 ${env.v8}) · ${env.cpu} · ${env.cores} cores · ${env.platform} · ${env.date}`;
}

/** Prints the scenario header and returns a report that collects rows, targets and the RESULT line. */
export function scenario(id, title) {
  const env = environment();
  console.log(`# ${id}: ${title}`);
  console.log(describeEnvironment(env));
  return new Report(id, title, env);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A timed loop: `body` runs n times between two hrtime reads; `i` is the iteration, `j` cycles
 * 0..9 when the body advances it (`if (++j === 10) j = 0;`), `sink` keeps values alive. The
 * values in `ctx` are visible under their keys. `vs` names the vigil case a peer is compared with.
 */
export function loop(name, ctx, body, { vs, note, async = false } = {}) {
  const keys = Object.keys(ctx);
  for (const key of keys) if (!IDENTIFIER.test(key)) throw new Error(`loop ${name}: bad ctx key ${key}`);
  const fnName = name.replace(/[^A-Za-z0-9_]/g, '_');
  const source = `
const { ${keys.join(', ')} } = ctx;
return ${async ? 'async ' : ''}function bench_${fnName}(n) {
  let j = 0;
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    ${body}
  }
  const t1 = process.hrtime.bigint();
  if (sink === 0.123456789) console.log('');
  return Number(t1 - t0);
};`;
  const run = new Function('ctx', source)(ctx);
  return { name, vs, note, run };
}

/**
 * Runs every case RUNS times after WARMUP runs, each run about RUN_MS long, interleaving the cases
 * (the start rotates each round) so that a noisy neighbour hits all of them alike. Returns
 * ns/op medians; nothing is subtracted.
 */
export async function measure(cases, { runs = RUNS, warmup = WARMUP, runMs = RUN_MS } = {}) {
  for (const c of cases) c.n = await calibrate(c, runMs);
  const samples = cases.map(() => []);
  for (let round = 0; round < warmup + runs; round++) {
    for (let k = 0; k < cases.length; k++) {
      const at = (k + round) % cases.length;
      const c = cases[at];
      gc();
      const ns = await c.run(c.n);
      if (round >= warmup) samples[at].push(ns / c.n);
    }
  }
  return cases.map((c, i) => {
    const s = samples[i];
    return {
      name: c.name,
      vs: c.vs,
      note: c.note,
      iterations: c.n,
      runMs,
      median: median(s),
      min: Math.min(...s),
      max: Math.max(...s),
      runs: s,
    };
  });
}

async function calibrate(c, runMs) {
  const goal = runMs * 1e6;
  let n = 1;
  for (;;) {
    const ns = await c.run(n);
    if (ns >= goal / 8 || n >= 2 ** 30) return Math.max(1, Math.round((n * goal) / Math.max(ns, 1)));
    n *= ns < goal / 1000 ? 16 : 4;
  }
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** ns with three significant digits, or the best unit for larger times. */
export function formatTime(ns) {
  if (!Number.isFinite(ns)) return 'n/a';
  if (ns < 10) return `${ns.toFixed(2)} ns`;
  if (ns < 1000) return `${ns.toPrecision(3)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}

export function formatNs(ns) {
  if (!Number.isFinite(ns)) return 'n/a';
  if (ns < 10) return ns.toFixed(2);
  if (ns < 100) return ns.toFixed(1);
  return Math.round(ns).toLocaleString('en-US');
}

/** How many times faster vigil is: peer / vigil; below 1, how many times slower. */
export function formatSpeedup(x) {
  if (!Number.isFinite(x)) return 'n/a';
  if (x < 1) return `${(1 / x).toPrecision(3)}× slower`;
  return x >= 100 ? `${Math.round(x)}×` : `${x.toPrecision(3)}×`;
}

export function formatBytes(b) {
  if (!Number.isFinite(b)) return 'n/a';
  return b >= 10240 ? `${(b / 1024).toFixed(1)} KiB` : `${Math.round(b).toLocaleString('en-US')} B`;
}

export function formatPercent(x) {
  if (!Number.isFinite(x)) return 'n/a';
  return x >= 10 ? `${x.toFixed(0)}%` : x >= 1 ? `${x.toFixed(1)}%` : `${x.toFixed(2)}%`;
}

/** A Markdown table with padded columns; `align` is a string of l/r per column. */
export function table(headers, rows, align = '') {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const pad = (text, c) =>
    align[c] === 'r' ? String(text).padStart(widths[c]) : String(text).padEnd(widths[c]);
  const line = (cells) => `| ${cells.map((cell, c) => pad(cell ?? '', c)).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (align[c] === 'r' ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

export class Report {
  constructor(id, title, env) {
    this.id = id;
    this.title = title;
    this.env = env;
    this.targets = [];
    this.summary = [];
    this.data = {};
  }

  /** Prints a timing table: each peer with its ratio to the vigil case named in its `vs`. */
  printTimes(results, { unit = 'ns/op' } = {}) {
    const byName = new Map(results.map((r) => [r.name, r]));
    const rows = results.map((r) => {
      const ref = r.vs && byName.get(r.vs);
      const ratio = ref
        ? `${(ref.median / r.median).toPrecision(3)} (${formatSpeedup(r.median / ref.median)})`
        : '';
      return [r.name, formatNs(r.median), `${formatNs(r.min)}–${formatNs(r.max)}`, ratio, r.note ?? ''];
    });
    console.log(
      table([`case`, `median ${unit}`, 'min–max', 'vigil/peer (vigil faster by)', 'note'], rows, 'lrrrl'),
    );
    console.log(
      `${results[0]?.runs.length ?? 0} runs per case after warm-up, ~${results[0]?.runMs ?? RUN_MS} ms each (at least one call), cases interleaved, gc() between runs; nothing subtracted.`,
    );
  }

  /** Records and prints a target: PASS when `pass`, with the measured figure. */
  check(target, pass, measured) {
    this.targets.push({ target, pass, measured });
    console.log(`${pass ? 'PASS' : 'MISS'}  ${target}: ${measured}`);
    return pass;
  }

  /** A row of the suite summary (bench/run.js): strings as they should appear. */
  row(measure, { vigil = '', prom = '', otel = '', target = '', result = '' }) {
    this.summary.push({ scenario: this.id, measure, vigil, prom, otel, target, result });
  }

  /** The machine-readable line bench/run.js collects. */
  emit() {
    const result = {
      scenario: this.id,
      title: this.title,
      env: this.env,
      targets: this.targets,
      summary: this.summary,
      data: this.data,
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  }
}

/** The verdict for a row that covers several targets: PASS only if all of them pass. */
export function verdict(...passes) {
  if (passes.length === 0) return '—';
  return passes.every(Boolean) ? 'PASS' : 'MISS';
}
