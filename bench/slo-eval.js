// Scenario: SLO rule evaluation, 100 SLOs over 10,000 series: `vigil serve` evaluating the rules it
// derives from the SLOs (one group per SLO: 8 recorded error ratios and 2 burn-rate alerts) against
// Prometheus 2.42 evaluating `vigil check slos --expand` of the same SLO file, both holding the
// same samples (remote-written into each, then the SLOs loaded by a reload), both evaluating every
// EVAL_S seconds, measured one after the other (vigil first) so they never share the CPU.
//
// Data: 80 ratio SLOs, each over `bench_requests_<m>_total{instance, code}` (50 instances × codes
// 200 and 500 = 100 series; 0 to 5 errors per 100 requests, so some SLOs burn), and 20 latency SLOs
// over classic histograms `bench_latency_<m>_seconds` (10 instances × 8 buckets, _count and _sum =
// 100 series; threshold at the 0.5 s bucket): 10,000 series, HOURS hours at STEP_MS up to the moment
// each server gets them. The SLIs' windows run from 5m to 3d; the 2h, 6h, 1d and 3d ones each read
// all HOURS of data, as they would read their whole span in a server that has run for days.
//
// Measure: each server's own gauges, `vigil_rule_group_last_*` and Prometheus's
// `prometheus_rule_group_last_*` (see collectCycles): per cycle of 100 group evaluations, the
// server process's CPU time (the target's figure) and the sum of the groups' durations; medians of
// CYCLES cycles after WARMUP evaluations of every group.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, scenario, table } from './lib/harness.js';
import { cpuMs, prometheusInstalled, startPrometheus, until } from './lib/processes.js';
import { writeSeries } from './lib/remote-write.js';
import { startVigil } from './lib/vigil-server.js';

const CYCLES = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
const WARMUP = 1;
const HOURS = Number(process.env.BENCH_SLO_HOURS ?? 2);
const STEP_MS = 60_000;
const EVAL_S = 5;
const RATIO_SLOS = 80;
const LATENCY_SLOS = 20;
const BUCKETS = ['0.05', '0.1', '0.25', '0.5', '1.0', '2.5', '5.0', '+Inf'];

const report = scenario(
  'slo-eval',
  '100 SLOs over 10,000 series: one evaluation of their generated rules, vigil vs Prometheus 2.42',
);
const { checkSlos } = await import('../packages/server/dist/cli/check-slos.js');

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-slo-eval-'));
// The samples end when each server gets them (makeSeries per server), so the 5m window has data in both.
let series = makeSeries(Date.now());
const sloPath = join(dir, 'slos.yml');
writeFileSync(sloPath, makeSlos());
const expandedPath = join(dir, 'expanded.yml');
const expanded = [];
const problems = [];
if (
  (await checkSlos(
    ['--expand', sloPath],
    (l) => expanded.push(l),
    (l) => problems.push(l),
  )) !== 0
)
  throw new Error(`vigil check slos: ${problems.join('\n')}`);
writeFileSync(expandedPath, `${expanded.join('\n')}\n`);
const groupNames = [...Array(RATIO_SLOS + LATENCY_SLOS).keys()].map((m) => `slo:bench-${m}`);

try {
  const vigil = await runVigil();
  const prom = await runPrometheus();
  const row = (name, r) =>
    r.error
      ? [name, 'n/a', r.error, '', '', '']
      : [
          name,
          `${r.median.toFixed(0)} ms`,
          `${Math.min(...r.runs).toFixed(0)}–${Math.max(...r.runs).toFixed(0)} ms`,
          `${r.cpu.toFixed(0)} ms`,
          `${r.slowestGroup.toFixed(1)} ms`,
          `${r.recorded}`,
        ];
  console.log(
    table(
      [
        'engine',
        'median cycle (sum of 100 groups)',
        'min–max',
        'CPU per cycle',
        'slowest group (median)',
        'SLOs recorded',
      ],
      [row('vigil', vigil), row('Prometheus 2.42', prom)],
      'lrrrrr',
    ),
  );
  console.log(
    `${series.length} series, ${HOURS} h at ${STEP_MS / 1000} s (${series.length * series[0].timestamps.length} samples) in each; ${CYCLES} cycles after ${WARMUP} warm-up, every ${EVAL_S} s. Load average at the start: ${loadavg()[0].toFixed(1)} on ${cpus().length} cores.`,
  );
  const measured = !vigil.error && !prom.error;
  const wall = measured ? vigil.median / prom.median : Number.NaN;
  const cpu = measured ? vigil.cpu / prom.cpu : Number.NaN;
  const x = (r) => (r > 1 ? `vigil slower by ${r.toFixed(2)}x` : `vigil faster by ${(1 / r).toFixed(2)}x`);
  console.log(
    "A group's duration is wall time that overlaps the others' (Prometheus runs groups concurrently, vigil interleaves them on one thread), so their sum is far above the cycle's CPU; the target is checked on CPU.",
  );
  if (measured) {
    console.log(`vigil/Prometheus CPU per cycle: ${cpu.toFixed(2)} (${x(cpu)})`);
    console.log(`vigil/Prometheus sum of group durations: ${wall.toFixed(2)} (${x(wall)})`);
  }
  report.data = { vigil, prometheus: prom, slos: groupNames.length, series: series.length, hours: HOURS };
  const pass = report.check(
    "vigil's evaluation of 100 SLOs' rules over 10,000 series ≤ 1× Prometheus 2.42's of the --expand output (CPU per cycle)",
    measured && cpu <= 1,
    measured ? `CPU ratio ${cpu.toFixed(2)}, group durations ratio ${wall.toFixed(2)}` : 'not measured',
  );
  report.row(`SLO rule evaluation, CPU per cycle, 100 SLOs / 10,000 series, ${HOURS} h of data`, {
    vigil: vigil.error ? 'n/a' : `${vigil.cpu.toFixed(0)} ms CPU`,
    prom: prom.error ? 'n/a' : `Prometheus 2.42 ${prom.cpu.toFixed(0)} ms CPU`,
    target: '≤ 1× Prometheus',
    result: `${pass ? 'PASS' : 'MISS'}${measured ? ` (vigil/Prometheus ${cpu.toFixed(2)})` : ''}`,
  });
  report.emit();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function makeSeries(nowMs) {
  const endMs = Math.floor(nowMs / STEP_MS) * STEP_MS;
  const points = (HOURS * 3_600_000) / STEP_MS + 1;
  const times = Array.from({ length: points }, (_, k) => endMs - (points - 1 - k) * STEP_MS);
  const counter = (labels, perStep) => ({
    labels,
    timestamps: times,
    values: Float64Array.from(times, (_, k) => k * perStep),
  });
  const out = [];
  for (let m = 0; m < RATIO_SLOS; m++)
    for (let i = 0; i < 50; i++) {
      const name = `bench_requests_${m}_total`;
      out.push(counter({ __name__: name, instance: `i-${i}`, code: '200', job: 'bench' }, 100 + i));
      out.push(counter({ __name__: name, instance: `i-${i}`, code: '500', job: 'bench' }, (m % 5) + (i % 2)));
    }
  for (let m = RATIO_SLOS; m < RATIO_SLOS + LATENCY_SLOS; m++)
    for (let i = 0; i < 10; i++) {
      const base = { instance: `i-${i}`, job: 'bench' };
      const name = `bench_latency_${m}_seconds`;
      // Cumulative per-step counts: 60 requests a step, 55 to 57 under 0.5 s.
      const cumulative = [20, 30, 42, 55, 57, 58, 59, 60];
      BUCKETS.forEach((le, b) => {
        out.push(counter({ __name__: `${name}_bucket`, ...base, le }, cumulative[b] + (b === 3 ? m % 3 : 0)));
      });
      out.push(counter({ __name__: `${name}_count`, ...base }, 60));
      out.push(counter({ __name__: `${name}_sum`, ...base }, 14));
    }
  return out;
}

function makeSlos() {
  const lines = ['slos:'];
  for (let m = 0; m < RATIO_SLOS; m++)
    lines.push(
      `  - name: bench-${m}`,
      '    objective: 99',
      '    sli:',
      '      ratio:',
      `        errors: sum(rate(bench_requests_${m}_total{job="bench",code="500"}[$window]))`,
      `        total: sum(rate(bench_requests_${m}_total{job="bench"}[$window]))`,
    );
  for (let m = RATIO_SLOS; m < RATIO_SLOS + LATENCY_SLOS; m++)
    lines.push(
      `  - name: bench-${m}`,
      '    objective: 95',
      '    sli:',
      `      latency: { histogram: bench_latency_${m}_seconds, matchers: 'job="bench"', threshold: 0.5 }`,
    );
  return `${lines.join('\n')}\n`;
}

/** Remote-writes every series, in time slices so Prometheus's head takes them in order. */
async function writeAll(url, name) {
  const started = performance.now();
  series = makeSeries(Date.now());
  const end = series[0].timestamps.at(-1);
  const sliceMs = 20 * 60_000;
  for (let from = end - HOURS * 3_600_000; from <= end; from += sliceMs) {
    const slice = series.map((s) => {
      const keep = s.timestamps.flatMap((t, k) => (t >= from && t < from + sliceMs ? [k] : []));
      return {
        labels: s.labels,
        timestamps: keep.map((k) => s.timestamps[k]),
        values: Float64Array.from(keep, (k) => s.values[k]),
      };
    });
    await writeSeries(`${url}/api/v1/write`, slice);
  }
  console.log(`${name}: samples written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Group evaluations as the server's own gauges report them (`<prefix>_last_duration_seconds` and
 * `<prefix>_last_evaluation_timestamp_seconds`, label `rule_group`; a new timestamp is a new
 * evaluation), polled every 250 ms. After every group has been evaluated WARMUP times, a cycle is
 * the next 100 group evaluations: its CPU is the server process's CPU time between the polls that
 * counted the 100, its duration the sum of those evaluations' own durations. The sum of durations
 * is wall time and overlaps: Prometheus evaluates its groups concurrently, vigil interleaves them on
 * one thread, so a group's duration includes the others' work; CPU is what the target is checked on.
 */
async function collectCycles(url, pid, prefix, groupLabel) {
  const started = performance.now();
  const seen = new Map(groupNames.map((g) => [groupLabel(g), { last: undefined, count: 0 }]));
  const cpu = [];
  const runs = [];
  const perGroup = new Map();
  let counting = false;
  let evaluations = 0;
  let durationSum = 0;
  let cpuStart = 0;
  await until(
    `${prefix} rule group evaluations`,
    (1 + WARMUP + CYCLES + 4) * EVAL_S * 1000 * 4,
    async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const at = gaugeByGroup(text, `${prefix}_last_evaluation_timestamp_seconds`);
      const took = gaugeByGroup(text, `${prefix}_last_duration_seconds`);
      for (const [group, state] of seen) {
        const t = at.get(group);
        if (t === undefined || t === state.last) continue;
        state.last = t;
        state.count++;
        if (!counting) continue;
        evaluations++;
        durationSum += took.get(group) * 1000;
        perGroup.set(group, [...(perGroup.get(group) ?? []), took.get(group) * 1000]);
      }
      if (!counting && [...seen.values()].every((s) => s.count >= WARMUP)) {
        counting = true;
        cpuStart = cpuMs(pid);
      } else if (counting && evaluations >= groupNames.length) {
        const now = cpuMs(pid);
        // Scaled to exactly 100 evaluations: a poll can count a few past the hundredth.
        cpu.push(((now - cpuStart) * groupNames.length) / evaluations);
        runs.push((durationSum * groupNames.length) / evaluations);
        cpuStart = now;
        evaluations = 0;
        durationSum = 0;
      }
      return cpu.length >= CYCLES;
    },
    250,
  );
  console.log(`${prefix}: ${CYCLES} cycles in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return {
    cpu: median(cpu),
    cpuRuns: cpu,
    median: median(runs),
    runs,
    slowestGroup: Math.max(...[...perGroup.values()].map((d) => median(d))),
  };
}

/** `name{rule_group="…"} value` lines of an exposition, by rule_group. */
function gaugeByGroup(text, name) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const group = /rule_group="([^"]*)"/.exec(line)?.[1];
    if (group !== undefined)
      out.set(
        group,
        Number(
          line
            .slice(line.lastIndexOf('}') + 1)
            .trim()
            .split(' ')[0],
        ),
      );
  }
  return out;
}

/** How many SLOs have their 5m error ratio recorded: both engines must have done the same work. */
async function recordedRatios(url) {
  const q = new URLSearchParams({ query: 'count(slo:sli_error:ratio_rate5m)' });
  const body = await (await fetch(`${url}/api/v1/query?${q}`)).json();
  return Number(body.data.result[0]?.value[1] ?? 0);
}

async function runVigil() {
  // As for Prometheus, the SLOs come in by a reload once the samples are in.
  const slosNow = join(dir, 'vigil-slos.yml');
  writeFileSync(slosNow, 'slos: []\n');
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `evaluation_interval: ${EVAL_S}s
slo_files: [${JSON.stringify(slosNow)}]
selfMonitoring: { alerts: false }
notifications: { route: { receiver: quiet }, receivers: [{ name: quiet }] }
`,
  );
  const vigil = await startVigil({ env: { VIGIL_CONFIG: join(dir, 'vigil.yaml') } });
  try {
    await writeAll(vigil.url, 'vigil');
    writeFileSync(slosNow, readFileSync(sloPath));
    const reload = await fetch(`${vigil.url}/-/reload`, { method: 'POST' });
    if (!reload.ok) throw new Error(`vigil reload: ${reload.status} ${await reload.text()}`);
    const cycles = await collectCycles(vigil.url, vigil.pid, 'vigil_rule_group', (g) => g);
    return { ...cycles, recorded: await recordedRatios(vigil.url) };
  } catch (error) {
    return { error: `${error.message}${error.cause ? ` (${error.cause.message ?? error.cause})` : ''}` };
  } finally {
    await vigil.close();
  }
}

async function runPrometheus() {
  if (!prometheusInstalled()) return { error: 'not installed (scripts/install-peers.sh installs it)' };
  let prometheus;
  try {
    // The rules come in by a reload once the samples are in: a recording written at now while the
    // older samples are still arriving would move the head past them (out of bounds).
    const config = `global:\n  scrape_interval: 1h\n  evaluation_interval: ${EVAL_S}s\n`;
    prometheus = await startPrometheus({ dir, config });
    await writeAll(prometheus.url, 'Prometheus');
    writeFileSync(join(dir, 'prometheus.yml'), `${config}rule_files: [${JSON.stringify(expandedPath)}]\n`);
    process.kill(prometheus.pid, 'SIGHUP');
    const cycles = await collectCycles(
      prometheus.url,
      prometheus.pid,
      'prometheus_rule_group',
      (g) => `${expandedPath};${g}`,
    );
    return { ...cycles, recorded: await recordedRatios(prometheus.url) };
  } catch (error) {
    return {
      error: prometheus ? `${error.message}; log: ${prometheus.log().slice(-300)}` : error.message,
    };
  } finally {
    await prometheus?.stop();
  }
}
