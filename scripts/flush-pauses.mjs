// How long the event loop waits while the embedded store flushes many new series at once (issue 13:
// 300,000 new series held it for about 15 s in one transaction). In process, on a temporary store:
// N new series of four labels, two samples each, appended, then one store.flush(), while a 5 ms
// interval timer records how late each of its callbacks comes; prints the flush's wall and CPU time
// and the timer's gaps. Optionally (STEADY=1) a second sample for every series first, and the flush
// of those alone is measured: the steady state of a scrape.
//
//   npm run build && node scripts/flush-pauses.mjs [N = 300000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../packages/server/dist/store/sqlite-store.js', import.meta.url));
const { openSqliteStore } = await import(dist);
const N = Number(process.argv[2] ?? 300_000);
const dir = mkdtempSync(join(tmpdir(), 'vigil-flush-pauses-'));
const store = await openSqliteStore({ dir, flushIntervalMs: 3_600_000 });
const now = Date.now();
const labels = (k) => ({
  __name__: 'flush_pauses',
  job: 'bench',
  instance: `host-${k % 100}`,
  id: `series-${k}`,
});
async function appendAll(timestamps, values) {
  for (let i = 0; i < N; i += 1000) {
    const batch = [];
    for (let k = i; k < Math.min(N, i + 1000); k++) batch.push({ labels: labels(k), timestamps, values });
    await store.append(batch);
  }
}
await appendAll([now - 2000, now - 1000], [1, 2]);
if (process.env.STEADY) {
  await store.flush();
  await appendAll([now], [3]);
}
const gaps = [];
let last = performance.now();
const timer = setInterval(() => {
  const t = performance.now();
  gaps.push(t - last);
  last = t;
}, 5);
const cpu = process.cpuUsage();
const t0 = performance.now();
await store.flush();
const wall = performance.now() - t0;
const used = process.cpuUsage(cpu);
await new Promise((resolve) => setTimeout(resolve, 20));
clearInterval(timer);
gaps.sort((a, b) => a - b);
const at = (q) => gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * q))].toFixed(0);
console.log(
  `${N.toLocaleString('en-US')} ${process.env.STEADY ? 'known' : 'new'} series: flush ${wall.toFixed(0)} ms wall, ${((used.user + used.system) / 1000).toFixed(0)} ms CPU; 5 ms timer gaps p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${gaps.at(-1).toFixed(0)} ms`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
