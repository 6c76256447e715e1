import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../../../../test/support/until.js';
import { fingerprint } from '../../../src/alerts/notify/fingerprint.js';
import type { Notification } from '../../../src/alerts/notify/notification.js';
import { listen } from './http-listener.js';
import { alert, deliveringPipeline, T0 } from './pipeline-fixture.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** What the incident manager hands over: the incident's view of the alert, with no endsAt. */
function escalation(labels: Record<string, string>, startsAt: number, time: number): Notification {
  return {
    receiver: '',
    groupKey: '{}:{alertname="CheckoutDown"}',
    status: 'firing',
    groupLabels: { alertname: 'CheckoutDown' },
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: {},
        startsAt,
        endsAt: 0,
        generatorURL: '',
        fingerprint: fingerprint(labels),
      },
    ],
    externalURL: 'http://vigil.test',
    time,
    idempotencyKey: 'step-1',
  };
}

interface PostedAlert {
  labels: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL: string;
}

describe('escalation to a receiver that forwards to an Alertmanager', () => {
  it('sends the alerts with the endsAt their rule set, then every resend of them until they resolve, with the real end', async () => {
    // Stands in for the Alertmanager's POST /api/v2/alerts: a real HTTP server keeping the bodies.
    const upstream = await listen();
    const team = await listen();
    cleanups.push(upstream.close, team.close);
    const { pipeline, clock } = deliveringPipeline(
      `
route: {receiver: team, group_wait: 10s}
receivers:
  - {name: team, webhook_configs: [{url: '${team.url}/'}]}
  - {name: upstream, alertmanager_configs: [{url: '${upstream.url}'}]}
`,
      { jitter: 0 },
    );
    cleanups.push(() => pipeline.close());
    const posted = (i: number) => JSON.parse(upstream.received[i]!.body) as PostedAlert[];
    const labels = { alertname: 'CheckoutDown', severity: 'critical' };
    // As a rule evaluated at T0 sends it: valid 4 × max(1m resend delay, 15s interval) ahead.
    pipeline.receive([alert(labels, T0 - 60_000, T0 + 240_000)]);
    await pipeline.forwarded();
    expect(upstream.received).toHaveLength(0); // its route leads to team only

    clock.advance(30_000);
    const results = await pipeline.deliverTo('upstream', escalation(labels, T0 - 60_000, clock.now()));
    expect(results).toEqual([{ integration: 'alertmanager', ok: true, attempts: 1 }]);
    expect(posted(0)).toEqual([
      {
        labels,
        annotations: {},
        startsAt: new Date(T0 - 60_000).toISOString(),
        endsAt: new Date(T0 + 240_000).toISOString(),
        generatorURL: 'http://vigil/graph',
      },
    ]);

    // The rule's resend a minute later reaches the escalated Alertmanager too, with its new endsAt.
    clock.advance(30_000);
    pipeline.receive([alert(labels, T0 - 60_000, T0 + 300_000)]);
    await pipeline.forwarded();
    expect(upstream.received).toHaveLength(2);
    expect(posted(1)[0]!.endsAt).toBe(new Date(T0 + 300_000).toISOString());

    // Resolved at T0 + 90 s: sent on with that end, and no longer followed after it.
    clock.advance(30_000);
    pipeline.receive([alert(labels, T0 - 60_000, T0 + 90_000)]);
    await pipeline.forwarded();
    expect(upstream.received).toHaveLength(3);
    expect(posted(2)[0]!.endsAt).toBe(new Date(T0 + 90_000).toISOString());
    clock.advance(600_000);
    pipeline.receive([alert(labels, clock.now(), clock.now() + 240_000)]);
    await pipeline.forwarded();
    await until('the new firing to reach team', () => team.received.length >= 1);
    expect(upstream.received).toHaveLength(3);
  });

  it('leaves out endsAt for an alert whose sender sent none, so the Alertmanager applies its resolve_timeout', async () => {
    const upstream = await listen();
    cleanups.push(upstream.close);
    const { pipeline, clock } = deliveringPipeline(
      `
route: {receiver: upstream}
receivers:
  - {name: upstream, alertmanager_configs: [{url: '${upstream.url}'}]}
`,
      { jitter: 0 },
    );
    cleanups.push(() => pipeline.close());
    const labels = { alertname: 'FromAClient' };
    pipeline.receive([alert(labels, T0)]);
    await pipeline.forwarded();
    expect(upstream.received).toHaveLength(1);
    clock.advance(60_000);
    const [result] = await pipeline.deliverTo('upstream', escalation(labels, T0, clock.now()));
    expect(result).toMatchObject({ ok: true });
    const [sent] = JSON.parse(upstream.received[1]!.body) as PostedAlert[];
    expect(sent).not.toHaveProperty('endsAt');
    expect(sent!.generatorURL).toBe('http://vigil/graph');
  });

  it('keeps forwarding the escalated alerts to that Alertmanager after a restart', async () => {
    const upstream = await listen();
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-escalated-forwarding-'));
    cleanups.push(upstream.close, () => rmSync(dataDir, { recursive: true, force: true }));
    const yaml = `
route: {receiver: team, group_wait: 10s}
receivers:
  - {name: team, webhook_configs: [{url: 'http://127.0.0.1:9/'}]}
  - {name: upstream, alertmanager_configs: [{url: '${upstream.url}'}]}
`;
    const labels = { alertname: 'CheckoutDown', severity: 'critical' };
    const before = deliveringPipeline(yaml, { jitter: 0 }, { dataDir });
    before.pipeline.receive([alert(labels, T0 - 60_000, T0 + 240_000)]);
    await before.pipeline.deliverTo('upstream', escalation(labels, T0 - 60_000, T0));
    expect(upstream.received).toHaveLength(1);
    await before.pipeline.close();

    // The restarted rules send the alert again (its `for` state restored).
    const after = deliveringPipeline(yaml, { jitter: 0 }, { dataDir, clock: before.clock });
    cleanups.push(() => after.pipeline.close());
    before.clock.advance(60_000);
    after.pipeline.receive([alert(labels, T0 - 60_000, T0 + 300_000)]);
    await after.pipeline.forwarded();
    expect(upstream.received).toHaveLength(2);
    expect((JSON.parse(upstream.received[1]!.body) as PostedAlert[])[0]!.endsAt).toBe(
      new Date(T0 + 300_000).toISOString(),
    );
  });
});
