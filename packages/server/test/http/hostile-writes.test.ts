import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from '@vigil/metrics';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { canMeasureStretches, longestStretchWhile } from '../../../../test/support/event-loop-stretch.js';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { IngestWriter } from '../../src/ingest/ingest-writer.js';
import { encodeRemoteWrite } from '../../src/ingest/remote-write.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const dirs: string[] = [];
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const NOW = Math.floor(Date.now() / 1000) * 1000;

describe.runIf(canMeasureStretches)('one large remote-write request', () => {
  it('of 3,000 new series with 3,000-character labels holds the event loop at most 80 ms at a time, and all of them are stored', async () => {
    const data = mkdtempSync(join(tmpdir(), 'vigil-hostile-writes-'));
    dirs.push(data);
    server = await serve(loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off' }, {}));
    const filler = 'x'.repeat(3000);
    const series = 3_000;
    // 9 MB of labels once decompressed. Appended in one go, 2,000 such series held the loop 97-103 ms.
    const body = encodeRemoteWrite(
      Array.from({ length: series }, (_, i) => ({
        labels: { __name__: 'long_labels', path: `${i}-${filler}` },
        timestamps: [NOW],
        values: Float64Array.of(i),
      })),
    );
    let healthChecks = 0;
    const { result, cpuMs, wallMs } = await longestStretchWhile(async () => {
      let done = false;
      const pending = fetch(`${server!.url}/api/v1/write`, {
        method: 'POST',
        headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' },
        body,
      }).finally(() => {
        done = true;
      });
      while (!done) {
        const health = await fetch(`${server!.url}/-/healthy`);
        await health.text();
        expect(health.status).toBe(200);
        healthChecks++;
      }
      return pending;
    });
    expect(result.status).toBe(204);
    expect(healthChecks).toBeGreaterThan(0);
    // The request is paced to about 10 ms a slice; the timer's flush of what it appended writes 25 ms
    // transactions plus their commit, as paced-writes.test.ts bounds them.
    expect(cpuMs).toBeLessThan(80);
    // Wall time is the machine's as much as vigil's (see longestStretchWhile): only a freeze fails.
    expect(wallMs).toBeLessThan(2000);
    const answer = await fetch(
      `${server!.url}/api/v1/query?${new URLSearchParams({ query: 'count(long_labels)', time: String(NOW / 1000) })}`,
    );
    expect(
      ((await answer.json()) as { data: { result: { value: [number, string] }[] } }).data.result[0]!.value[1],
    ).toBe(String(series));
  }, 120_000);

  it('of 30,000 series with 3,000-character labels: held to the label limits and appended at most 50 ms at a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-hostile-writes-'));
    dirs.push(dir);
    const store = await openSqliteStore({ dir, flushIntervalMs: 3_600_000 });
    const writer = new IngestWriter(store, new Registry());
    const filler = 'x'.repeat(3000);
    const batch = Array.from({ length: 30_000 }, (_, i) => ({
      labels: { __name__: 'long_labels', path: `${i}-${filler}` },
      timestamps: [NOW],
      values: [i],
    }));
    // Held to the limits in one go (each value's UTF-8 length is counted), they took 85-103 ms.
    const { result, cpuMs } = await longestStretchWhile(() => writer.write('remote_write', batch));
    expect(result.accepted).toBe(30_000);
    expect(cpuMs).toBeLessThan(50);
    await store.close();
  }, 120_000);
});
