// Scenario: `histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))` over 100 histograms of 12
// buckets (1,200 series) for 24 hours at a 60 s step (1,441 points), end-to-end HTTP latency of
// `vigil serve` against Prometheus 2.42 holding the same samples (lib/query-bench.js).
//
// Data: h_bucket{instance="i00".."i99", le=12 bounds incl. +Inf}, scraped every 30 s for 24 h 5 min
// before the query's end; each scrape adds a seeded number of observations to the buckets. The
// phase is never 0, so no sample sits exactly at t - 5m, where vigil's left-open ranges (Prometheus 3)
// and 2.42's closed ones would differ by design (bench/query-rate-sum.js).
import { scenario } from './lib/harness.js';
import { minuteAgo, queryScenario, RUNS } from './lib/query-bench.js';

const report = scenario(
  'query-histogram-quantile',
  'PromQL histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m]))), 100 x 12 buckets x 24 h, vigil vs Prometheus 2.42',
);
const end = minuteAgo(10);
const start = end - 24 * 3_600_000;
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity];
const INTERVAL = 30_000;
let seed = 7;
const random = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};
const series = [];
for (let h = 0; h < 100; h++) {
  const phase = 1 + Math.floor(random() * (INTERVAL - 1));
  const n = Math.floor((end - (start - 300_000) - phase) / INTERVAL) + 1;
  const timestamps = new Float64Array(n);
  for (let i = 0; i < n; i++) timestamps[i] = start - 300_000 + phase + i * INTERVAL;
  const buckets = BOUNDS.map(() => new Float64Array(n));
  const counts = BOUNDS.map(() => 0);
  for (let i = 0; i < n; i++) {
    const observations = Math.floor(random() * 20);
    for (let o = 0; o < observations; o++) {
      const latency = random() ** 3 * 8;
      for (let b = 0; b < BOUNDS.length; b++) if (latency <= BOUNDS[b]) counts[b]++;
    }
    for (let b = 0; b < BOUNDS.length; b++) buckets[b][i] = counts[b];
  }
  BOUNDS.forEach((le, b) => {
    series.push({
      labels: {
        __name__: 'h_bucket',
        instance: `i${String(h).padStart(2, '0')}`,
        le: le === Infinity ? '+Inf' : String(le),
      },
      timestamps,
      values: buckets[b],
    });
  });
}
console.log(`${RUNS} runs`);
await queryScenario(report, {
  series,
  params: {
    query: 'histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))',
    start: String(start / 1000),
    end: String(end / 1000),
    step: '60',
  },
  label: 'histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m]))), 100 x 12 buckets, 24 h, step 60 s',
});
