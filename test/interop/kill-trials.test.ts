import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../packages/server/src/demo/seeded-random.js';
import { encodeRemoteWrite } from '../../packages/server/src/ingest/remote-write.js';
import { freePort } from '../support/free-port.js';
import { startVigil } from '../support/vigil-process.js';

/**
 * kill -9 trials of the real `vigil serve`: remote write and JSON pushes run without pause, the
 * process is killed with SIGKILL at a random moment (seeded), restarted on the same data, and every
 * sample acknowledged more than one flush interval before any of the kills so far must be there.
 * KILL_TRIALS (default 20) and KILL_SEED change the run.
 */
const TRIALS = Number(process.env.KILL_TRIALS ?? 20);
const SEED = Number(process.env.KILL_SEED ?? 13);
const FLUSH_MS = 200;
const data = mkdtempSync(join(tmpdir(), 'vigil-kill-trials-'));
afterAll(() => rmSync(data, { recursive: true, force: true }));

interface Acked {
  readonly key: string;
  readonly at: number;
}

/** Pushes batches one after another until the process dies; each batch is one series named by `key`. */
async function push(
  port: number,
  kind: 'rw' | 'json',
  trial: number,
  acked: Acked[],
  alive: () => boolean,
): Promise<void> {
  for (let batch = 0; alive(); batch++) {
    const labels = { __name__: `kill_${kind}`, trial: String(trial), batch: String(batch) };
    const now = Date.now();
    try {
      const res =
        kind === 'rw'
          ? await fetch(`http://127.0.0.1:${port}/api/v1/write`, {
              method: 'POST',
              headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' },
              body: encodeRemoteWrite([{ labels, timestamps: [now], values: Float64Array.of(batch) }]),
            })
          : await fetch(`http://127.0.0.1:${port}/api/v1/push`, {
              method: 'POST',
              body: JSON.stringify({ series: [{ labels, samples: [[now, batch]] }] }),
            });
      if (res.ok) acked.push({ key: `${kind}/${trial}/${batch}`, at: Date.now() });
    } catch {
      return;
    }
  }
}

async function stored(port: number): Promise<Set<string>> {
  const res = await fetch(
    `http://127.0.0.1:${port}/api/v1/series?match[]=${encodeURIComponent('{__name__=~"kill_.*"}')}&start=0&end=4102444800`,
  );
  const body = (await res.json()) as { data: { __name__: string; trial: string; batch: string }[] };
  return new Set(body.data.map((s) => `${s.__name__.slice(5)}/${s.trial}/${s.batch}`));
}

const start = (port: number) =>
  startVigil(port, {
    args: ['--data', data, '--statsd', 'off'],
    env: { VIGIL_FLUSH_INTERVAL: `${FLUSH_MS}ms` },
  });

describe('vigil serve under kill -9, again and again', () => {
  it(`keeps every sample acknowledged a flush interval before each of ${TRIALS} kills`, async () => {
    const port = await freePort();
    // Seeded: the kill moments of a run are the same for the same seed.
    const rng = new SeededRandom(SEED);
    const next = () => rng.next();
    const durable: Acked[] = [];
    let child = await start(port);
    const report: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const acked: Acked[] = [];
      let dead = false;
      const alive = () => !dead;
      const pushers = [push(port, 'rw', trial, acked, alive), push(port, 'json', trial, acked, alive)];
      const ingestMs = 200 + Math.floor(next() * 800);
      await new Promise((resolve) => setTimeout(resolve, ingestMs));
      const killedAt = Date.now();
      child.kill('SIGKILL');
      dead = true;
      await new Promise((resolve) => child.once('exit', resolve));
      await Promise.all(pushers);
      durable.push(...acked.filter((a) => a.at < killedAt - FLUSH_MS));

      child = await start(port);
      const present = await stored(port);
      const lost = durable.filter((a) => !present.has(a.key)).map((a) => a.key);
      report.push(`trial ${trial}: killed after ${ingestMs} ms, ${acked.length} acknowledged`);
      expect(lost, `trial ${trial} (seed ${SEED}): ${report.join('; ')}`).toEqual([]);
    }
    console.log(
      `kill -9 trials: ${TRIALS} kills (seed ${SEED}), ${durable.length} batches acknowledged a flush interval before their kill, none lost`,
    );
    try {
      // Every trial wrote both ways, and a good part of it counted as durable.
      expect(new Set(durable.map((a) => a.key.split('/')[1])).size).toBeGreaterThan(TRIALS / 2);
      expect(durable.filter((a) => a.key.startsWith('rw/')).length).toBeGreaterThan(TRIALS);
      expect(durable.filter((a) => a.key.startsWith('json/')).length).toBeGreaterThan(TRIALS);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 300_000);
});
