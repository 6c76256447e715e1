import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { snappyCompress } from '../../src/ingest/snappy.js';
import { encodeWriteRequest } from '../../src/ingest/write-request-encoder.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-label-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ingest refuses series past the label limits, and Pushgateway groups past their size', () => {
  it('answers 400 naming the limit, 413 for a group too large, and stores nothing of the refused write', async () => {
    const server = await serve(loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}));
    try {
      // A 79 MB label value in a snappy body of a few MB.
      const huge = 'a'.repeat(79_000_000);
      const body = snappyCompress(
        encodeWriteRequest([
          { labels: { __name__: 'ok_total' }, timestamps: [Date.now()], values: [1] },
          { labels: { __name__: 'huge_total', path: huge }, timestamps: [Date.now()], values: [1] },
        ]),
      );
      expect(body.length).toBeLessThan(10 * 1024 * 1024);
      const write = await fetch(`${server.url}/api/v1/write`, {
        method: 'POST',
        body,
        headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' },
      });
      expect(write.status).toBe(400);
      const answer = (await write.json()) as { errorType: string; error: string };
      expect(answer.errorType).toBe('label_limit');
      expect(answer.error).toMatch(
        /label path of series huge_total has a 79000000-byte value, more than the 8192 allowed \(limits\.labelValueBytes\)/,
      );

      const manyLabels = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`l${i}`, 'v']));
      const json = await fetch(`${server.url}/api/v1/push`, {
        method: 'POST',
        body: JSON.stringify([{ name: 'wide', labels: manyLabels, value: 1 }]),
      });
      expect(json.status).toBe(400);
      expect(await json.text()).toMatch(/series wide has 71 labels, more than the 64 allowed/);

      // A native histogram's series is held to the limits too, before anything of its write is stored.
      const ns = String(BigInt(Date.now()) * 1_000_000n);
      const otlp = await fetch(`${server.url}/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          resourceMetrics: [
            {
              scopeMetrics: [
                {
                  metrics: [
                    { name: 'beside', gauge: { dataPoints: [{ timeUnixNano: ns, asDouble: 1 }] } },
                    {
                      name: 'latency',
                      exponentialHistogram: {
                        aggregationTemporality: 2,
                        dataPoints: [
                          {
                            timeUnixNano: ns,
                            count: '1',
                            positive: { bucketCounts: ['1'] },
                            attributes: [{ key: 'path', value: { stringValue: 'p'.repeat(9000) } }],
                          },
                        ],
                      },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      });
      expect(otlp.status).toBe(400);
      expect(await otlp.text()).toMatch(/label path of series latency has a 9000-byte value/);

      const small = await fetch(`${server.url}/metrics/job/batch`, { method: 'PUT', body: 'rows 1\n' });
      expect(small.status).toBe(200);
      const lines = Array.from({ length: 40_000 }, (_, i) => `rows{part="${i}-${'p'.repeat(100)}"} 1`).join(
        '\n',
      );
      const big = await fetch(`${server.url}/metrics/job/batch`, { method: 'PUT', body: `${lines}\n` });
      expect(big.status).toBe(413);
      expect(await big.text()).toMatch(
        /more than the 4194304 a group may hold \(limits\.pushGroupBytes\); the group is unchanged/,
      );

      await server.store.flush();
      const stored = await server.store.series([[{ name: '__name__', type: '=~', value: '.+' }]], 0, 4e12);
      const names = new Set(stored.map((s) => s.__name__));
      expect(names.has('huge_total')).toBe(false);
      expect(names.has('ok_total')).toBe(false);
      expect(names.has('wide')).toBe(false);
      expect(names.has('latency')).toBe(false);
      expect(names.has('beside')).toBe(false);
      // The group is as the small push left it.
      expect(stored.filter((s) => s.__name__ === 'rows')).toEqual([{ __name__: 'rows', job: 'batch' }]);
    } finally {
      await server.close();
    }
  }, 30_000);
});
