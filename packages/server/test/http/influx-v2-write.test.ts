import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, Registry } from '@vigil/metrics';
import { InfluxReporter } from '@vigil/metrics/push';
import { afterAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * @vigil/metrics' InfluxDB 2.x writer (`/api/v2/write`, `Authorization: Token`, org and bucket)
 * has no real peer on this machine: Debian ships influxd 1.6, whose API has no /api/v2/write (the
 * interop test covers 1.x's `/write`). Its peer here is vigil's own receiver, which reads line
 * protocol as InfluxDB does; what is written is read back value for value.
 */
describe('InfluxReporter (2.x API) into vigil serve /api/v2/write', () => {
  it('writes counters, gauges and histogram summaries that read back equal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-influx2-'));
    dirs.push(dir);
    const clock = new ManualClock(1_700_000_000_000);
    const server = await serve(loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}), clock);
    const registry = new Registry({ clock });
    registry
      .counter({ name: 'calls_total', help: 'Calls.', labelNames: ['provider'] })
      .inc({ provider: 'twilio' }, 7);
    registry.gauge({ name: 'queue_depth', help: 'Depth.' }).set(12.5);
    const latency = registry.histogram({ name: 'stt_latency_seconds', help: 'STT.' });
    for (const v of [0.1, 0.2, 0.3]) latency.observe(v);
    const reporter = new InfluxReporter({
      registry,
      url: server.url,
      org: 'callbot',
      bucket: 'metrics',
      token: 'not-checked-by-vigil-without-auth.token',
      precision: 'ms',
      env: {},
    });
    try {
      expect(await reporter.report()).toMatchObject({ code: 'success' });
      const read = async (selector: string) => {
        const res = await fetch(
          `${server.url}/api/v1/read_raw?match[]=${encodeURIComponent(selector)}&start=0&end=4102444800`,
        );
        const body = (await res.json()) as {
          data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
        };
        return body.data.result;
      };
      // VictoriaMetrics' mapping: the field `value` is the measurement itself, others `<measurement>_<field>`.
      expect(await read('calls_total')).toEqual([
        {
          metric: { __name__: 'calls_total', bucket: 'metrics', provider: 'twilio' },
          values: [[1_700_000_000, '7']],
        },
      ]);
      expect((await read('queue_depth'))[0]?.values).toEqual([[1_700_000_000, '12.5']]);
      expect((await read('stt_latency_seconds_count'))[0]?.values).toEqual([[1_700_000_000, '3']]);
      expect(Number((await read('stt_latency_seconds_sum'))[0]?.values[0]?.[1])).toBeCloseTo(0.6, 12);
    } finally {
      await reporter.close();
      await server.close();
    }
  });
});
