// The text exposition of two builds of @vigil/metrics in one process, timed alternately round by
// round, so that a shared machine's load falls on both alike (bench/compare.js runs them in
// processes of their own, minutes apart). Each build gets the same registries: 1,000 and 10,000
// labelled counter series, 1,000 histogram series of 20 observations. Timed: `await snapshot()`
// alone, `toPrometheusText` alone, and the two with the text flattened (`charCodeAt` makes V8 copy
// a rope into one string, as sending it would): a text built with `+=` and never read whole leaves
// that copy to its reader, so `.length` alone times a build that defers it as cheaper.
//
//   nice node bench/ab-exposition.js /tmp/before        before = that checkout's build, after = this one
//   AB_ROUNDS=15 nice node bench/ab-exposition.js /tmp/before
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const before = process.argv[2];
if (!before) {
  console.error('usage: node bench/ab-exposition.js BEFORE_DIR (a built checkout of vigil)');
  process.exit(2);
}
const ROUNDS = Number(process.env.AB_ROUNDS ?? 11);
const trees = { before: resolve(before), after: fileURLToPath(new URL('..', import.meta.url)) };

const libs = {};
for (const [side, dir] of Object.entries(trees)) {
  const index = await import(pathToFileURL(`${dir}/packages/metrics/dist/index.js`).href);
  const text = index.toPrometheusText
    ? index
    : await import(pathToFileURL(`${dir}/packages/metrics/dist/expo/prometheus-text.js`).href);
  libs[side] = { Registry: index.Registry, toPrometheusText: text.toPrometheusText };
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const labelsOf = (i) => ({ method: METHODS[i & 3], route: `/api/v1/items/${i >> 2}` });

function registry(lib, kind, n) {
  const r = new lib.Registry({ maxSeriesPerMetric: n + 1 });
  if (kind === 'counter') {
    const c = r.counter({ name: 'http_requests_total', help: 'Requests.', labelNames: ['method', 'route'] });
    for (let i = 0; i < n; i++) c.inc(labelsOf(i), (i % 1000) + 1);
    return r;
  }
  const h = r.histogram({ name: 'http_latency_seconds', help: 'Latency.', labelNames: ['method', 'route'] });
  let x = 1;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 20; k++) {
      x = (x * 48271) % 2147483647; // the same seeded values for both builds
      h.observe(labelsOf(i), (x / 2147483647) * 0.5);
    }
  }
  return r;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ms = (x) => x.toFixed(3);

for (const [kind, n] of [
  ['counter', 1_000],
  ['counter', 10_000],
  ['histogram', 1_000],
]) {
  const registries = { before: registry(libs.before, kind, n), after: registry(libs.after, kind, n) };
  const times = { before: { snapshot: [], text: [], full: [] }, after: { snapshot: [], text: [], full: [] } };
  const calls = Math.max(5, Math.round(200_000 / n));
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 ? ['after', 'before'] : ['before', 'after']) {
      const r = registries[side];
      const f = libs[side].toPrometheusText;
      let t0 = performance.now();
      for (let i = 0; i < calls; i++) sink += (await r.snapshot()).metrics.length;
      times[side].snapshot.push((performance.now() - t0) / calls);
      const snapshot = await r.snapshot();
      t0 = performance.now();
      for (let i = 0; i < calls; i++) sink += f(snapshot).length;
      times[side].text.push((performance.now() - t0) / calls);
      t0 = performance.now();
      for (let i = 0; i < calls; i++) {
        const text = f(await r.snapshot());
        sink += text.charCodeAt(0) + text.length;
      }
      times[side].full.push((performance.now() - t0) / calls);
    }
  }
  const line = (what) => {
    const [b, a] = [median(times.before[what]), median(times.after[what])];
    return `${what} ${ms(b)} -> ${ms(a)} ms (${(a / b).toFixed(2)}x)`;
  };
  console.log(
    `${kind} x${n.toLocaleString('en-US')}, median of ${ROUNDS} rounds: ${line('snapshot')}; ${line('text')}, not flattened; ${line('full')}, snapshot + text flattened`,
  );
  if (sink < 0) console.log(sink);
}
