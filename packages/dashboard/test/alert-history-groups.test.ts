import { describe, expect, it } from 'vitest';
import { groupAlertHistory } from '../src/alert-history-groups.js';
import type { AlertHistoryEvent } from '../src/alert-types.js';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 7, 12, minute)).toISOString();
const state = (
  minute: number,
  labels: Record<string, string>,
  from: string,
  to: string,
  value = '1',
): AlertHistoryEvent => ({
  kind: 'state',
  time: at(minute),
  labels,
  from,
  to,
  value,
});
const notification = (
  minute: number,
  alerts: Record<string, string>[],
  result: string,
  error?: string,
): AlertHistoryEvent => ({
  kind: 'notification',
  time: at(minute),
  receiver: 'ops',
  status: 'firing',
  alerts,
  result,
  attempt: 1,
  ...(error !== undefined && { error }),
});

const slowA = { alertname: 'Slow', instance: 'a' };
const slowB = { alertname: 'Slow', instance: 'b' };
const down = { alertname: 'Down' };

describe('groupAlertHistory', () => {
  it('makes one entry per alert: its last state and value, times fired, notifications, events newest first', () => {
    // Newest first, as the API serves them.
    const events = [
      state(30, slowA, 'firing', 'inactive', '0.2'),
      notification(21, [{ ...slowA, cluster: 'eu' }], 'retry', 'connection refused'),
      notification(
        20,
        [
          { ...slowA, cluster: 'eu' },
          { ...slowB, cluster: 'eu' },
        ],
        'success',
      ),
      state(19, slowB, 'pending', 'firing', '3.5'),
      state(18, slowA, 'pending', 'firing', '4.1'),
      state(15, slowB, 'inactive', 'pending', '3.1'),
      state(14, slowA, 'inactive', 'pending', '2.9'),
      state(10, slowA, 'firing', 'inactive', '0.1'),
      state(5, slowA, 'pending', 'firing', '5'),
      state(1, slowA, 'inactive', 'pending', '2'),
    ];
    const groups = groupAlertHistory(events);
    expect(groups.map((g) => g.labels)).toEqual([slowA, slowB]);
    const [a, b] = groups;
    expect(a).toMatchObject({
      state: 'inactive',
      value: '0.2',
      fired: 2,
      sent: 1,
      failed: 1,
      lastError: 'connection refused',
      lastTime: at(30),
      firstTime: at(1),
    });
    expect(a!.events).toHaveLength(8);
    expect(a!.events.map((e) => e.time)).toEqual([...a!.events.map((e) => e.time)].sort().reverse());
    expect(b).toMatchObject({
      state: 'firing',
      value: '3.5',
      fired: 1,
      sent: 1,
      failed: 0,
      lastTime: at(20),
    });
    expect(b!.events).toHaveLength(3);
  });

  it('gives an alert that only notifications name an entry of its own, ordered by its last event', () => {
    const groups = groupAlertHistory([
      notification(40, [down], 'failed', 'HTTP 500'),
      state(35, slowA, 'inactive', 'pending'),
      notification(2, [down], 'success'),
    ]);
    expect(groups.map((g) => g.labels)).toEqual([down, slowA]);
    expect(groups[0]).toMatchObject({
      state: undefined,
      value: undefined,
      sent: 1,
      failed: 1,
      lastError: 'HTTP 500',
    });
    expect(groups[0]!.events).toHaveLength(2);
  });

  it('keeps alerts apart that differ in one label, and gives none for no events', () => {
    expect(groupAlertHistory([])).toEqual([]);
    const groups = groupAlertHistory([
      state(2, slowA, 'inactive', 'pending'),
      state(1, slowB, 'inactive', 'pending'),
    ]);
    expect(groups).toHaveLength(2);
  });
});
