// Scenario: rule evaluation, the wall time of one evaluation cycle of 1,000 alerting rules over
// 10,000 series, vigil (its RuleGroup on its PromqlEngine over the embedded SqliteStore, in this
// process) against Prometheus 2.42 evaluating the same rule file over the same samples (received
// by remote write), both evaluating the rules of one group in order, one after the other.
//
// Data: 100 metrics × 100 instances = 10,000 series, 41 samples each at 15 s up to the start (the
// last 10 minutes): 50 gauges `bench_gauge_<m>{instance}` (value = instance number) and 50
// counters `bench_requests_<m>_total{instance}` (rising by instance number per 15 s). Rules: 1,000,
// ten per metric with thresholds 90..99, `bench_gauge_<m> > t` for the gauges and
// `irate(bench_requests_<m>_total[5m]) > t / 15` for the counters (irate, so that the data ageing
// during the run changes no result), each rule reading 100 series and firing for 0 to 9 of them
// (4,500 alerts active), with `for: 1m`, a label and a templated
// annotation, as real rules have.
//
// vigil: `group.evaluate(now)` timed per cycle; WARMUP cycles then CYCLES, median. Prometheus:
// evaluation_interval 5 s, `prometheus_rule_group_last_duration_seconds` of the group read after
// each new evaluation (its own measure of the same thing), CYCLES evaluations after WARMUP, median.
// The data ages during the run; both stay within the 5-minute lookback, so results are unchanged.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, scenario, table } from './lib/harness.js';
import { cpuMs, metricValue, prometheusInstalled, startPrometheus, until } from './lib/processes.js';
import { writeSeries } from './lib/remote-write.js';

const CYCLES = Math.max(5, Number(process.env.BENCH_RUNS ?? 7));
const WARMUP = 2;
const METRICS = 100;
const INSTANCES = 100;
const POINTS = 41;
const STEP_MS = 15_000;
const RULES_PER_METRIC = 10;
const TARGET_MS = 1000;

const report = scenario(
  'alert-eval',
  '1,000 alerting rules over 10,000 series, one evaluation cycle, vigil vs Prometheus 2.42',
);
const { openSqliteStore } = await import('../packages/server/dist/store/sqlite-store.js');
const { PromqlEngine } = await import('../packages/server/dist/query/promql-engine.js');
const { parsePromql } = await import('../packages/server/dist/query/parse.js');
const { parseRuleFile } = await import('../packages/server/dist/alerts/rule-file.js');
const { RuleGroup } = await import('../packages/server/dist/alerts/rule-group.js');

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-alert-eval-'));
const end = Math.floor(Date.now() / STEP_MS) * STEP_MS;
const series = makeSeries(end);
const ruleText = makeRules();
const rulePath = join(dir, 'rules.yml');
writeFileSync(rulePath, ruleText);

try {
  const vigil = await runVigil();
  const prom = await runPrometheus();
  const rows = [
    [
      'vigil',
      `${vigil.median.toFixed(0)} ms`,
      `${Math.min(...vigil.runs).toFixed(0)}–${Math.max(...vigil.runs).toFixed(0)} ms`,
      `${vigil.cpu.toFixed(0)} ms`,
      String(vigil.alerts),
    ],
    prom.error
      ? ['Prometheus 2.42', 'n/a', prom.error, '', '']
      : [
          'Prometheus 2.42',
          `${prom.median.toFixed(0)} ms`,
          `${Math.min(...prom.runs).toFixed(0)}–${Math.max(...prom.runs).toFixed(0)} ms`,
          `${prom.cpu.toFixed(0)} ms`,
          String(prom.alerts),
        ],
  ];
  console.log(table(['engine', 'median cycle', 'min–max', 'CPU per cycle', 'alerts active'], rows, 'lrrrr'));
  console.log(
    `${CYCLES} cycles each after ${WARMUP} warm-up cycles; CPU: vigil's process per cycle (median), Prometheus's over the measured evaluations / ${CYCLES}. Load average at the start: ${loadavg()[0].toFixed(1)} on ${cpus().length} cores.`,
  );
  const ratio = prom.error ? Number.NaN : vigil.median / prom.median;
  if (!prom.error)
    console.log(
      `vigil/Prometheus cycle time: ${ratio.toFixed(2)} (${ratio > 1 ? `vigil slower by ${ratio.toFixed(2)}x` : `vigil faster by ${(1 / ratio).toFixed(2)}x`})`,
    );
  report.data = { vigil, prometheus: prom, rules: METRICS * RULES_PER_METRIC, series: series.length };
  const pass = report.check(
    '1,000 alerting rules over 10,000 series evaluated in under 1 s per cycle',
    vigil.median < TARGET_MS,
    `median ${vigil.median.toFixed(0)} ms`,
  );
  report.row('rule evaluation cycle, 1,000 rules / 10,000 series', {
    vigil: `${vigil.median.toFixed(0)} ms`,
    prom: prom.error ? 'n/a' : `Prometheus 2.42 ${prom.median.toFixed(0)} ms`,
    target: '< 1 s',
    result: `${pass ? 'PASS' : 'MISS'}${Number.isFinite(ratio) ? ` (vigil/Prometheus ${ratio.toFixed(2)})` : ''}`,
  });
  report.emit();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function makeSeries(endMs) {
  const out = [];
  for (let m = 0; m < METRICS; m++) {
    const counter = m % 2 === 1;
    const name = counter ? `bench_requests_${m}_total` : `bench_gauge_${m}`;
    for (let i = 0; i < INSTANCES; i++) {
      const timestamps = [];
      const values = new Float64Array(POINTS);
      for (let k = 0; k < POINTS; k++) {
        timestamps.push(endMs - (POINTS - 1 - k) * STEP_MS);
        values[k] = counter ? k * i : i;
      }
      out.push({ labels: { __name__: name, instance: `i-${i}`, job: 'bench' }, timestamps, values });
    }
  }
  return out;
}

function makeRules() {
  const lines = ['groups:', '  - name: bench', '    rules:'];
  for (let m = 0; m < METRICS; m++) {
    for (let r = 0; r < RULES_PER_METRIC; r++) {
      const t = 90 + r;
      const expr =
        m % 2 === 1 ? `irate(bench_requests_${m}_total[5m]) > ${t / 15}` : `bench_gauge_${m} > ${t}`;
      lines.push(
        `      - alert: Bench_${m}_${r}`,
        `        expr: ${expr}`,
        '        for: 1m',
        '        labels: { severity: warning }',
        `        annotations: { summary: "{{ $labels.instance }} at {{ $value | humanize }}" }`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

async function runVigil() {
  const store = await openSqliteStore({ dir: join(dir, 'vigil') });
  for (let i = 0; i < series.length; i += 1000) await store.append(series.slice(i, i + 1000));
  await store.flush();
  const [spec] = parseRuleFile(ruleText, rulePath, (e) => parsePromql(e));
  const alerts = [];
  const group = new RuleGroup({
    spec,
    intervalMs: 5000,
    engine: new PromqlEngine({ store }),
    store,
    clock: { now: () => Date.now(), every: () => () => {} },
    sink: { receive: (a) => alerts.push(a.length) },
    events: { record: () => {} },
    context: { externalLabels: {}, externalURL: '' },
    resendDelayMs: 60_000,
    restore: undefined,
  });
  const runs = [];
  const cpu = [];
  for (let c = 0; c < WARMUP + CYCLES; c++) {
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    await group.evaluate(Date.now());
    const ms = performance.now() - t0;
    const u = process.cpuUsage(u0);
    if (c >= WARMUP) {
      runs.push(ms);
      cpu.push((u.user + u.system) / 1000);
    }
  }
  const failed = [...group.status.values()].filter((s) => s.health !== 'ok');
  if (failed.length > 0)
    throw new Error(`vigil: ${failed.length} rules failed, first: ${failed[0].lastError}`);
  const active = group.rules.reduce((n, r) => n + r.alerts().length, 0);
  await store.close();
  return { median: median(runs), runs, cpu: median(cpu), alerts: active };
}

async function runPrometheus() {
  if (!prometheusInstalled()) return { error: 'not installed (scripts/install-peers.sh installs it)' };
  let prometheus;
  try {
    prometheus = await startPrometheus({
      dir,
      config: `global:\n  scrape_interval: 1h\n  evaluation_interval: 5s\nrule_files: [${JSON.stringify(rulePath)}]\n`,
    });
    const base = prometheus.url;
    await writeSeries(`${base}/api/v1/write`, series);
    const runs = [];
    let last = '';
    let seen = 0;
    let cpu0 = 0;
    await until(
      'Prometheus rule evaluations',
      600_000,
      async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        const at = String(
          metricValue(text, 'prometheus_rule_group_last_evaluation_timestamp_seconds', {
            rule_group: `${rulePath};bench`,
          }),
        );
        if (at !== last && Number(at) > 0) {
          last = at;
          seen++;
          if (seen === WARMUP + 1) cpu0 = cpuMs(prometheus.pid);
          if (seen > WARMUP + 1)
            runs.push(
              metricValue(text, 'prometheus_rule_group_last_duration_seconds', {
                rule_group: `${rulePath};bench`,
              }) * 1000,
            );
        }
        return runs.length >= CYCLES;
      },
      250,
    );
    // Prometheus's CPU over the measured evaluations, per evaluation (its idle work included, small).
    const cpu = (cpuMs(prometheus.pid) - cpu0) / CYCLES;
    const alerts = await (await fetch(`${base}/api/v1/alerts`)).json();
    return { median: median(runs), runs, cpu, alerts: alerts.data.alerts.length };
  } catch (error) {
    return {
      error: prometheus ? `${error.message}; log: ${prometheus.log().slice(-300)}` : error.message,
    };
  } finally {
    await prometheus?.stop();
  }
}
