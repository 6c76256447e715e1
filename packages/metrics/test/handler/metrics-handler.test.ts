import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { ClusterRegistry } from '../../src/cluster/cluster-registry.js';
import { ClusterWorker } from '../../src/cluster/cluster-worker.js';
import { MetricsCollector } from '../../src/collector/metrics-collector.js';
import { Registry } from '../../src/core/registry.js';
import { metricsHandler } from '../../src/handler/metrics-handler.js';
import { HealthMonitor } from '../../src/health/health-monitor.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function mount(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('metricsHandler', () => {
  it('serves /metrics by Accept header, and the seeds JSON documents', async () => {
    const registry = new Registry({ clock: new ManualClock(1_700_000_000_000) });
    const collector = new MetricsCollector({ registry });
    collector.increment('events.processed', 2);
    const session = registry.scope('swift-neural-42');
    session.counter({ name: 'packets_sent', help: 'p' }).inc(10);
    const url = await mount(
      metricsHandler({ registry, names: collector.names, service: 'PhantomLink Core', version: '0.2.0' }),
    );

    const text = await fetch(`${url}/metrics`);
    expect(text.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await text.text()).toContain('events_processed_total 2');
    const om = await fetch(`${url}/metrics`, {
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    });
    expect((await om.text()).endsWith('# EOF\n')).toBe(true);
    const doc = (await (await fetch(`${url}/api/metrics`)).json()) as {
      metrics: { counters: Record<string, unknown> };
    };
    expect(doc.metrics.counters['events.processed']).toEqual({ value: 2 });
    const sessions = (await (await fetch(`${url}/api/sessions`)).json()) as {
      service: string;
      metrics: { total_sessions: number };
    };
    expect(sessions).toMatchObject({ service: 'PhantomLink Core', metrics: { total_sessions: 1 } });
    const one = (await (await fetch(`${url}/api/sessions/swift-neural-42/metrics`)).json()) as {
      metrics: { packets_sent: number };
    };
    expect(one.metrics.packets_sent).toBe(10);
    const missing = await fetch(`${url}/api/sessions/nope/metrics`);
    expect(missing.status).toBe(404);
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
  });

  it('hands unknown paths to next() as Express middleware does, and honours a mount prefix', async () => {
    const registry = new Registry();
    const handler = metricsHandler({ registry, prefix: '/monitoring' });
    const url = await mount((req, res) =>
      handler(req, res, () => {
        res.writeHead(200).end('the app');
      }),
    );
    expect(await (await fetch(`${url}/orders`)).text()).toBe('the app');
    expect((await fetch(`${url}/monitoring/metrics`)).status).toBe(200);
  });

  it('answers /api/health from a HealthMonitor, 503 when unhealthy', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const registry = new Registry({ clock });
    const health = new HealthMonitor({
      registry,
      clock,
      checks: [{ name: 'db', check: async () => ({ ok: false, error: 'connection refused' }) }],
    });
    await health.runAll();
    const url = await mount(metricsHandler({ registry, health, version: '1.0.0' }));
    const res = await fetch(`${url}/api/health`);
    const body = (await res.json()) as {
      status: string;
      dependencies_status: Record<string, { healthy: boolean }>;
    };
    expect(res.status).toBe(503);
    expect(body.status).toBe('unhealthy');
    expect(body.dependencies_status.db?.healthy).toBe(false);
  });

  it('serves a ClusterRegistry: the workers merged, in every format', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const cluster = new ClusterRegistry({ clock });
    const channels = [new MessageChannel(), new MessageChannel()];
    const workers = channels.map(({ port1, port2 }, i) => {
      cluster.add(port1);
      const registry = new Registry({ clock });
      registry
        .counter({ name: 'jobs_total', help: 'Jobs done.', labelNames: ['queue'] })
        .inc({ queue: 'mail' }, i + 1);
      return new ClusterWorker({ registry, port: port2 });
    });
    try {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      const url = await mount(metricsHandler({ registry: cluster }));
      expect(await (await fetch(`${url}/metrics`)).text()).toContain('jobs_total{queue="mail"} 3');
      const doc = (await (await fetch(`${url}/api/metrics`)).json()) as {
        metrics: { counters: Record<string, unknown> };
      };
      expect(Object.values(doc.metrics.counters)).toContainEqual({ value: 3 });
      expect((await fetch(`${url}/api/health`)).status).toBe(200);
    } finally {
      cluster.close();
      for (const w of workers) w.close();
      for (const { port1, port2 } of channels) {
        port1.close();
        port2.close();
      }
    }
  });
});
