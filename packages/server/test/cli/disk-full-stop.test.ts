import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/free-port.js';
import { mountTmpfs, startVigil } from '../../../../test/support/vigil-process.js';

/**
 * The hard path of a full disk, end to end on a real one: a small tmpfs (only root may mount one)
 * with no free-space watermark and no room for the reserve file, so flushes really fail with
 * SQLITE_FULL; then SIGTERM while they still fail. Whatever vigil acknowledged must be there after
 * space returns and it restarts; what it could not write it must say it lost.
 */

const tmpfs = mountTmpfs(16);
const mount = tmpfs?.dir;
if (mount === undefined) {
  console.warn('disk-full-stop.test.ts: skipped, it needs root on Linux to mount a tmpfs');
}
afterAll(() => tmpfs?.unmount());

// The watermark off: the disk fills for real, so flushes fail with SQLITE_FULL.
const start = (port: number, data: string, stderr: string[]) =>
  startVigil(port, {
    args: ['--data', data, '--statsd', 'off'],
    env: { VIGIL_MIN_FREE_DISK_SPACE_BYTES: '0' },
    stderr,
  });

describe.runIf(mount !== undefined)('a full disk, stopped while flushes fail (tmpfs, as root)', () => {
  it('acknowledges only what is on disk: after SIGTERM, space returning and a restart every acknowledged sample is there', async () => {
    const data = join(mount!, 'data');
    mkdirSync(data);
    const port = await freePort();
    const stderr: string[] = [];
    const first = await start(port, data, stderr);
    // Something else takes the disk down to its last 1.5 MB: no room for the 8 MiB reserve file.
    const { bavail, bsize } = statfsSync(mount!);
    writeFileSync(join(mount!, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - 1_500_000)));

    let acked = 0;
    let refused = 0;
    const t0 = Date.now() - 3_600_000;
    for (let b = 0; b < 400 && refused < 20; b++) {
      let body = '';
      for (let i = 0; i < 200; i++) body += `full_stop_total{b="${b}",i="${i}"} ${b} ${t0 + b * 1000}\n`;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/import/prometheus`, { method: 'POST', body });
      await res.arrayBuffer();
      if (res.ok) acked += 200;
      else {
        expect(res.status).toBe(503);
        refused++;
      }
    }
    expect(acked).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(503);

    // Stopped while writing still fails.
    const exited = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    first.kill('SIGTERM');
    await exited;
    const log = stderr.join('');
    expect(log).toMatch(/SQLITE_FULL/);
    // What it could not write, it says: the samples of the refused requests, never acknowledged.
    expect(log).toMatch(
      /\d+ samples received since the last successful flush could not be written and are lost/,
    );

    rmSync(join(mount!, 'filler'));
    const again = await start(port, data, stderr);
    try {
      const res = await fetch(
        `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('sum(count_over_time(full_stop_total[2h]))')}`,
      );
      const stored = Number(
        ((await res.json()) as { data: { result: { value: [number, string] }[] } }).data.result[0]
          ?.value[1] ?? 0,
      );
      expect(stored).toBeGreaterThanOrEqual(acked);
    } finally {
      const done = new Promise((resolve) => again.once('exit', resolve));
      again.kill('SIGTERM');
      await done;
    }
  }, 120_000);
});
