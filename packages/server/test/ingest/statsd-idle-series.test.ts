import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../../../../test/support/until.js';
import { serve } from '../../src/cli/serve.js';
import { serveFlags } from '../../src/cli/serve-flags.js';
import { loadConfig } from '../../src/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-statsd-idle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the StatsD series cap (statsdMaxSeries) and idle expiry (statsdTtl)', () => {
  it('drops and counts new series past the cap, and frees the places of idle ones so new names get in again', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const config = loadConfig(
      serveFlags({
        listen: '127.0.0.1:0',
        data: dir,
        statsd: '127.0.0.1:0',
        'statsd-max-series': '2',
        'statsd-ttl': '30s',
      }),
      {},
    );
    expect([config.statsdMaxSeries, config.statsdTtlMs]).toEqual([2, 30_000]);
    const server = await serve(config, clock);
    const socket = createSocket('udp4');
    const metrics = async () => (await fetch(`${server.url}/metrics`)).text();
    const metric = async (pattern: RegExp) => Number(pattern.exec(await metrics())?.[1] ?? 0);
    const reaches = (pattern: RegExp, value: number) =>
      until(`${pattern.source} to be ${value}`, async () => (await metric(pattern)) === value);
    let sent = 0;
    const send = async (text: string) => {
      await new Promise<void>((r) => socket.send(text, server.statsdPort!, '127.0.0.1', () => r()));
      sent++;
      await reaches(/^vigil_statsd_datagrams_total (\d+)$/m, sent);
    };
    const flush = async () => {
      const before = await metric(/^vigil_ingest_samples_total\{source="statsd"\} (\d+)$/m);
      clock.advance(config.statsdFlushIntervalMs);
      // Every flush writes at least the series it keeps (or their staleness markers).
      await until(
        'the flush to write',
        async () => (await metric(/^vigil_ingest_samples_total\{source="statsd"\} (\d+)$/m)) > before,
      );
    };
    try {
      await send('junk.a:1|c\njunk.b:1|c');
      await send('wanted:5|g');
      await reaches(/^vigil_statsd_series (\d+)$/m, 2);
      await flush();
      await reaches(/^vigil_ingest_malformed_total\{source="statsd",reason="series_limit"\} (\d+)$/m, 1);

      // junk.a and junk.b stay idle: past 30 s they are marked stale and forgotten.
      for (let i = 0; i < 4; i++) await flush();
      await reaches(/^vigil_statsd_series (\d+)$/m, 0);
      expect(await metric(/^vigil_statsd_expired_series_total (\d+)$/m)).toBe(2);

      await send('wanted:5|g');
      await flush();
      await reaches(/^vigil_statsd_series (\d+)$/m, 1);
      const query = await fetch(`${server.url}/api/v1/query?query=wanted`);
      const body = (await query.json()) as { data: { result: { value: [number, string] }[] } };
      expect(body.data.result.map((r) => r.value[1])).toEqual(['5']);
    } finally {
      socket.close();
      await server.close();
    }
  }, 30_000);
});
