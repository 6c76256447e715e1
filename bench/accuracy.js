// Scenario 8: percentile accuracy — relative error at p50, p90, p99, p99.9 on 1,000,000 samples from
// four distributions, against the exact value sorted[floor(q·(n-1))]: vigil histogram get(), vigil
// after merging two half-sketches (QuantileSketch.merge), and prom-client Summary. Seeded data.
import client from 'prom-client';
import { DISTRIBUTIONS, sample } from './lib/data.js';
import { formatPercent, scenario, table, verdict } from './lib/harness.js';
import { vigil } from './lib/subjects.js';

const N = 1_000_000;
const SEEDS = (process.env.BENCH_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const QUANTILES = [0.5, 0.9, 0.99, 0.999];
const KEYS = ['p50', 'p90', 'p99', 'p999'];
const SUBJECTS = ['vigil get()', 'vigil merged halves', 'prom-client Summary'];

const report = scenario('accuracy', 'percentile relative error on 1,000,000 samples');
console.log(
  `seeds ${SEEDS.join(', ')}; worst |estimate - exact| / exact over the seeds; exact = sorted[floor(q·(n-1))]`,
);

const relative = (estimate, exact) => Math.abs(estimate - exact) / Math.abs(exact);
/** worst[subject][distribution][q] = worst relative error in % over the seeds. */
const worst = Object.fromEntries(SUBJECTS.map((s) => [s, {}]));

for (const [name, distribution] of Object.entries(DISTRIBUTIONS)) {
  for (const subject of SUBJECTS) worst[subject][name] = QUANTILES.map(() => 0);
  for (const seed of SEEDS) {
    const values = sample(name, N, seed);
    const sorted = Float64Array.from(values).sort();
    const exact = QUANTILES.map((q) => sorted[Math.floor(q * (N - 1))]);

    const histogram = new vigil.Registry().histogram({ name: 'x', help: 'x' });
    for (let i = 0; i < N; i++) histogram.observe(values[i]);
    const stats = histogram.get();

    const first = new vigil.QuantileSketch();
    const second = new vigil.QuantileSketch();
    for (let i = 0; i < N / 2; i++) first.add(values[i]);
    for (let i = N / 2; i < N; i++) second.add(values[i]);
    first.merge(second);
    const merged = QUANTILES.map((q) => first.quantile(q));

    const summary = new client.Summary({ name: 'x', help: 'x', percentiles: QUANTILES, registers: [] });
    for (let i = 0; i < N; i++) summary.observe(values[i]);
    const promValues = (await summary.get()).values;
    const prom = QUANTILES.map((q) => promValues.find((v) => v.labels.quantile === q).value);

    const estimates = {
      'vigil get()': KEYS.map((k) => stats[k]),
      'vigil merged halves': merged,
      'prom-client Summary': prom,
    };
    for (const subject of SUBJECTS) {
      QUANTILES.forEach((_, i) => {
        const e = relative(estimates[subject][i], exact[i]) * 100;
        worst[subject][name][i] = Math.max(
          worst[subject][name][i],
          Number.isNaN(e) ? Number.POSITIVE_INFINITY : e,
        );
      });
    }
  }
  console.log(`\n## ${name}: ${distribution.text}`);
  console.log(
    table(
      ['subject', ...KEYS.map((k) => `${k} error`), 'worst'],
      SUBJECTS.map((s) => [
        s,
        ...worst[s][name].map(formatPercent),
        formatPercent(Math.max(...worst[s][name])),
      ]),
      'lrrrrr',
    ),
  );
}

const worstOf = (subject) => Math.max(...Object.values(worst[subject]).flat());
const perDistribution = (subject) =>
  Object.keys(DISTRIBUTIONS)
    .map((d) => formatPercent(Math.max(...worst[subject][d])))
    .join(' / ');
console.log(`\nworst error per distribution (${Object.keys(DISTRIBUTIONS).join(' / ')}):`);
for (const s of SUBJECTS) console.log(`  ${s}: ${perDistribution(s)}`);
console.log('');
report.data = { worst, seeds: SEEDS, samples: N };
const okGet = report.check(
  'vigil worst error ≤1% at every quantile on all 4 distributions',
  worstOf('vigil get()') <= 1,
  formatPercent(worstOf('vigil get()')),
);
const okMerge = report.check(
  '… also after merging two half-sketches',
  worstOf('vigil merged halves') <= 1,
  formatPercent(worstOf('vigil merged halves')),
);
report.row('worst percentile error, p50–p99.9, 4 distributions', {
  vigil: `${formatPercent(worstOf('vigil get()'))} (merged ${formatPercent(worstOf('vigil merged halves'))})`,
  prom: `${formatPercent(worstOf('prom-client Summary'))} Summary`,
  otel: 'n/a',
  target: '≤1%',
  result: verdict(okGet, okMerge),
});
report.emit();
