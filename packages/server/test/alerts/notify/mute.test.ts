import { ManualClock, Registry } from '@vigil/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Notification } from '../../../src/alerts/notify/notification.js';
import { NotificationPipeline } from '../../../src/alerts/notify/notification-pipeline.js';
import { parseNotifyConfig } from '../../../src/alerts/notify/notify-config.js';
import { alert, pipelineFrom, RecordingNotifier, settle, T0 } from './pipeline-fixture.js';

let stop: (() => void) | undefined;
afterEach(() => stop?.());

const BASE = `
route:
  receiver: team
  group_by: [alertname, severity]
  group_wait: 10s
  group_interval: 1m
receivers:
  - name: team
`;

describe('inhibition', () => {
  it('mutes the warning while the critical of the same alertname fires, and releases it when the critical resolves', async () => {
    const p = pipelineFrom(
      `${BASE}inhibit_rules:\n  - source_matchers: [severity="critical"]\n    target_matchers: [severity="warning"]\n    equal: [alertname]\n`,
    );
    stop = () => p.pipeline.close();
    const warning = alert({ alertname: 'Latency', severity: 'warning' }, T0, T0 + 3_600_000);
    const critical = alert({ alertname: 'Latency', severity: 'critical' }, T0, T0 + 3_600_000);
    const other = alert({ alertname: 'Errors', severity: 'warning' }, T0, T0 + 3_600_000);
    p.pipeline.receive([warning, critical, other]);
    await p.advance(10_000);
    const severities = () =>
      p.sent('team').map((n) => `${n.groupLabels.alertname}/${n.groupLabels.severity}`);
    expect(severities().sort()).toEqual(['Errors/warning', 'Latency/critical']);
    const status = p.pipeline
      .alerts()
      .find((a) => a.alert.labels.severity === 'warning' && a.alert.labels.alertname === 'Latency')!;
    expect(status.state).toBe('suppressed');
    expect(status.inhibitedBy).toHaveLength(1);

    p.pipeline.receive([{ ...critical, endsAt: T0 + 10_000 }]);
    await p.advance(60_000);
    expect(severities()).toContain('Latency/warning');
  });

  it('applies the default rule when the configuration has none: critical inhibits warning of the same alertname', async () => {
    const { defaultNotifyConfig } = await import('../../../src/alerts/notify/notify-config.js');
    expect(defaultNotifyConfig({}).inhibitRules).toHaveLength(1);
    expect(defaultNotifyConfig({}).receivers[0]!.integrations[0]!.kind).toBe('log');
    const slack = defaultNotifyConfig({
      SLACK_WEBHOOK_URL: 'https://hooks.slack.test/x',
      SLACK_CHANNEL: '#ops',
    });
    expect(slack.receivers[0]!.integrations[0]).toMatchObject({ kind: 'slack', channel: '#ops' });
  });
});

describe('silences', () => {
  it('mutes matching alerts only between startsAt and endsAt', async () => {
    const p = pipelineFrom(BASE);
    stop = () => p.pipeline.close();
    const { alertmanagerMatcher: matcher } = await import('../../../src/matchers/matcher-syntax.js');
    const id = p.pipeline.silences.set({
      matchers: [matcher('alertname', '=~', 'Disk.*')],
      startsAt: T0 + 5_000,
      endsAt: T0 + 120_000,
      createdBy: 'ops',
      comment: 'maintenance',
    });
    p.pipeline.receive([
      alert({ alertname: 'DiskFull', severity: 'warning' }, T0, T0 + 3_600_000),
      alert({ alertname: 'CpuHigh', severity: 'warning' }, T0, T0 + 3_600_000),
    ]);
    expect(p.pipeline.silencedBy({ alertname: 'DiskFull' })).toEqual([]);
    await p.advance(10_000);
    expect(p.pipeline.silencedBy({ alertname: 'DiskFull' })).toEqual([id]);
    expect(p.sent('team').map((n) => n.groupLabels.alertname)).toEqual(['CpuHigh']);
    await p.advance(60_000);
    expect(p.sent('team')).toHaveLength(1);
    // Silence ends at T0+120s; the next flush after it sends DiskFull.
    await p.advance(60_000);
    expect(p.sent('team').map((n) => n.groupLabels.alertname)).toEqual(['CpuHigh', 'DiskFull']);
    expect(p.pipeline.silences.state(p.pipeline.silences.get(id)!)).toBe('expired');
  });
});

describe('forwarding to an Alertmanager', () => {
  /** A pipeline whose one receiver has a recorded chat integration and a recorded forwarder. */
  function forwarding(yaml: string, answer?: () => Promise<void>) {
    const clock = new ManualClock(T0);
    const config = parseNotifyConfig(parse(yaml), 'test.yml');
    const chat = new RecordingNotifier();
    const forwarded: Notification[] = [];
    const alertmanager = {
      integration: 'alertmanager',
      sendResolved: true,
      forwardsAlerts: true,
      async send(n: Notification) {
        forwarded.push(n);
        await answer?.();
        return { code: 'success' } as const;
      },
    };
    const pipeline = new NotificationPipeline({
      config,
      notifiers: new Map([['team', [chat, alertmanager]]]),
      clock,
      registry: new Registry({ clock }),
      events: { record: () => {} },
      externalURL: 'http://vigil.test',
    });
    stop = () => pipeline.close();
    return { clock, pipeline, chat, forwarded };
  }
  const labels = (ns: readonly Notification[]) =>
    ns.flatMap((n) => n.alerts.map((a) => `${a.labels.alertname}/${a.labels.severity}/${a.status}`));

  it('forwards each alert as the rules send it, silenced, inhibited or muted by time too, while the other integrations stay quiet', async () => {
    const { clock, pipeline, chat, forwarded } = forwarding(
      `${BASE}inhibit_rules:\n  - source_matchers: [severity="critical"]\n    target_matchers: [severity="warning"]\n    equal: [alertname]\n`,
    );
    const { alertmanagerMatcher: matcher } = await import('../../../src/matchers/matcher-syntax.js');
    pipeline.silences.set({
      matchers: [matcher('alertname', '=', 'DiskFull')],
      startsAt: T0,
      endsAt: T0 + 3_600_000,
      createdBy: 'ops',
      comment: 'maintenance',
    });
    // What the rules send at T0 (1 m evaluation, 1 m resend delay): endsAt = now + 4 × 1 m.
    const batch = (now: number) => [
      alert({ alertname: 'DiskFull', severity: 'critical' }, T0, now + 240_000),
      alert({ alertname: 'Latency', severity: 'warning' }, T0, now + 240_000),
      alert({ alertname: 'Latency', severity: 'critical' }, T0, now + 240_000),
    ];
    pipeline.receive(batch(T0));
    await pipeline.forwarded();
    // At once: no group_wait (10 s) for the forwarder.
    expect(forwarded).toHaveLength(1);
    expect(labels(forwarded).sort()).toEqual([
      'DiskFull/critical/firing',
      'Latency/critical/firing',
      'Latency/warning/firing',
    ]);
    expect(forwarded[0]!.alerts.map((a) => a.endsAt)).toEqual([T0 + 240_000, T0 + 240_000, T0 + 240_000]);
    expect(chat.sent).toEqual([]);

    // The rules' resend a minute later is forwarded as it is, with its new endsAt.
    clock.advance(60_000);
    await settle();
    pipeline.receive(batch(T0 + 60_000));
    await pipeline.forwarded();
    expect(forwarded).toHaveLength(2);
    expect(forwarded[1]!.alerts.map((a) => a.endsAt)).toEqual([T0 + 300_000, T0 + 300_000, T0 + 300_000]);
    // The group (not muted) notified only what neither a silence nor inhibition mutes.
    expect(labels(chat.sent)).toEqual(['Latency/critical/firing']);

    // Resolved when it ends: the silenced DiskFull resolves, and the Alertmanager hears so at once.
    clock.advance(10_000);
    pipeline.receive([alert({ alertname: 'DiskFull', severity: 'critical' }, T0, T0 + 70_000)]);
    await pipeline.forwarded();
    expect(labels(forwarded.slice(2))).toEqual(['DiskFull/critical/resolved']);
    expect(forwarded[2]!.alerts[0]!.endsAt).toBe(T0 + 70_000);
  });

  it('forwards during a mute time interval, when the route sends nothing', async () => {
    const { pipeline, chat, forwarded } = forwarding(`
route:
  receiver: team
  group_wait: 0s
  mute_time_intervals: [always]
receivers:
  - name: team
time_intervals:
  - name: always
    time_intervals: [{}]
`);
    pipeline.receive([alert({ alertname: 'Night', severity: 'warning' }, T0, T0 + 240_000)]);
    await pipeline.forwarded();
    expect(labels(forwarded)).toEqual(['Night/warning/firing']);
    expect(chat.sent).toEqual([]);
  });

  it('sends one request at a time; what arrives meanwhile goes next, the latest state of an alert only', async () => {
    let release = () => {};
    const { pipeline, forwarded } = forwarding(BASE, () => new Promise<void>((r) => (release = r)));
    pipeline.receive([alert({ alertname: 'A', severity: 'warning' }, T0, T0 + 240_000)]);
    await settle();
    expect(forwarded).toHaveLength(1);
    pipeline.receive([alert({ alertname: 'B', severity: 'warning' }, T0, T0 + 240_000)]);
    pipeline.receive([
      alert({ alertname: 'A', severity: 'warning' }, T0, T0 + 300_000),
      alert({ alertname: 'B', severity: 'warning' }, T0, T0),
    ]);
    await settle();
    expect(forwarded).toHaveLength(1);
    release();
    await settle();
    expect(forwarded).toHaveLength(2);
    expect(labels(forwarded.slice(1))).toEqual(['B/warning/resolved', 'A/warning/firing']);
    expect(forwarded[1]!.alerts.find((a) => a.labels.alertname === 'A')!.endsAt).toBe(T0 + 300_000);
    release();
    await pipeline.forwarded();
    expect(forwarded).toHaveLength(2);
  });
});

describe('time intervals', () => {
  it('mutes a route during mute_time_intervals and outside active_time_intervals', async () => {
    const p = pipelineFrom(`
route:
  receiver: team
  group_wait: 0s
  group_interval: 1h
  routes:
    - matchers: [team="night"]
      receiver: night
      active_time_intervals: [nights]
    - matchers: [team="day"]
      receiver: day
      mute_time_intervals: [nights]
receivers:
  - name: team
  - name: night
  - name: day
time_intervals:
  - name: nights
    time_intervals:
      - times: [{start_time: "22:00", end_time: "24:00"}, {start_time: "00:00", end_time: "06:00"}]
        location: Europe/Paris
`);
    stop = () => p.pipeline.close();
    // T0 is 12:00 UTC, 14:00 in Paris: daytime.
    p.pipeline.receive([
      alert({ alertname: 'A', team: 'night' }, T0 - 1000, T0 + 48 * 3_600_000),
      alert({ alertname: 'B', team: 'day' }, T0 - 1000, T0 + 48 * 3_600_000),
    ]);
    await p.advance(1);
    expect(p.sent('night')).toHaveLength(0);
    expect(p.sent('day')).toHaveLength(1);
    // 21:00 UTC is 23:00 in Paris.
    await p.advance(9 * 3_600_000);
    expect(p.sent('night')).toHaveLength(1);
    expect(new Date(p.sent('night')[0]!.time).toISOString()).toBe('2026-06-01T20:00:00.001Z');
  });
});

describe('default inhibition', () => {
  it('applies when the configuration has no inhibit_rules key, and inhibit_rules: [] turns it off', async () => {
    const both = [
      alert({ alertname: 'Latency', severity: 'warning' }, T0, T0 + 3_600_000),
      alert({ alertname: 'Latency', severity: 'critical' }, T0, T0 + 3_600_000),
    ];
    const withDefault = pipelineFrom(BASE);
    withDefault.pipeline.receive(both);
    await withDefault.advance(10_000);
    expect(withDefault.sent('team').map((n) => n.groupLabels.severity)).toEqual(['critical']);
    withDefault.pipeline.close();

    const without = pipelineFrom(`${BASE}inhibit_rules: []\n`);
    stop = () => without.pipeline.close();
    without.pipeline.receive(both);
    await without.advance(10_000);
    expect(
      without
        .sent('team')
        .map((n) => n.groupLabels.severity)
        .sort(),
    ).toEqual(['critical', 'warning']);
  });
});
