// Scenario: `histogram_quantile(0.99, rate(h[5m]))`, a percentile per series without an aggregation,
// and `histogram_quantile(0.99, sum by (instance) (rate(h[5m])))`, the same through one group per
// series, over 100 native histograms for 6 hours at a 60 s step: end-to-end `query_range` latency of
// `vigil serve` against Prometheus 2.42 (--enable-feature=native-histograms) holding the same
// samples (lib/query-bench.js), both at their default limits, Prometheus given `--query.timeout=1h`.
//
// A smaller variant of native-histograms.js's data (lib/native-latency-series.js, 6 h instead of
// 24 h): a Prometheus 2.42 round over 24 hours takes minutes. vigil folds each series' histograms
// into the percentile's floats as the store hands them over (by instance, each group's sums as soon
// as its series is folded); both queries over 24 hours, whose histograms weigh 93 million samples,
// are answered at its default limits too (packages/server/test/http/native-histogram-default-limits.test.ts).
//
// Answers: Prometheus 2.42 interpolates linearly inside a bucket, vigil exponentially as Prometheus 3
// does, so they are compared within one schema-6 bucket (2^(1/64), 1.09%). 3 timed rounds after one
// warm-up (BENCH_NATIVE_RUNS for more).
import { scenario } from './lib/harness.js';
import { nativeLatencySeries } from './lib/native-latency-series.js';
import { minuteAgo, startServers, timeQuery } from './lib/query-bench.js';

const report = scenario(
  'native-histograms-per-series',
  'histogram_quantile(0.99, rate(h[5m])) per series and by instance, 100 native histograms x 6 h, vigil vs Prometheus 2.42',
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
const QUERIES = [
  'histogram_quantile(0.99, rate(h[5m]))',
  'histogram_quantile(0.99, sum by (instance) (rate(h[5m])))',
];
const timed = [];
try {
  await load(series);
  for (const query of QUERIES) {
    const params = { query, start: String(start / 1000), end: String(end / 1000), step: '60' };
    console.log(`query_range ${JSON.stringify(params)}; ${NATIVE_RUNS} runs`);
    timed.push({
      params,
      ...(await timeQuery(servers, params, { tolerance: ONE_BUCKET, runs: NATIVE_RUNS, warmup: 1 })),
    });
  }
} finally {
  await close();
}

report.data = { queries: timed };
for (const t of timed) {
  const label = `${t.params.query}, 100 native histograms, ${HOURS} h, step 60 s`;
  const pass = report.check(
    `${label}: vigil's median end-to-end latency at most 1x Prometheus 2.42's, answers within one bucket`,
    t.ratio <= 1 && t.same,
    `vigil ${t.vigil.toFixed(1)} ms vs Prometheus ${t.prometheus.toFixed(1)} ms = ${t.ratio.toFixed(2)}x; answers ${t.same ? 'agree within one bucket' : 'differ'}`,
  );
  report.row(label, {
    vigil: `${t.vigil.toFixed(1)} ms`,
    prom: `Prometheus 2.42 ${t.prometheus.toFixed(1)} ms`,
    target: '<= 1x Prometheus',
    result: `${pass ? 'PASS' : 'MISS'} (${t.ratio.toFixed(2)})`,
  });
}
report.emit();
