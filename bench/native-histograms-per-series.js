// Scenario: `histogram_quantile(0.99, rate(h[5m]))`, a percentile per series without an aggregation,
// over 100 native histograms for 6 hours at a 60 s step: end-to-end `query_range` latency of
// `vigil serve` against Prometheus 2.42 (--enable-feature=native-histograms) holding the same
// samples (lib/query-bench.js), both at their default limits, Prometheus given `--query.timeout=1h`.
//
// A smaller variant of native-histograms.js's data (lib/native-latency-series.js, 6 h instead of
// 24 h): a Prometheus 2.42 round over 24 hours takes minutes. vigil folds each series' histograms
// into the percentile's floats as the store hands them over; the same query over 24 hours, which
// holds 93 million samples by weight, is answered at its default limits too (tested in
// packages/server/test/http/native-histogram-default-limits.test.ts).
//
// Answers: Prometheus 2.42 interpolates linearly inside a bucket, vigil exponentially as Prometheus 3
// does, so they are compared within one schema-6 bucket (2^(1/64), 1.09%). 3 timed rounds after one
// warm-up (BENCH_NATIVE_RUNS for more).
import { scenario } from './lib/harness.js';
import { nativeLatencySeries } from './lib/native-latency-series.js';
import { minuteAgo, startServers, timeQuery } from './lib/query-bench.js';

const report = scenario(
  'native-histograms-per-series',
  'histogram_quantile(0.99, rate(h[5m])) per series, 100 native histograms x 6 h, vigil vs Prometheus 2.42',
);
const HOURS = 6;
const end = minuteAgo(10);
const start = end - HOURS * 3_600_000;
const ONE_BUCKET = 2 ** (1 / 64) - 1;
const { series } = nativeLatencySeries({ count: 100, start, end });

const NATIVE_RUNS = Math.max(1, Number(process.env.BENCH_NATIVE_RUNS ?? 3));
const { servers, load, close } = await startServers({
  prometheusArgs: ['--enable-feature=native-histograms', '--query.timeout=1h'],
});
const params = {
  query: 'histogram_quantile(0.99, rate(h[5m]))',
  start: String(start / 1000),
  end: String(end / 1000),
  step: '60',
};
let timed;
try {
  await load(series);
  console.log(`query_range ${JSON.stringify(params)}; ${NATIVE_RUNS} runs`);
  timed = await timeQuery(servers, params, { tolerance: ONE_BUCKET, runs: NATIVE_RUNS, warmup: 1 });
} finally {
  await close();
}

report.data = { params, ...timed };
const label = `histogram_quantile(0.99, rate(h[5m])), 100 native histograms, ${HOURS} h, step 60 s`;
const pass = report.check(
  `${label}: vigil's median end-to-end latency at most 1x Prometheus 2.42's, answers within one bucket`,
  timed.ratio <= 1 && timed.same,
  `vigil ${timed.vigil.toFixed(1)} ms vs Prometheus ${timed.prometheus.toFixed(1)} ms = ${timed.ratio.toFixed(2)}x; answers ${timed.same ? 'agree within one bucket' : 'differ'}`,
);
report.row(label, {
  vigil: `${timed.vigil.toFixed(1)} ms`,
  prom: `Prometheus 2.42 ${timed.prometheus.toFixed(1)} ms`,
  target: '<= 1x Prometheus',
  result: `${pass ? 'PASS' : 'MISS'} (${timed.ratio.toFixed(2)})`,
});
report.emit();
