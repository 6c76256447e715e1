import cluster, { type Worker as ForkedWorker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker as ThreadWorker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { ClusterRegistry } from '../../src/cluster/cluster-registry.js';
import type { CounterSnapshot, HistogramSnapshot, RegistrySnapshot } from '../../src/core/snapshot.js';

// The workers run the built package (`npx tsc -b packages/metrics`), as a user's workers would.
const FIXTURE = fileURLToPath(new URL('./fixtures/worker.js', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/cluster/cluster-worker.js', import.meta.url));

type Peer = ForkedWorker | ThreadWorker;

/** Sends a test command and resolves with the worker's next message of type `reply`. */
function tell(peer: Peer, message: object, reply: string): Promise<void> {
  return new Promise((resolve) => {
    const listen = (m: { test?: string }) => {
      if (m?.test !== reply) return;
      peer.off('message', listen);
      resolve();
    };
    peer.on('message', listen);
    if ('postMessage' in peer) peer.postMessage(message);
    else peer.send(message);
  });
}

function next(peer: Peer, reply: string): Promise<void> {
  return new Promise((resolve) => {
    const listen = (m: { test?: string }) => {
      if (m?.test !== reply) return;
      peer.off('message', listen);
      resolve();
    };
    peer.on('message', listen);
  });
}

function total(snapshot: RegistrySnapshot, name: string): number {
  const m = snapshot.metrics.find((x) => x.name === name) as CounterSnapshot | undefined;
  return m?.points.reduce((sum, p) => sum + p.value, 0) ?? Number.NaN;
}

function count(snapshot: RegistrySnapshot): number {
  const m = snapshot.metrics.find((x) => x.name === 'latency_seconds') as HistogramSnapshot;
  return m.points.reduce((sum, p) => sum + p.count, 0);
}

function states(snapshot: RegistrySnapshot): Record<string, number> {
  const m = snapshot.metrics.find((x) => x.name === 'vigil_cluster_workers') as CounterSnapshot;
  return Object.fromEntries(m.points.map((p) => [p.labels.state, p.value]));
}

async function ready(merged: ClusterRegistry, n: number): Promise<void> {
  await vi.waitFor(() => expect(merged.workers().filter((w) => w.state === 'ok')).toHaveLength(n), {
    timeout: 20_000,
    interval: 20,
  });
}

beforeAll(() => {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npx tsc -b packages/metrics\` first`);
});

describe('ClusterRegistry with forked node:cluster workers', () => {
  const forked: ForkedWorker[] = [];
  afterAll(() => {
    for (const w of forked) if (!w.isDead()) w.process.kill('SIGKILL');
  });

  it('merges them, reports a stalled one late, and one killed mid-scrape gone without waiting', {
    timeout: 60_000,
  }, async () => {
    cluster.setupPrimary({ exec: FIXTURE, execArgv: [], silent: false });
    const clock = new ManualClock(1_000);
    // Only the stalled-worker step lets the deadline pass; were a killed worker waited for, the
    // test would time out, since this clock never moves by itself.
    const merged = new ClusterRegistry({ cluster, clock, deadlineMs: 5_000 });
    try {
      const fork = () => {
        const w = cluster.fork();
        forked.push(w);
        return w;
      };
      const [a, b, c] = [fork(), fork(), fork()];
      await ready(merged, 3);
      await Promise.all(
        [a, b, c].map((w, i) =>
          tell(w, { test: 'record', route: '/a', n: i + 1, value: 0.1 * (i + 1) }, 'recorded'),
        ),
      );
      let snapshot = await merged.snapshot();
      expect(total(snapshot, 'requests_total')).toBe(6);
      expect(count(snapshot)).toBe(3);

      // c stalls: its snapshot hangs in a collect callback; a and b answer; the deadline passes.
      await tell(c, { test: 'stall' }, 'stalling');
      await tell(a, { test: 'record', route: '/b', n: 10, value: 1 }, 'recorded');
      clock.advance(1);
      const collecting = next(c, 'collecting');
      let pending = merged.snapshot();
      await collecting;
      const now = clock.now();
      await vi.waitFor(
        () =>
          expect(
            merged
              .workers()
              .filter((w) => w.answeredAt === now)
              .map((w) => w.id),
          ).toEqual(['1', '2']),
        { timeout: 20_000, interval: 20 },
      );
      clock.advance(5_000);
      snapshot = await pending;
      expect(states(snapshot)).toEqual({ ok: 2, late: 1, gone: 0 });
      expect(total(snapshot, 'requests_total')).toBe(16);

      // Mid-scrape: c has the request and is inside its snapshot when it is killed.
      const collectingAgain = next(c, 'collecting');
      pending = merged.snapshot();
      await collectingAgain;
      c.process.kill('SIGKILL');
      snapshot = await pending;
      expect(states(snapshot)).toEqual({ ok: 2, late: 0, gone: 1 });
      expect(total(snapshot, 'requests_total')).toBe(16); // c's 3 requests are kept
      expect(count(snapshot)).toBe(4);
      expect(merged.workers().find((w) => w.id === '3')?.state).toBe('gone');

      // Its replacement starts from zero; the merged counter goes on from 16.
      const d = fork();
      await ready(merged, 3);
      await tell(d, { test: 'record', route: '/a', n: 5, value: 0.2 }, 'recorded');
      snapshot = await merged.snapshot();
      expect(states(snapshot)).toEqual({ ok: 3, late: 0, gone: 1 });
      expect(total(snapshot, 'requests_total')).toBe(21);
      expect(count(snapshot)).toBe(5);
    } finally {
      merged.close();
    }
  });
});

describe('ClusterRegistry with worker threads', () => {
  it('merges threads and keeps what a terminated one counted', { timeout: 60_000 }, async () => {
    const merged = new ClusterRegistry({ clock: new ManualClock() });
    const threads = [new ThreadWorker(FIXTURE), new ThreadWorker(FIXTURE)];
    try {
      for (const t of threads) merged.add(t);
      await ready(merged, 2);
      expect(merged.workers().map((w) => w.threadId)).toEqual(threads.map((t) => t.threadId));
      await Promise.all(
        threads.map((t, i) => tell(t, { test: 'record', route: '/t', n: 2 + i, value: 0.5 }, 'recorded')),
      );
      let snapshot = await merged.snapshot();
      expect(total(snapshot, 'requests_total')).toBe(5);
      expect(count(snapshot)).toBe(2);

      await threads[1]!.terminate();
      await vi.waitFor(() => expect(merged.workers()[1]?.state).toBe('gone'), {
        timeout: 20_000,
        interval: 20,
      });
      await tell(threads[0]!, { test: 'record', route: '/t', n: 1, value: 0.5 }, 'recorded');
      snapshot = await merged.snapshot();
      expect(states(snapshot)).toEqual({ ok: 1, late: 0, gone: 1 });
      expect(total(snapshot, 'requests_total')).toBe(6);
    } finally {
      merged.close();
      await Promise.all(threads.map((t) => t.terminate()));
    }
  });
});
