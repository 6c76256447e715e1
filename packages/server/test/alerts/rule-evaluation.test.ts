import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, Registry, toPrometheusText } from '@vigil/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { AlertHistory } from '../../src/alerts/alert-history.js';
import { RuleFileError } from '../../src/alerts/rule-file-error.js';
import { RuleManager } from '../../src/alerts/rule-manager.js';
import { parsePromql } from '../../src/query/parse.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { isStaleNaN } from '../../src/store/series-store.js';
import { SqliteEventLog } from '../../src/store/sqlite-event-log.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

let dir: string;
let store: SqliteStore;
let clock: ManualClock;
let history: AlertHistory;
let sent: Alert[][];
let managers: RuleManager[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  clock = new ManualClock(T0);
  store = await openSqliteStore({ dir, clock });
  history = new AlertHistory(new SqliteEventLog({ path: ':memory:', what: 'the alert history', clock }));
  sent = [];
  managers = [];
});
afterEach(async () => {
  for (const m of managers) await m.stop();
  history.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function rules(text: string, name = 'rules.yml'): string {
  writeFileSync(join(dir, name), text);
  return name;
}

async function manager(files: string[], registry?: Registry): Promise<RuleManager> {
  const m = new RuleManager({
    files,
    baseDir: dir,
    engine: new PromqlEngine({ store, clock }),
    store,
    checkExpr: (e) => {
      parsePromql(e);
    },
    sink: { receive: (alerts) => sent.push([...alerts]) },
    events: history,
    clock,
    ...(registry && { registry }),
    evaluationIntervalMs: MIN,
  });
  managers.push(m);
  await m.load();
  m.start();
  return m;
}

async function set(value: number, labels: Record<string, string> = { queue: 'a' }): Promise<void> {
  await store.append([
    { labels: { __name__: 'queue_depth', ...labels }, timestamps: [clock.now()], values: [value] },
  ]);
}

/** Moves the clock one minute (one evaluation) and waits for the evaluation to finish. */
async function minute(m: RuleManager): Promise<void> {
  clock.advance(MIN);
  await m.settled();
}

function states(m: RuleManager): [string, string][] {
  return m.alerts().map((a) => [a.labels.queue!, a.state]);
}

const QUEUE_RULE = `groups:
  - name: queues
    rules:
      - alert: QueueBacklog
        expr: queue_depth > 10
        for: 2m
        labels: { severity: warning }
        annotations:
          summary: "queue {{ $labels.queue }} holds {{ $value }}"
`;

describe('rule evaluation', () => {
  it('shows a template that would render past the output limit as an error in place, and keeps the alert', async () => {
    const m = await manager([
      rules(
        QUEUE_RULE.replace('holds {{ $value }}', 'holds {{ printf \\"%99999999d\\" 1 }}').replace(
          'for: 2m',
          'for: 0s',
        ),
      ),
    ]);
    await set(20);
    await minute(m);
    expect(states(m)).toEqual([['a', 'firing']]);
    expect(m.alerts()[0]!.annotations.summary).toBe(
      '<error expanding template: printf: the width or precision of %99999999d is more than 65536 characters, the limit of a template>',
    );
  });

  it('goes pending, fires after `for`, and resolves; sends, records and stores each step', async () => {
    const m = await manager([rules(QUEUE_RULE)]);
    await set(20);
    await minute(m); // T0+1m: pending
    expect(states(m)).toEqual([['a', 'pending']]);
    await set(25);
    await minute(m); // T0+2m: pending for 1m of 2m
    expect(states(m)).toEqual([['a', 'pending']]);
    expect(sent).toEqual([]);
    await set(30);
    await minute(m); // T0+3m: fires
    expect(states(m)).toEqual([['a', 'firing']]);
    expect(m.alerts()[0]!.annotations).toEqual({ summary: 'queue a holds 30' });
    expect(sent).toEqual([
      [
        {
          labels: { alertname: 'QueueBacklog', queue: 'a', severity: 'warning' },
          annotations: { summary: 'queue a holds 30' },
          startsAt: T0 + 3 * MIN,
          endsAt: T0 + 3 * MIN + 4 * MIN,
          generatorURL: `/graph?g0.expr=${encodeURIComponent('queue_depth > 10')}&g0.tab=1`,
        },
      ],
    ]);
    await set(40);
    await minute(m); // T0+4m: still firing, not resent before the resend delay (1m) has passed
    expect(sent).toHaveLength(1);
    await set(5);
    await minute(m); // T0+5m: resolved
    expect(states(m)).toEqual([]);
    expect(sent.at(-1)).toEqual([expect.objectContaining({ startsAt: T0 + 3 * MIN, endsAt: T0 + 5 * MIN })]);
    const group = m.groups()[0]!;
    expect(group.status.get(group.rules[0]!)).toMatchObject({
      health: 'ok',
      lastError: '',
      lastEvaluation: T0 + 5 * MIN,
    });

    expect(
      history
        .query({ alertname: 'QueueBacklog' })
        .map((e) => e.kind === 'state' && [e.time - T0, e.from, e.to, e.value]),
    ).toEqual([
      [5 * MIN, 'firing', 'inactive', '40'],
      [3 * MIN, 'pending', 'firing', '30'],
      [1 * MIN, 'inactive', 'pending', '20'],
    ]);

    const alerts = await store.select([{ name: '__name__', type: '=', value: 'ALERTS' }], T0, T0 + 10 * MIN);
    const byState = Object.fromEntries(alerts.map((s) => [s.labels.alertstate, s]));
    expect(Object.keys(byState).sort()).toEqual(['firing', 'pending']);
    expect(byState.pending!.labels).toEqual({
      __name__: 'ALERTS',
      alertname: 'QueueBacklog',
      alertstate: 'pending',
      queue: 'a',
      severity: 'warning',
    });
    // As in Prometheus, nothing is written before state is restored after the first evaluation.
    expect([...byState.pending!.timestamps].map((t) => (t - T0) / MIN)).toEqual([2, 3]);
    expect(byState.pending!.values[0]).toBe(1);
    expect(isStaleNaN(byState.pending!.values[1]!)).toBe(true);
    expect([...byState.firing!.timestamps].map((t) => (t - T0) / MIN)).toEqual([3, 4, 5]);
    expect(isStaleNaN(byState.firing!.values[2]!)).toBe(true);
    const forState = await store.select(
      [{ name: '__name__', type: '=', value: 'ALERTS_FOR_STATE' }],
      T0,
      T0 + 10 * MIN,
    );
    expect(forState).toHaveLength(1);
    expect(forState[0]!.values[0]).toBe((T0 + MIN) / 1000);
  });

  it('drops a pending alert that stops matching before `for`', async () => {
    const m = await manager([rules(QUEUE_RULE)]);
    await set(20);
    await minute(m);
    await set(1);
    await minute(m);
    expect(states(m)).toEqual([]);
    expect(sent).toEqual([]);
    expect(history.query().map((e) => e.kind === 'state' && `${e.from}->${e.to}`)).toEqual([
      'pending->inactive',
      'inactive->pending',
    ]);
  });

  it('keeps firing for keep_firing_for after the condition clears', async () => {
    const m = await manager([
      rules(`groups:
  - name: flappy
    rules:
      - alert: Flappy
        expr: queue_depth > 10
        keep_firing_for: 2m
`),
    ]);
    await set(20);
    await minute(m); // for 0: fires at once
    expect(states(m)).toEqual([['a', 'firing']]);
    expect(history.query().map((e) => e.kind === 'state' && `${e.from}->${e.to}`)).toEqual([
      'inactive->firing',
    ]);
    await set(1);
    await minute(m); // cleared 0m ago: keeps firing
    expect(states(m)).toEqual([['a', 'firing']]);
    await minute(m); // cleared 1m ago: keeps firing
    expect(states(m)).toEqual([['a', 'firing']]);
    await minute(m); // cleared 2m ago: resolves
    expect(states(m)).toEqual([]);
    await set(20);
    await minute(m); // back: fires again
    expect(states(m)).toEqual([['a', 'firing']]);
  });

  it('restores pending time across a restart from ALERTS_FOR_STATE, not counting the downtime', async () => {
    const text = QUEUE_RULE.replace('for: 2m', 'for: 30m');
    const first = await manager([rules(text)]);
    for (let i = 0; i < 20; i++) {
      await set(20);
      await minute(first); // pending from T0+1m to T0+20m
    }
    expect(states(first)).toEqual([['a', 'pending']]);
    await first.stop();
    clock.advance(15 * MIN); // down from T0+20m to T0+35m
    await set(20);
    const second = await manager([rules(text)]);
    await set(20);
    await minute(second); // T0+36m: restored
    // Active since T0+1m, last written at T0+20m: 19 of 30 minutes spent, 11 left (more than the
    // 10m grace period), so the 16 minutes since the last write are not counted.
    const restored = second.alerts()[0]!;
    expect(restored.state).toBe('pending');
    expect(restored.activeAt).toBe(T0 + MIN + 16 * MIN);
    for (let i = 0; i < 10; i++) {
      await set(20);
      await minute(second);
    }
    expect(states(second)).toEqual([['a', 'pending']]); // T0+46m: 29m pending
    await set(20);
    await minute(second); // T0+47m: 30m
    expect(states(second)).toEqual([['a', 'firing']]);
  });

  it('does not restore rules whose `for` is under the grace period', async () => {
    const first = await manager([rules(QUEUE_RULE.replace('for: 2m', 'for: 5m'))]);
    for (let i = 0; i < 3; i++) {
      await set(20);
      await minute(first);
    }
    await first.stop();
    await set(20);
    const second = await manager([rules(QUEUE_RULE.replace('for: 2m', 'for: 5m'))]);
    await set(20);
    await minute(second);
    expect(second.alerts()[0]!.activeAt).toBe(clock.now());
  });

  it('keeps running the old rules when a reload finds a broken file, and carries alerts over a good one', async () => {
    const registry = new Registry({ clock });
    const file = rules(QUEUE_RULE.replace('for: 2m', 'for: 0s'));
    const m = await manager([file], registry);
    await set(20);
    await minute(m);
    expect(states(m)).toEqual([['a', 'firing']]);
    const firedAt = m.alerts()[0]!.activeAt;

    rules(
      'groups:\n  - name: queues\n    rules:\n      - alert: QueueBacklog\n        expr: queue_depth >\n',
    );
    await expect(m.load()).rejects.toThrow(RuleFileError);
    await expect(m.load()).rejects.toThrow(/^rules\.yml|rules\.yml:5: could not parse expression/);
    expect(toPrometheusText(registry.snapshotSync())).toMatch(/^vigil_rules_last_reload_successful 0$/m);
    await set(20);
    await minute(m);
    expect(states(m)).toEqual([['a', 'firing']]);
    expect(m.groups()[0]!.rules).toHaveLength(1);

    rules(
      `${QUEUE_RULE.replace('for: 2m', 'for: 0s')}      - record: queue:depth:max\n        expr: max(queue_depth)\n`,
    );
    await m.load();
    expect(toPrometheusText(registry.snapshotSync())).toMatch(/^vigil_rules_last_reload_successful 1$/m);
    expect(m.groups()[0]!.rules).toHaveLength(2);
    expect(m.alerts()[0]!.activeAt).toBe(firedAt);
    await set(33);
    await minute(m);
    expect(states(m)).toEqual([['a', 'firing']]);
    const recorded = await store.select(
      [{ name: '__name__', type: '=', value: 'queue:depth:max' }],
      T0,
      clock.now(),
    );
    expect(recorded.map((s) => [...s.values])).toEqual([[33]]);
  });

  it("exposes each group's last evaluation time and duration, as Prometheus's rule_group gauges", async () => {
    const registry = new Registry({ clock });
    const file = rules(QUEUE_RULE);
    const m = await manager([file], registry);
    await set(20);
    await minute(m);
    const text = () => toPrometheusText(registry.snapshotSync());
    expect(text()).toMatch(
      new RegExp(
        `^vigil_rule_group_last_evaluation_timestamp_seconds\\{rule_group="queues"\\} ${clock.now() / 1000}$`,
        'm',
      ),
    );
    const duration = text().match(/^vigil_rule_group_last_duration_seconds\{rule_group="queues"\} (\S+)$/m);
    expect(Number(duration?.[1])).toBe(m.groups()[0]!.evaluationSeconds);
    expect(Number(duration?.[1])).toBeGreaterThan(0);
    rules(QUEUE_RULE.replace('name: queues', 'name: renamed'), file);
    await m.load();
    await minute(m);
    expect(text()).not.toMatch(/rule_group="queues"/);
    expect(text()).toMatch(/^vigil_rule_group_last_duration_seconds\{rule_group="renamed"\} /m);
  });

  it('marks a rule unhealthy with its error, and other groups go on', async () => {
    const m = await manager([
      rules(`groups:
  - name: broken
    rules:
      - alert: ManyToMany
        expr: queue_depth + on() group_left queue_depth
  - name: fine
    rules:
      - alert: Fine
        expr: queue_depth > 10
`),
    ]);
    await set(20, { queue: 'a' });
    await set(20, { queue: 'b' });
    await minute(m);
    const [broken, fine] = m.groups();
    expect(broken!.status.get(broken!.rules[0]!)).toMatchObject({
      health: 'err',
      lastError: expect.stringMatching(/.+/),
    });
    expect(fine!.status.get(fine!.rules[0]!)).toMatchObject({ health: 'ok' });
    expect(states(m).sort()).toEqual([
      ['a', 'firing'],
      ['b', 'firing'],
    ]);
  });

  it('enforces the group limit as an error that drops the alerts', async () => {
    const m = await manager([
      rules(`groups:
  - name: limited
    limit: 1
    rules:
      - alert: Backlog
        expr: queue_depth > 10
`),
    ]);
    await set(20, { queue: 'a' });
    await set(20, { queue: 'b' });
    await minute(m);
    const group = m.groups()[0]!;
    expect(group.status.get(group.rules[0]!)).toMatchObject({
      health: 'err',
      lastError: 'exceeded limit of 1 with 2 alerts',
    });
    expect(m.alerts()).toEqual([]);
  });
});
