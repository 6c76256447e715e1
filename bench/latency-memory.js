// Scenario: the latency tracker's heap over 1,000,000 records with the default ring (10,000).
// In a child process (node --expose-gc): heap before the tracker exists, after 20,000 records (the
// ring full twice), then at 250k, 500k and 1M records. Records go through a wrapped function, with
// an error (fresh message) every 100th call, per-call metadata objects, two providers and a registry,
// so the ring really holds and releases objects and strings.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatBytes, formatPercent, median, table, verdict } from './lib/harness.js';
import { heapNow } from './lib/memory.js';

const TOTAL = 1_000_000;
const WARM = 20_000;
const CHECKPOINTS = [WARM, 250_000, 500_000, TOTAL];
const REPEATS = 5;

async function child() {
  const { Registry } = await import('../packages/metrics/dist/index.js');
  const { LatencyTracker } = await import('../packages/metrics/dist/latency.js');
  const before = await heapNow();
  const tracker = new LatencyTracker({ registry: new Registry(), prefix: 'callbot' });
  let failNext = false;
  function transcribe(i) {
    if (failNext) throw new Error(`upstream 503 on chunk ${i}`);
    return i;
  }
  const google = tracker.measureLatency('speech_to_text', {
    provider: 'google',
    metadata: { model: 'latest_long' },
  })(transcribe);
  const openai = tracker.measureLatency('speech_to_text', { provider: 'openai' })(transcribe);
  const heap = [];
  let done = 0;
  for (const checkpoint of CHECKPOINTS) {
    for (; done < checkpoint; done++) {
      failNext = done % 100 === 99;
      try {
        (done & 1 ? google : openai)(done);
      } catch {}
      if (done % 10 === 0) {
        tracker.record({
          type: 'crm_api',
          name: 'find_lead',
          latencyMs: done % 997,
          metadata: { lead: done },
        });
      }
    }
    const now = await heapNow();
    heap.push(now.heap + now.buffers - before.heap - before.buffers);
  }
  if (tracker.getRecentMetrics(1e9).length !== tracker.capacity) throw new Error('ring not full');
  console.log(`MEMORY ${JSON.stringify({ heap, capacity: tracker.capacity })}`);
}

if (process.argv[2] === '--child') {
  await child();
} else {
  const { scenario } = await import('./lib/harness.js');
  const report = scenario('latency-memory', 'latency tracker heap over 1,000,000 records');
  console.log(
    `default ring (10,000 records); heapUsed + arrayBuffers above the baseline taken before the tracker was made; median of ${REPEATS} child processes (node --expose-gc)`,
  );
  const runs = [];
  for (let r = 0; r < REPEATS; r++) {
    const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child'], {
      encoding: 'utf8',
    });
    const line = out.split('\n').find((l) => l.startsWith('MEMORY '));
    if (!line) throw new Error(`no MEMORY line in\n${out}`);
    runs.push(JSON.parse(line.slice('MEMORY '.length)).heap);
  }
  const at = CHECKPOINTS.map((_, k) => median(runs.map((heap) => heap[k])));
  const growth = runs.map((heap) => heap[heap.length - 1] / heap[0] - 1);
  const g = median(growth);
  const rows = CHECKPOINTS.map((n, k) => [
    n.toLocaleString('en-US'),
    formatBytes(at[k]),
    k === 0 ? '' : formatPercent((at[k] / at[0] - 1) * 100),
  ]);
  console.log(table(['records', 'tracker heap (median)', 'vs 20,000'], rows, 'rrr'));
  console.log(`growth 20k → 1M per run: ${growth.map((x) => formatPercent(x * 100)).join(', ')}`);
  report.data = { checkpoints: CHECKPOINTS, runs, growth };
  const ok = report.check(
    'tracker heap flat within 10% from a full ring to 1,000,000 records',
    Math.abs(g) <= 0.1,
    `${formatBytes(at[0])} → ${formatBytes(at[at.length - 1])} (${formatPercent(g * 100)})`,
  );
  report.row('latency tracker heap, 20k → 1M records (ring 10k)', {
    vigil: `${formatBytes(at[0])} → ${formatBytes(at[at.length - 1])} (${g >= 0 ? '+' : ''}${formatPercent(g * 100)})`,
    target: '≤10% growth',
    result: verdict(ok),
  });
  report.emit();
}
