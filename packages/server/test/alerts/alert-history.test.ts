import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertHistory } from '../../src/alerts/alert-history.js';
import type { AlertHistoryEvent } from '../../src/alerts/alert-history-event.js';
import { SqliteEventLog } from '../../src/store/sqlite-event-log.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const dir = mkdtempSync(join(tmpdir(), 'vigil-alert-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The history as vigil serve opens it: `alerts.db` in the data directory (or in memory). */
function open(where: string, options: { clock?: ManualClock; retentionDays?: number }): AlertHistory {
  const path = where === ':memory:' ? where : join(where, 'alerts.db');
  return new AlertHistory(
    new SqliteEventLog<AlertHistoryEvent>({ path, what: 'the alert history', ...options }),
  );
}

const state = (time: number, alertname: string): AlertHistoryEvent => ({
  kind: 'state',
  time,
  labels: { alertname, job: 'api' },
  from: 'pending',
  to: 'firing',
  value: '1',
});

describe('alert history', () => {
  it('keeps state changes and notification attempts in alerts.db across reopening, newest first', () => {
    const clock = new ManualClock(T0);
    let history = open(dir, { clock });
    history.record(state(T0, 'A'));
    history.record({
      kind: 'notification',
      time: T0 + 1000,
      receiver: 'slack',
      groupKey: '{}:{alertname="B"}',
      status: 'firing',
      alerts: [{ alertname: 'B' }, { alertname: 'A' }],
      result: 'retry',
      attempt: 1,
      error: 'HTTP 500',
    });
    history.record(state(T0 + 2000, 'B'));
    history.close();
    history = open(dir, { clock });
    expect(history.query().map((e) => [e.kind, e.time - T0])).toEqual([
      ['state', 2000],
      ['notification', 1000],
      ['state', 0],
    ]);
    expect(history.query({ alertname: 'A' }).map((e) => e.time - T0)).toEqual([1000, 0]);
    expect(history.query({ alertname: 'AB' })).toEqual([]);
    expect(history.query({ since: T0 + 500, until: T0 + 1500 })[0]).toMatchObject({
      receiver: 'slack',
      error: 'HTTP 500',
    });
    expect(history.query({ limit: 1 })).toHaveLength(1);
    history.close();
  });

  it('deletes events older than the retention period', () => {
    const clock = new ManualClock(T0);
    const history = open(':memory:', { clock, retentionDays: 1 });
    history.record(state(T0, 'Old'));
    clock.advance(20 * HOUR);
    history.record(state(clock.now(), 'Recent'));
    clock.advance(5 * HOUR); // the hourly prune at T0+25h removes Old, keeps Recent (5 h old)
    expect(history.query().map((e) => (e.kind === 'state' ? e.labels.alertname : ''))).toEqual(['Recent']);
    history.close();
  });

  it('refuses a retention that is not a positive number of days', () => {
    expect(() => open(':memory:', { retentionDays: 0 })).toThrow(/retentionDays: got 0/);
  });
});
