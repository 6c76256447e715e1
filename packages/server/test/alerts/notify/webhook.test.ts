import { ManualClock, Registry } from '@vigil/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notifier } from '../../../src/alerts/notify/notification.js';
import { NotificationPipeline } from '../../../src/alerts/notify/notification-pipeline.js';
import { defaultNotifyConfig } from '../../../src/alerts/notify/notify-config.js';
import { SlackWebhookNotifier } from '../../../src/alerts/notify/slack-notifier.js';
import { WebhookNotifier } from '../../../src/alerts/notify/webhook-notifier.js';
import { listen } from './http-listener.js';
import { alert, T0 } from './pipeline-fixture.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function pipelineWith(notifier: Notifier, clock: ManualClock) {
  const config = defaultNotifyConfig({});
  // Notification results as this pipeline records them, to wait until a delivery is finished.
  const results: string[] = [];
  const pipeline = new NotificationPipeline({
    events: { record: (e) => e.kind === 'notification' && results.push(e.result) },
    config: { ...config, route: { ...config.route, groupWaitMs: 0 } },
    notifiers: new Map([['log', [notifier]]]),
    clock,
    registry: new Registry({ clock }),
    externalURL: 'http://127.0.0.1:8000',
  });
  cleanups.push(() => pipeline.close());
  return Object.assign(pipeline, {
    async delivered(n: number): Promise<void> {
      while (results.length < n) await new Promise((resolve) => setImmediate(resolve));
    },
  });
}

describe('webhook notifier', () => {
  it("posts Alertmanager's version-4 payload byte for byte", async () => {
    const server = await listen();
    cleanups.push(server.close);
    const clock = new ManualClock(T0);
    const pipeline = pipelineWith(
      new WebhookNotifier({ url: `${server.url}/hook`, sendResolved: true, maxAlerts: 0, clock }),
      clock,
    );
    pipeline.receive([
      alert(
        { alertname: 'TestAlert', job: 'x', severity: 'warn<&>ing' },
        Date.parse('2026-06-01T11:00:00.120Z'),
        T0 + 600_000,
        { summary: 's\bx' },
      ),
    ]);
    await server.waitFor(1);
    const got = server.received[0]!;
    expect(got.path).toBe('/hook');
    expect(got.headers['content-type']).toBe('application/json');
    // The body the real Alertmanager 0.25 posted for the same alert (captured from it; Go escapes <, & and >).
    expect(got.body).toBe(
      '{"receiver":"log","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"TestAlert","job":"x","severity":"warn\\u003c\\u0026\\u003eing"},' +
        '"annotations":{"summary":"s\\u0008x"},"startsAt":"2026-06-01T11:00:00.12Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://vigil/graph",' +
        '"fingerprint":"39221fe374cf5dac"}],"groupLabels":{"alertname":"TestAlert"},"commonLabels":{"alertname":"TestAlert","job":"x","severity":"warn\\u003c\\u0026\\u003eing"},' +
        '"commonAnnotations":{"summary":"s\\u0008x"},"externalURL":"http://127.0.0.1:8000","version":"4","groupKey":"{}:{alertname=\\"TestAlert\\"}","truncatedAlerts":0}\n',
    );
    const parsed = JSON.parse(got.body);
    expect(Object.keys(parsed)).toEqual([
      'receiver',
      'status',
      'alerts',
      'groupLabels',
      'commonLabels',
      'commonAnnotations',
      'externalURL',
      'version',
      'groupKey',
      'truncatedAlerts',
    ]);
    expect(Object.keys(parsed.alerts[0])).toEqual([
      'status',
      'labels',
      'annotations',
      'startsAt',
      'endsAt',
      'generatorURL',
      'fingerprint',
    ]);
  });

  it('truncates to max_alerts and counts the rest', async () => {
    const server = await listen();
    cleanups.push(server.close);
    const clock = new ManualClock(T0);
    const pipeline = pipelineWith(
      new WebhookNotifier({ url: server.url, sendResolved: true, maxAlerts: 2, clock }),
      clock,
    );
    pipeline.receive(
      [1, 2, 3, 4, 5].map((i) => alert({ alertname: 'Many', instance: `i${i}` }, T0 - 60_000, T0 + 600_000)),
    );
    await server.waitFor(1);
    const body = JSON.parse(server.received[0]!.body);
    expect(body.alerts.map((a: { labels: { instance: string } }) => a.labels.instance)).toEqual(['i1', 'i2']);
    expect(body.truncatedAlerts).toBe(3);
  });
});

describe('slack notifier', () => {
  it('posts Alertmanager’s [FIRING:n] title linking to the alerts, an attachment per alert coloured by severity, then good when resolved', async () => {
    const server = await listen();
    cleanups.push(server.close);
    const clock = new ManualClock(T0);
    const pipeline = pipelineWith(
      new SlackWebhookNotifier({
        apiUrl: `${server.url}/services/T0/B0/x`,
        channel: '#ops',
        sendResolved: true,
        clock,
      }),
      clock,
    );
    const a = alert(
      { alertname: 'HighLatency', service: 'api', severity: 'critical' },
      T0 - 60_000,
      T0 + 600_000,
      {
        summary: 'p95 latency is 2.5 s',
        description: 'above the 1 s <threshold>',
      },
    );
    pipeline.receive([a]);
    await server.waitFor(1);
    const firing = JSON.parse(server.received[0]!.body);
    expect(firing.channel).toBe('#ops');
    expect(firing.text).toBe('[FIRING:1] HighLatency (api critical)');
    const [att] = firing.attachments;
    expect(att.color).toBe('danger');
    expect(att.title).toBe('p95 latency is 2.5 s');
    expect(att.title_link).toMatch(/\/#\/alerts\?receiver=/);
    expect(att.text).toBe('above the 1 s &lt;threshold&gt;');
    expect(att.fields).toEqual([
      { title: 'service', value: 'api', short: true },
      { title: 'severity', value: 'critical', short: true },
    ]);
    await pipeline.delivered(1);
    pipeline.receive([{ ...a, endsAt: T0 }]);
    clock.advance(300_000);
    await server.waitFor(2);
    const resolved = JSON.parse(server.received[1]!.body);
    expect(resolved.text).toBe('[RESOLVED] HighLatency (api critical)');
    expect(resolved.attachments[0].color).toBe('good');
  });
});
