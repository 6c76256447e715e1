import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Counter, ManualClock, Registry } from '@vigil/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { until } from '../../../../test/support/until.js';
import type { Alert } from '../../src/alerts/alert.js';
import { HeartbeatPinger } from '../../src/alerts/heartbeat-pinger.js';
import { growthWithin, SelfMonitor } from '../../src/alerts/self-monitor.js';
import { selfChecks } from '../../src/cli/self-checks.js';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A receiver on 127.0.0.1 that keeps every request (method, path, body) and answers `status`. */
async function receiver(status = 200) {
  const requests: { method: string; path: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const port = (server.address() as { port: number }).port;
  return { requests, url: `http://127.0.0.1:${port}` };
}

/** alertname → status of every alert in the webhook payloads a receiver got, in order. */
function alertsIn(requests: readonly { body: string }[]): string[] {
  return requests.flatMap((r) => {
    const payload = JSON.parse(r.body) as { alerts: { status: string; labels: Record<string, string> }[] };
    return payload.alerts.map((a) => `${a.labels.alertname}:${a.status}`);
  });
}

describe('vigil watches itself', () => {
  it('vigil serve: Watchdog always fires and reaches the receiver routed for it, VigilStorageUnwritable reaches the default one, heartbeat.url is pinged every interval', async () => {
    const deadman = await receiver();
    const ops = await receiver();
    const heartbeat = await receiver();
    const dir = mkdtempSync(join(tmpdir(), 'vigil-self-monitor-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'vigil.yaml');
    writeFileSync(
      file,
      stringify({
        data: join(dir, 'data'),
        evaluation_interval: '1s',
        // Every write refused: the disk is "below" an impossible watermark.
        store: { minFreeDiskSpaceBytes: Number.MAX_SAFE_INTEGER },
        heartbeat: { url: `${heartbeat.url}/ping/abc?status=up`, interval: '1s' },
        notifications: {
          route: {
            receiver: 'ops',
            group_wait: '0s',
            group_interval: '1s',
            routes: [{ matchers: ['alertname="Watchdog"'], receiver: 'deadman' }],
          },
          receivers: [
            { name: 'ops', webhook_configs: [{ url: `${ops.url}/hook` }] },
            { name: 'deadman', webhook_configs: [{ url: `${deadman.url}/hook` }] },
          ],
        },
      }),
    );
    const config = loadConfig({ config: file, listen: '127.0.0.1:0', statsd: 'off' }, {});
    const server = await serve(config);
    cleanups.push(() => server.close());
    await until('the Watchdog notification', () => alertsIn(deadman.requests).includes('Watchdog:firing'));
    await until('the unwritable store alert', () =>
      alertsIn(ops.requests).includes('VigilStorageUnwritable:firing'),
    );
    expect(alertsIn(ops.requests)).not.toContain('Watchdog:firing');
    const unwritable = JSON.parse(ops.requests.find((r) => r.body.includes('VigilStorageUnwritable'))!.body);
    expect(unwritable.alerts[0].labels).toMatchObject({ severity: 'critical', vigil_builtin: 'true' });
    expect(unwritable.alerts[0].annotations.description).toMatch(/below the minimum/);
    await until('two heartbeat pings', () => heartbeat.requests.length >= 2);
    expect(heartbeat.requests[0]).toMatchObject({ method: 'GET', path: '/ping/abc?status=up' });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_heartbeat_pings_total [1-9]/m);
    expect(metrics).not.toMatch(/^vigil_heartbeat_failures_total [1-9]/m);
  }, 60_000);

  it('built-in alerts are off with selfMonitoring.alerts: false', async () => {
    const ops = await receiver();
    const dir = mkdtempSync(join(tmpdir(), 'vigil-self-monitor-off-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'rules.yml'),
      stringify({ groups: [{ name: 'probe', rules: [{ alert: 'Probe', expr: 'vector(1)' }] }] }),
    );
    const file = join(dir, 'vigil.yaml');
    writeFileSync(
      file,
      stringify({
        data: join(dir, 'data'),
        evaluation_interval: '1s',
        rule_files: ['rules.yml'],
        selfMonitoring: { alerts: false },
        notifications: {
          route: { receiver: 'ops', group_wait: '0s', group_interval: '1s' },
          receivers: [{ name: 'ops', webhook_configs: [{ url: `${ops.url}/hook` }] }],
        },
      }),
    );
    const config = loadConfig({ config: file, listen: '127.0.0.1:0', statsd: 'off' }, {});
    const server = await serve(config);
    cleanups.push(() => server.close());
    // The rule's alert arrives; built in, the Watchdog would have been sent before it, in the same group.
    await until('the Probe alert', () => alertsIn(ops.requests).includes('Probe:firing'));
    expect(alertsIn(ops.requests).filter((a) => !a.startsWith('Probe:'))).toEqual([]);
  }, 30_000);

  it('a counter that grows raises its alert for the window, then resolves it; the others stay quiet', () => {
    const clock = new ManualClock(0);
    const registry = new Registry({ clock });
    const failures = registry.counter({ name: 'rule_failures_total', help: 'x', labelNames: ['rule_group'] });
    const sent: Alert[] = [];
    const monitor = new SelfMonitor({
      checks: [
        {
          alertname: 'VigilRuleEvaluationFailing',
          severity: 'warning',
          summary: 'rules fail',
          firing: growthWithin(
            clock,
            300_000,
            () => failures.snapshot().points.reduce((n, p) => n + p.value, 0),
            (n) => `${n} failed`,
          ),
        },
        { alertname: 'Watchdog', severity: 'none', summary: 'always', firing: () => 'alive' },
      ],
      sink: { receive: (alerts) => sent.push(...alerts) },
      clock,
      intervalMs: 60_000,
      externalURL: () => 'http://vigil.test',
    });
    expect(monitor.evaluate()).toEqual(['Watchdog']);
    (failures as Counter).inc({ rule_group: 'g' }, 2);
    clock.advance(60_000);
    expect(monitor.evaluate()).toEqual(['Watchdog', 'VigilRuleEvaluationFailing']);
    const firing = sent.filter((a) => a.labels.alertname === 'VigilRuleEvaluationFailing');
    expect(firing.at(-1)).toMatchObject({
      annotations: { description: '2 failed' },
      endsAt: 60_000 + 240_000,
    });
    clock.advance(300_001);
    expect(monitor.evaluate()).toEqual(['Watchdog']);
    const resolved = sent.filter((a) => a.labels.alertname === 'VigilRuleEvaluationFailing').at(-1)!;
    expect(resolved.endsAt).toBe(clock.now());
    expect(resolved.startsAt).toBe(60_000);
  });

  it('VigilMemoryNearLimit fires past 90% of the memory budget, with the figures', async () => {
    let rss = 800;
    const clock = new ManualClock(0);
    const checks = selfChecks({
      store: { unwritable: () => undefined } as unknown as Parameters<typeof selfChecks>[0]['store'],
      registry: new Registry({ clock }),
      clock,
      corruption: () => [],
      memoryLimitBytes: 1000 * 1048576,
      rss: () => rss * 1048576,
    });
    const memory = checks.find((c) => c.alertname === 'VigilMemoryNearLimit')!;
    expect(memory.firing()).toBeUndefined();
    rss = 950;
    expect(memory.firing()).toBe('resident memory 950 MiB is 95% of the 1000 MiB budget');
  });

  it('HeartbeatPinger counts a failed ping (a refused port, a 500) and pings again at the next interval', async () => {
    const failing = await receiver(500);
    const registry = new Registry();
    const pinger = new HeartbeatPinger({
      url: `${failing.url}/ping/t0k3n`,
      intervalMs: 60_000,
      clock: new ManualClock(0),
      registry,
    });
    expect(await pinger.ping()).toBe(false);
    expect(await pinger.ping()).toBe(false);
    expect(failing.requests).toHaveLength(2);
    const counter = (name: string) => (registry.getMetric(name) as Counter).get();
    expect(counter('vigil_heartbeat_pings_total')).toBe(2);
    expect(counter('vigil_heartbeat_failures_total')).toBe(2);
  });
});
