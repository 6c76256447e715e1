/**
 * docs/bench-compare.md, rendered from bench/results/compare.json alone (bench/compare.js): for each
 * summary row both trees printed, vigil's figure and its peer's in the same run, their ratio, and how
 * the ratio moved from before to after. Rows without a peer compare vigil's absolute figures, which
 * carry the whole machine's load and are flagged as such.
 */
import { describeEnvironment, table } from './harness.js';

/**
 * A change past this, over at least RUNS runs of each tree that do not overlap, is called a
 * regression; past it on fewer runs, it is only a row to run again.
 */
const NOISE = 0.1;
const RUNS = 3;

const UNITS = {
  ns: 1,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  k: 1e3,
  'M/s': 1e6,
  '%': 1,
};
const QUANTITY = /(\d[\d,]*(?:\.\d+)?)\s*(ns|µs|ms|s|B|KiB|MiB|k|M\/s|%)?(?![\w/])/g;

/**
 * The numbers of a summary cell, in one unit per kind, with what is in parentheses left out (ratios
 * and notes) and a peer's version number ("Prometheus 2.42 74.5 ms") not taken for a figure.
 */
export function quantities(cell) {
  const text = String(cell ?? '')
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\b(Prometheus|Alertmanager) \d+\.\d+(?=\s+\d)/g, '$1');
  return [...text.matchAll(QUANTITY)].map(([, n, unit]) => ({
    value: Number(n.replaceAll(',', '')) * (UNITS[unit] ?? 1),
    unit: unit ?? '',
  }));
}

/** Throughputs are better higher; times, bytes and errors lower. */
const higherIsBetter = (measure) => /(samples|lines)\/s/.test(measure);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const shown = (q) => {
  const v = q.value / (UNITS[q.unit] ?? 1);
  return `${v >= 100 ? Math.round(v).toLocaleString('en-US') : Number(v.toPrecision(3))}${q.unit && q.unit !== '%' ? ' ' : ''}${q.unit}`;
};

/** One tree's figures for one row over its runs: vigil's first figure, the peer's, their ratio. */
function figures(runs, measure, index) {
  const out = [];
  for (const run of runs) {
    const row = run.summary.find((s) => s.measure === measure) ?? run.summary[index];
    if (!row) continue;
    const [vigil] = quantities(row.vigil);
    // The first peer with a figure: prom-client or the server peer, else OpenTelemetry (disabled.js).
    const [peer] = quantities(row.prom).length > 0 ? quantities(row.prom) : quantities(row.otel);
    if (!vigil) continue;
    out.push({ vigil, peer, ratio: peer && peer.value > 0 ? vigil.value / peer.value : undefined });
  }
  return out;
}

function summarize(figs) {
  if (figs.length === 0) return undefined;
  const ratios = figs.map((f) => f.ratio).filter((r) => r !== undefined);
  const unit = figs[0].vigil.unit;
  const peers = figs.filter((f) => f.peer);
  return {
    n: figs.length,
    vigil: { value: median(figs.map((f) => f.vigil.value)), unit },
    vigils: figs.map((f) => f.vigil.value),
    peer: peers.length
      ? { value: median(peers.map((f) => f.peer.value)), unit: peers[0].peer.unit }
      : undefined,
    ratio: ratios.length === figs.length ? median(ratios) : undefined,
    ratios,
  };
}

const fixed = (r) => Number(r.toPrecision(2)).toString();
const range = (xs) => (xs.length > 1 ? ` (${fixed(Math.min(...xs))}–${fixed(Math.max(...xs))})` : '');

/** The rows of the comparison, one per summary row of every scenario both trees measured. */
export function compareRows(data, order) {
  const names = [...new Set(data.runs.map((r) => r.name))].sort(
    (a, b) => (order.indexOf(a) + 1 || 1e9) - (order.indexOf(b) + 1 || 1e9),
  );
  const rows = [];
  for (const name of names) {
    const ok = (side) => data.runs.filter((r) => r.name === name && r.side === side && r.summary);
    const before = ok('before');
    const after = ok('after');
    const failed = data.runs.filter((r) => r.name === name && r.error).map((r) => `${r.side}: ${r.error}`);
    const template = after[0] ?? before[0];
    if (!template) {
      rows.push({ name, measure: `FAILED (${failed.join('; ')})` });
      continue;
    }
    template.summary.forEach((s, i) => {
      const b = summarize(figures(before, s.measure, i));
      const a = summarize(figures(after, s.measure, i));
      const row = { name, measure: s.measure, before: b, after: a, failed };
      if (a && b) {
        const up = higherIsBetter(s.measure);
        const withPeer = a.ratio !== undefined && b.ratio !== undefined;
        const [x, y, xs, ys] = withPeer
          ? [b.ratio, a.ratio, b.ratios, a.ratios]
          : [b.vigil.value, a.vigil.value, b.vigils, a.vigils];
        row.withPeer = withPeer;
        row.worse = up ? x / y - 1 : y / x - 1;
        const apart = up ? Math.max(...ys) < Math.min(...xs) : Math.min(...ys) > Math.max(...xs);
        row.regressed = row.worse > NOISE && apart && Math.min(a.n, b.n) >= RUNS;
        row.recheck = row.worse > NOISE && !row.regressed && Math.min(a.n, b.n) < RUNS;
      }
      rows.push(row);
    });
  }
  return rows;
}

function verdictOf(row) {
  if (!row.before) return 'after only';
  if (!row.after) return 'before only';
  if (row.worse === undefined || Number.isNaN(row.worse)) return '—';
  const pct = `${row.worse >= 0 ? '+' : '−'}${Math.abs(row.worse * 100).toFixed(0)}%`;
  const note = row.withPeer ? '' : ' (absolute, noisy)';
  return `${pct}${note}${row.regressed ? ' **worse**' : row.recheck ? ' (to run again)' : ''}`;
}

/** The commits a side's runs came from, with how many runs each (their messages are in git log). */
function commits(data, side) {
  const counts = new Map();
  for (const r of data.runs.filter((r) => r.side === side)) {
    const c = r.commit ?? data[side].commit.split(' ')[0];
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return [...counts].map(([c, n]) => `\`${c}\` (${n} runs)`).join(', ');
}

/** The page's text. */
export function renderComparison(data, order) {
  const rows = compareRows(data, order);
  const cell = (s) =>
    s ? `${shown(s.vigil)}${s.peer ? ` / ${shown(s.peer)}` : ''}${s.n > 1 ? ` ×${s.n}` : ''}` : '';
  const ratio = (s) => (s?.ratio !== undefined ? `${fixed(s.ratio)}${range(s.ratios)}` : '');
  const body = table(
    ['scenario', 'measure', 'before: vigil / peer', 'ratio', 'after: vigil / peer', 'ratio', 'change'],
    rows.map((r) => [
      r.name,
      r.measure,
      cell(r.before),
      ratio(r.before),
      cell(r.after),
      ratio(r.after),
      r.measure.startsWith('FAILED') ? '' : verdictOf(r),
    ]),
  );
  const regressed = rows.filter((r) => r.regressed);
  const recheck = rows.filter((r) => r.recheck);
  const loads = data.runs.map((r) => Number(r.load)).filter((l) => l >= 0);
  return [
    '# Benchmarks before and after',
    '',
    '<!-- Generated by `node bench/compare.js` from bench/results/compare.json; edits here are overwritten. -->',
    '',
    `Before: ${commits(data, 'before')}`,
    `After: ${commits(data, 'after')}`,
    '',
    `Machine: ${describeEnvironment(data.env)}; load average (1 min) at the end of each run ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}.`,
    '',
    'Each scenario ran in both trees one after the other, the tree going first alternating, each',
    'with its peer in the same run (`nice node bench/compare.js --before DIR [SCENARIO...]`). Cells are',
    'medians over the runs (×N when more than one); ratio = vigil / peer, with its range over the runs.',
    `Change: how much worse after is than before (+) or better (−), on the ratio when there is a peer,`,
    `on vigil's absolute figure otherwise (the machine is shared, so those move with its load). **worse**:`,
    `more than ${NOISE * 100}% worse over at least ${RUNS} runs of each tree that do not overlap; "to run again":`,
    `more than ${NOISE * 100}% worse on fewer runs.`,
    '',
    body,
    '',
    regressed.length === 0
      ? 'No row is worse beyond the noise.'
      : `Worse beyond the noise: ${regressed.map((r) => `${r.name} (${r.measure})`).join('; ')}.`,
    ...Object.entries(data.notes ?? {}).flatMap(([name, note]) => ['', `${name}: ${note}`]),
    ...(recheck.length
      ? ['', `Not settled (too few runs): ${[...new Set(recheck.map((r) => r.name))].join(', ')}.`]
      : []),
    '',
  ].join('\n');
}
