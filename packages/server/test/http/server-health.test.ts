import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { importSamples } from '../../../../test/support/import-samples.js';
import { until } from '../../../../test/support/until.js';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { heartbeatName } from '../../src/status/heartbeat-name.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Entry {
  healthy: boolean;
  status: string;
  last_check: string | null;
  response_time: number | null;
  error?: string;
  error_rate_24h: number;
  uptime_24h: number | null;
  uptime_30d: number | null;
  type: string;
}
interface Health {
  status: string;
  providers_status: Record<string, Entry>;
  version: string;
  uptime: string;
  dependencies_status: Record<string, Entry>;
  system_metrics: Record<string, number>;
}

async function health(server: RunningServer): Promise<{ code: number; body: Health; text: string }> {
  const res = await fetch(`${server.url}/api/health`);
  const text = await res.text();
  return { code: res.status, body: JSON.parse(text) as Health, text };
}

/** Polls the store until `selector` has `n` samples: scrapes run on the real network. */
async function samples(server: RunningServer, name: string, n: number): Promise<void> {
  await until(`${name} to reach ${n} samples`, async () => {
    const found = await server.store.select([{ name: '__name__', type: '=', value: name }], 0, 4e12);
    return found.length > 0 && found.every((s) => s.values.length >= n);
  });
}

describe('GET /api/health of vigil serve', () => {
  it('reports each scrape target and push monitor as a check, with uptime from the store, and never the push token', async () => {
    const target = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end('jobs_total 3\n');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const good = `127.0.0.1:${(target.address() as { port: number }).port}`;
    // A port that was just free: connection refused, the scrape fails.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const bad = `127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise<void>((r) => closed.close(() => r()));

    const clock = new ManualClock(1_700_000_000_000);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-health-'));
    dirs.push(dir);
    const config = loadConfig(
      {
        listen: '127.0.0.1:0',
        data: dir,
        statsd: 'off',
        scrape: [`http://${good}/metrics`, `http://${bad}/metrics`],
      },
      { VIGIL_SCRAPE_INTERVAL: '15s' },
    );
    const server = await serve(config, clock);
    const token = 'nightly-backup-7f3a9c2e41';
    let scrapes = 1;
    const minute = async () => {
      for (let i = 0; i < 4; i++) {
        clock.advance(15_000);
        await samples(server, 'up', ++scrapes);
      }
    };
    try {
      await samples(server, 'up', 1);
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${server.url}/api/push/${token}?status=up&ping=250`);
        expect(res.status).toBe(200);
        await minute();
      }

      const first = await health(server);
      expect(first.code).toBe(200);
      expect(first.body.status).toBe('degraded');
      expect(first.body.version).toBe('0.1.0');
      expect(first.text).not.toContain(token);
      const checks = first.body.dependencies_status;
      expect(Object.keys(checks).sort()).toEqual(
        [`${bad}/${bad}`, `${good}/${good}`, heartbeatName(token), 'store'].sort(),
      );
      expect(heartbeatName(token)).toMatch(/^push:nigh…[0-9a-f]{8}$/);
      expect(checks[`${good}/${good}`]).toMatchObject({
        healthy: true,
        status: 'healthy',
        last_check: new Date(clock.now()).toISOString(),
        response_time: expect.any(Number),
        error_rate_24h: 0,
        uptime_24h: 1,
        uptime_30d: 1,
        type: 'scrape',
      });
      expect(checks[`${bad}/${bad}`]).toMatchObject({
        healthy: false,
        status: 'unhealthy',
        response_time: null,
        error: 'the last scrape failed',
        error_rate_24h: 1,
        uptime_24h: 0,
        uptime_30d: 0,
      });
      expect(checks[heartbeatName(token)]).toMatchObject({
        healthy: true,
        status: 'healthy',
        response_time: 0.25,
        uptime_24h: 1,
        type: 'push',
      });
      expect(checks.store).toMatchObject({ healthy: true, status: 'healthy' });
      expect(first.body.system_metrics).toMatchObject({
        cpu_usage: expect.any(Number),
        memory_usage: expect.any(Number),
        disk_usage: expect.any(Number),
        monitored_checks: 3,
        store_series: expect.any(Number),
      });

      // The push monitor stops: three minutes of silence against a usual gap of one minute.
      await fetch(`${server.url}/api/push/${token}?status=down`);
      for (let i = 0; i < 3; i++) await minute();
      const later = await health(server);
      expect(later.body.status).toBe('degraded');
      expect(later.body.dependencies_status[heartbeatName(token)]).toMatchObject({
        healthy: false,
        status: 'unhealthy',
        error: 'no heartbeat for 180s (usually every 60s)',
        // 3 of 4 heartbeats up, and the minute past twice the usual gap down, as its status page counts it.
        uptime_24h: 3 / 5,
      });
    } finally {
      await server.close();
      await new Promise<void>((r) => target.close(() => r()));
    }
  });

  it('lists the providers and dependencies a HealthMonitor exports, with the uptime the Health page draws', async () => {
    const now = 1_700_000_000_000;
    const dir = mkdtempSync(join(tmpdir(), 'vigil-health-'));
    dirs.push(dir);
    const server = await serve(
      loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}),
      new ManualClock(now),
    );
    try {
      // Eleven checks a minute apart: openai up for 7 of them and down at the last; anthropic always up.
      const lines: string[] = [];
      for (let i = 0; i <= 10; i++) {
        const t = now - (10 - i) * 60_000;
        lines.push(`vigil_provider_up{provider="openai",job="demo"} ${i < 7 ? 1 : 0} ${t}`);
        lines.push(`vigil_provider_up{provider="anthropic",job="demo"} 1 ${t}`);
        lines.push(`vigil_provider_response_time_seconds{provider="anthropic",job="demo"} 0.2 ${t}`);
        lines.push(`vigil_dependency_up{dependency="crm",job="demo"} 1 ${t}`);
      }
      await importSamples(server.url, lines);
      const { body } = await health(server);
      expect(Object.keys(body.providers_status).sort()).toEqual(['anthropic', 'openai']);
      expect(body.providers_status.openai).toMatchObject({
        healthy: false,
        status: 'unhealthy',
        error: 'the last check failed',
        uptime_24h: 7 / 11,
        type: 'health_monitor',
      });
      expect(body.providers_status.anthropic).toMatchObject({
        healthy: true,
        uptime_24h: 1,
        response_time: 0.2,
      });
      expect(body.dependencies_status.crm).toMatchObject({ healthy: true, uptime_24h: 1 });
      expect(body.status).toBe('degraded');
    } finally {
      await server.close();
    }
  });
});
