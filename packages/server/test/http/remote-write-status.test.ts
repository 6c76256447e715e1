import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { encodeRemoteWrite } from '../../src/ingest/remote-write.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(yaml: string, env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const data = mkdtempSync(join(tmpdir(), 'vigil-write-status-'));
  dirs.push(data);
  const file = join(data, 'vigil.yaml');
  writeFileSync(file, yaml);
  return serve(loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off', config: file }, env));
}

const write = (server: RunningServer, series: { labels: Record<string, string>; t: number; v: number }[]) =>
  fetch(`${server.url}/api/v1/write`, {
    method: 'POST',
    headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' },
    body: encodeRemoteWrite(
      series.map(({ labels, t, v }) => ({ labels, timestamps: [t], values: Float64Array.of(v) })),
    ),
  });

async function answer(res: Response): Promise<[number, string, string]> {
  const body = (await res.json()) as { errorType: string; error: string };
  return [res.status, body.errorType, body.error];
}

const otlpGauge = (name: string, t: number, v: number) =>
  JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeMetrics: [
          {
            metrics: [{ name, gauge: { dataPoints: [{ timeUnixNano: `${t}000000`, asDouble: v }] } }],
          },
        ],
      },
    ],
  });

describe('remote write tells the sender whether a retry makes sense', () => {
  it('400 for samples refused for good, 429 for series past the limit, the rest stored either way', async () => {
    const server = await start('store:\n  maxSeries: 4\n');
    const now = Date.now();
    try {
      expect((await write(server, [{ labels: { __name__: 'a' }, t: now, v: 1 }])).status).toBe(204);

      // The same timestamp again: Prometheus's ErrDuplicateSampleForTimestamp, a 400, never retried.
      expect(
        await answer(
          await write(server, [
            { labels: { __name__: 'a' }, t: now, v: 2 },
            { labels: { __name__: 'a' }, t: now + 1000, v: 3 },
          ]),
        ),
      ).toEqual([400, 'bad_data', '1 of 2 samples refused (duplicate: 1); the others were stored']);
      // Older than the raw retention (out of bounds).
      expect(
        await answer(await write(server, [{ labels: { __name__: 'a' }, t: now - 40 * 86_400_000, v: 1 }])),
      ).toEqual([400, 'bad_data', '1 of 1 samples refused (too_old: 1); the others were stored']);

      // OTLP shares the split: a point refused for good is a partial success (200, as the OTLP
      // specification asks), a new series past the limit is retryable (429).
      const otlp = (body: string) =>
        fetch(`${server.url}/v1/metrics`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      expect(await (await otlp(otlpGauge('g', now, 1))).json()).toEqual({});
      const partial = await otlp(otlpGauge('g', now, 5));
      expect(partial.status).toBe(200);
      expect(await partial.json()).toEqual({
        partialSuccess: {
          rejectedDataPoints: '1',
          errorMessage: '1 of 1 samples refused (duplicate: 1); the others were stored',
        },
      });

      // Room for two more series: the third new one is refused, and a retry can succeed once there is room.
      const [status, type, message] = await answer(
        await write(server, [
          { labels: { __name__: 'b' }, t: now, v: 1 },
          { labels: { __name__: 'c' }, t: now, v: 1 },
          { labels: { __name__: 'd' }, t: now, v: 1 },
        ]),
      );
      expect([status, type]).toEqual([429, 'series_limit']);
      expect(message).toMatch(
        /^1 of 3 samples refused \(series_limit: 1\): the store has no room for new series/,
      );

      const query = await fetch(
        `${server.url}/api/v1/query?query=${encodeURIComponent('{__name__=~"a|b|c|d"}')}`,
      );
      const names = (
        (await query.json()) as { data: { result: { metric: { __name__: string } }[] } }
      ).data.result
        .map((r) => r.metric.__name__)
        .sort();
      expect(names).toEqual(['a', 'b', 'c']);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(
        /^vigil_ingest_rejected_samples_total\{source="remote_write",reason="series_limit"\} 1$/m,
      );
      expect(metrics).toMatch(
        /^vigil_ingest_rejected_samples_total\{source="remote_write",reason="duplicate"\} 1$/m,
      );
    } finally {
      await server.close();
    }
  });

  it('503 while the store cannot write: the sender retries and nothing is lost', async () => {
    const server = await start('', { VIGIL_MIN_FREE_DISK_SPACE_BYTES: String(Number.MAX_SAFE_INTEGER) });
    try {
      const [status, type] = await answer(
        await write(server, [{ labels: { __name__: 'a' }, t: Date.now(), v: 1 }]),
      );
      expect([status, type]).toEqual([503, 'unavailable']);
    } finally {
      await server.close();
    }
  });
});
