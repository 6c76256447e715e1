import type { Counter } from '@vigil/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { countBackgroundFailures } from '../../../src/errors/background-tasks.js';
import { alert, pipelineFrom, settle, T0 } from './pipeline-fixture.js';

const CONFIG = `
route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: team
    log_configs: [{}]
`;

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe('aggregation groups', () => {
  it('waits group_wait, then sends each group once with all its alerts', async () => {
    const p = pipelineFrom(CONFIG);
    stop = () => p.pipeline.close();
    p.pipeline.receive([
      alert({ alertname: 'HighLatency', instance: 'a' }, T0, T0 + 600_000),
      alert({ alertname: 'HighLatency', instance: 'b' }, T0, T0 + 600_000),
      alert({ alertname: 'DiskFull', instance: 'a' }, T0, T0 + 600_000),
    ]);
    await p.advance(29_999);
    expect(p.sent('team')).toHaveLength(0);
    await p.advance(1);
    const sent = p.sent('team');
    expect(sent.map((n) => n.groupKey).sort()).toEqual([
      '{}:{alertname="DiskFull"}',
      '{}:{alertname="HighLatency"}',
    ]);
    const latency = sent.find((n) => n.groupKey.includes('HighLatency'))!;
    expect(latency.alerts.map((a) => a.labels.instance)).toEqual(['a', 'b']);
    expect(latency.status).toBe('firing');
    expect(latency.alerts[0]!.endsAt).toBe(0);
  });

  it('adds a new alert at the next group_interval, not before, and repeats unchanged groups after repeat_interval', async () => {
    const p = pipelineFrom(CONFIG);
    stop = () => p.pipeline.close();
    const far = T0 + 24 * 3_600_000;
    p.pipeline.receive([alert({ alertname: 'A', instance: '1' }, T0, far)]);
    await p.advance(30_000);
    expect(p.sent('team')).toHaveLength(1);
    await p.advance(60_000);
    p.pipeline.receive([alert({ alertname: 'A', instance: '2' }, T0 + 90_000, far)]);
    await p.advance(60_000 * 3 + 59_999); // 4:59.999 after the first flush
    expect(p.sent('team')).toHaveLength(1);
    await p.advance(1);
    expect(p.sent('team')).toHaveLength(2);
    expect(p.sent('team')[1]!.alerts).toHaveLength(2);
    // Nothing changes: no notification until the first group interval tick strictly more than 4 h
    // after the last one (Alertmanager compares with Before, so the tick at exactly 4 h does not repeat).
    await p.advance(4 * 3_600_000);
    expect(p.sent('team')).toHaveLength(2);
    await p.advance(300_000);
    expect(p.sent('team')).toHaveLength(3);
    expect(p.sent('team')[2]!.time - p.sent('team')[1]!.time).toBe(4 * 3_600_000 + 300_000);
  });

  it('flushes at once an alert that started longer than group_wait ago', async () => {
    const p = pipelineFrom(CONFIG);
    stop = () => p.pipeline.close();
    p.pipeline.receive([alert({ alertname: 'Old' }, T0 - 60_000, T0 + 600_000)]);
    await settle();
    expect(p.sent('team')).toHaveLength(1);
  });

  it('sends the resolution at the next interval, then forgets the group', async () => {
    const p = pipelineFrom(CONFIG);
    stop = () => p.pipeline.close();
    p.pipeline.receive([alert({ alertname: 'A' }, T0, T0 + 3_600_000)]);
    await p.advance(30_000);
    p.pipeline.receive([alert({ alertname: 'A' }, T0, T0 + 30_000)]);
    await p.advance(300_000);
    const [firing, resolved] = p.sent('team');
    expect(firing!.status).toBe('firing');
    expect(resolved!.status).toBe('resolved');
    expect(resolved!.alerts[0]!.endsAt).toBe(T0 + 30_000);
    await p.advance(30_000);
    expect(p.pipeline.groups()).toHaveLength(0);
  });

  it('resolves an alert that is not heard of again within resolve_timeout', async () => {
    const p = pipelineFrom(`global: {resolve_timeout: 2m}\n${CONFIG}`);
    stop = () => p.pipeline.close();
    p.pipeline.receive([alert({ alertname: 'Silent' }, T0)]);
    await p.advance(30_000);
    await p.advance(300_000);
    expect(p.sent('team').map((n) => n.status)).toEqual(['firing', 'resolved']);
    expect(p.sent('team')[1]!.alerts[0]!.endsAt).toBe(T0 + 120_000);
  });

  it('records a notification event per attempt', async () => {
    const p = pipelineFrom(CONFIG);
    stop = () => p.pipeline.close();
    p.pipeline.receive([alert({ alertname: 'A' }, T0, T0 + 600_000)]);
    await p.advance(30_000);
    expect(p.events).toMatchObject([
      {
        kind: 'notification',
        receiver: 'team',
        groupKey: '{}:{alertname="A"}',
        status: 'firing',
        result: 'success',
        attempt: 1,
        alerts: [{ alertname: 'A' }],
      },
    ]);
  });
});

describe('routing', () => {
  const ROUTES = `
route:
  receiver: default
  group_wait: 0s
  group_by: ['...']
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
    - match_re: {team: "db|storage"}
      receiver: dba
    - matchers: ['team=~".+"']
      receiver: teams
receivers:
  - name: default
  - name: pager
  - name: dba
  - name: teams
`;
  it('follows continue, stops at the first match otherwise, and falls back to the parent', async () => {
    const p = pipelineFrom(ROUTES);
    stop = () => p.pipeline.close();
    p.pipeline.receive([
      alert({ alertname: 'X', severity: 'critical', team: 'db' }, T0 - 1000, T0 + 600_000),
      alert({ alertname: 'Y', team: 'web' }, T0 - 1000, T0 + 600_000),
      alert({ alertname: 'Z' }, T0 - 1000, T0 + 600_000),
    ]);
    await p.advance(1);
    const names = (r: string) => p.sent(r).flatMap((n) => n.alerts.map((a) => a.labels.alertname));
    expect(names('pager')).toEqual(['X']);
    expect(names('dba')).toEqual(['X']);
    expect(names('teams')).toEqual(['Y']);
    expect(names('default')).toEqual(['Z']);
    expect(p.sent('pager')[0]!.groupKey).toBe(
      '{}/{severity="critical"}:{alertname="X", severity="critical", team="db"}',
    );
  });
});

describe('a group whose flush fails', () => {
  it('is flushed again at its next interval, the failure reported rather than left unhandled', async () => {
    // The incident manager saves each delivery on the incident's timeline: on a full disk that throws.
    let full = true;
    const p = pipelineFrom(CONFIG, {
      observer: {
        flushing: () => undefined,
        delivered: () => {
          if (full) throw new Error('database or disk is full');
        },
        silenceChanged: () => {},
      },
    });
    countBackgroundFailures(p.registry);
    stop = () => p.pipeline.close();
    p.pipeline.receive([alert({ alertname: 'A', instance: '1' }, T0, T0 + 24 * 3_600_000)]);
    await p.advance(30_000);
    expect(p.sent('team')).toHaveLength(1);
    const failures = p.registry.getMetric('vigil_background_errors_total') as Counter;
    expect(failures.get({ task: 'flushing alert groups' })).toBe(1);
    full = false;
    p.pipeline.receive([alert({ alertname: 'A', instance: '2' }, T0 + 60_000, T0 + 24 * 3_600_000)]);
    await p.advance(5 * 60_000);
    expect(p.sent('team').map((n) => n.alerts.length)).toEqual([1, 2]);
  });
});
