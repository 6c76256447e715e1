import { createServer } from 'node:net';
import { ManualClock, Registry, toPrometheusText } from '@vigil/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { NotificationEvent } from '../../../src/alerts/alert-history-event.js';
import { NotificationPipeline } from '../../../src/alerts/notify/notification-pipeline.js';
import { parseNotifyConfig } from '../../../src/alerts/notify/notify-config.js';
import { buildNotifiers } from '../../../src/cli/build-notifiers.js';
import { listen } from './http-listener.js';
import { alert, T0 } from './pipeline-fixture.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A port nothing listens on: bound by the OS, then released. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

describe('failing receivers', () => {
  it('retries a receiver that hangs, answers 500 or refuses connections, counts each failure and dead letter, while a healthy one delivers', async () => {
    const healthy = await listen();
    const failing = await listen(() => 500);
    const hanging = await listen(() => 'hang');
    for (const s of [healthy, failing, hanging]) cleanups.push(s.close);
    const refused = await refusedPort();
    const yaml = `
route:
  receiver: healthy
  group_wait: 0s
  routes:
    - {matchers: ['alertname=~".+"'], receiver: hang, continue: true}
    - {matchers: ['alertname=~".+"'], receiver: error, continue: true}
    - {matchers: ['alertname=~".+"'], receiver: refused, continue: true}
    - {matchers: ['alertname=~".+"'], receiver: healthy}
receivers:
  - {name: healthy, webhook_configs: [{url: '${healthy.url}/'}]}
  - {name: error, webhook_configs: [{url: '${failing.url}/'}]}
  - {name: hang, webhook_configs: [{url: '${hanging.url}/'}]}
  - {name: refused, webhook_configs: [{url: 'http://127.0.0.1:${refused}/'}]}
`;
    const config = parseNotifyConfig(parse(yaml), 'test.yml');
    const clock = new ManualClock(T0);
    const registry = new Registry({ clock });
    const events: NotificationEvent[] = [];
    const pipeline = new NotificationPipeline({
      config,
      notifiers: buildNotifiers(config, clock),
      clock,
      registry,
      events: { record: (e) => e.kind === 'notification' && events.push(e) },
      externalURL: 'http://vigil.test',
      delivery: { timeoutMs: 2_000, maxAttempts: 3, initialDelayMs: 500, jitter: 0 },
    });
    cleanups.push(() => pipeline.close());

    pipeline.receive([alert({ alertname: 'Down' }, T0 - 60_000, T0 + 3_600_000)]);
    await healthy.waitFor(1);
    // The others are still retrying when the healthy receiver has its notification.
    expect(events.filter((e) => e.result === 'failed')).toEqual([]);
    const finished = (r: string) => events.some((e) => e.receiver === r && e.result !== 'retry');
    // Time moves on the injected clock; the loop only yields for the sockets' real I/O.
    for (let i = 0; i < 500 && !['hang', 'error', 'refused'].every(finished); i++) {
      clock.advance(250);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const of = (r: string) => events.filter((e) => e.receiver === r).map((e) => `${e.attempt}:${e.result}`);
    expect(of('healthy')).toEqual(['1:success']);
    for (const r of ['hang', 'error', 'refused']) expect(of(r)).toEqual(['1:retry', '2:retry', '3:failed']);
    expect(failing.received).toHaveLength(3);
    expect(hanging.received).toHaveLength(3);
    expect(events.find((e) => e.receiver === 'hang')!.error).toMatch(/no answer within 2000 ms/);
    expect(events.find((e) => e.receiver === 'refused')!.error).toMatch(/ECONNREFUSED/);

    const text = toPrometheusText(registry.snapshotSync());
    const value = (line: string) =>
      Number(new RegExp(`^${line.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(
      value('vigil_notifications_failed_total{receiver="error",integration="webhook",reason="http_5xx"}'),
    ).toBe(3);
    expect(
      value('vigil_notifications_failed_total{receiver="hang",integration="webhook",reason="timeout"}'),
    ).toBe(3);
    expect(
      value('vigil_notifications_failed_total{receiver="refused",integration="webhook",reason="network"}'),
    ).toBe(3);
    for (const r of ['hang', 'error', 'refused'])
      expect(value(`vigil_notifications_dead_letter_total{receiver="${r}",integration="webhook"}`)).toBe(1);
    expect(value('vigil_notifications_total{receiver="healthy",integration="webhook"}')).toBe(1);
    expect(text).not.toMatch(/vigil_notifications_dead_letter_total\{receiver="healthy"/);
  });
});
