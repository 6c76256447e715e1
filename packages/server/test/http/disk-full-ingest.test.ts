import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-disk-full-http-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vigil serve on a disk below its free-space watermark', () => {
  it('answers 503 to every acknowledged write, says why in /api/health and in its metrics, and keeps serving reads', async () => {
    const config = loadConfig(
      { listen: '127.0.0.1:0', data: dir, statsd: 'off' },
      { VIGIL_MIN_FREE_DISK_SPACE_BYTES: String(Number.MAX_SAFE_INTEGER) },
    );
    const server = await serve(config);
    try {
      const post = (path: string, body: string, method = 'POST') =>
        fetch(`${server.url}${path}`, { method, body });
      for (const [path, body, method] of [
        ['/api/v1/import/prometheus', 'x_total 1\n'],
        ['/api/v1/push', JSON.stringify([{ name: 'x', value: 1 }])],
        ['/write?db=d', 'x v=1'],
        ['/metrics/job/backup', 'x 1\n', 'PUT'],
      ] as const) {
        const res = await post(path, body, method);
        expect(res.status, path).toBe(503);
        expect(await res.text(), path).toMatch(/retry later: the disk of .* bytes free, below the minimum/);
      }
      // The refused Pushgateway group was not kept either.
      const series = await server.store.series([[{ name: 'job', type: '=', value: 'backup' }]], 0, 4e12);
      expect(series).toEqual([]);

      const health = await fetch(`${server.url}/api/health`);
      expect(health.status).toBe(503);
      const document = (await health.json()) as {
        status: string;
        dependencies_status: { store: { error: string } };
      };
      expect(document.status).toBe('unhealthy');
      expect(document.dependencies_status.store.error).toMatch(/^samples cannot be written: the disk of/);

      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/^vigil_storage_unwritable 1$/m);
      expect((await fetch(`${server.url}/api/v1/query?query=1`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
