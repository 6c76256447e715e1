// Scenario: a 30-day range query of one series, as a dashboard panel over a month asks it
// (`g`, step 5 min, 8,641 points), end-to-end HTTP latency of `vigil serve` against Prometheus 2.42
// holding the same samples (lib/query-bench.js). Both keep 30+ days (vigil METRICS_RETENTION_DAYS=40,
// Prometheus --storage.tsdb.retention.time=60d).
//
// Data: one gauge scraped every 15 s for 30 days and 10 minutes (172,841 samples), a seeded random walk.
import { scenario } from './lib/harness.js';
import { minuteAgo, queryScenario, RUNS } from './lib/query-bench.js';

const report = scenario(
  'query-long-range',
  'PromQL 30-day range query of one series, vigil vs Prometheus 2.42',
);
const end = minuteAgo(10);
const start = end - 30 * 86_400_000;
const INTERVAL = 15_000;
let seed = 11;
const random = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};
const n = Math.floor((end - (start - 600_000)) / INTERVAL) + 1;
const timestamps = new Float64Array(n);
const values = new Float64Array(n);
let v = 100;
for (let i = 0; i < n; i++) {
  timestamps[i] = start - 600_000 + i * INTERVAL + 137;
  v = Math.max(0, v + (random() - 0.5) * 4);
  values[i] = Math.round(v * 1000) / 1000;
}
console.log(`${RUNS} runs`);
await queryScenario(report, {
  series: [{ labels: { __name__: 'g', job: 'long' }, timestamps, values }],
  params: { query: 'g', start: String(start / 1000), end: String(end / 1000), step: '300' },
  label: '30-day range query of one series (g, step 5 min)',
  vigilEnv: { METRICS_RETENTION_DAYS: '40' },
});
