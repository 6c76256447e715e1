import type { AlertHistoryEvent } from './alert-types.js';
import type { Labels } from './prometheus-types.js';

/** One alert (one label set) and what happened to it, as the history's row for it. */
export interface AlertHistoryGroup {
  readonly labels: Labels;
  /** The state it changed to last (`inactive` after `firing` is the resolution), or undefined when only notifications name it. */
  readonly state: string | undefined;
  /** Its newest and oldest event, RFC 3339. */
  readonly lastTime: string;
  readonly firstTime: string;
  /** Times it went into `firing`. */
  readonly fired: number;
  /** The value at its last state change. */
  readonly value: string | undefined;
  /** Notification attempts that named it: delivered, failed (retried or given up). */
  readonly sent: number;
  readonly failed: number;
  readonly lastError: string | undefined;
  /** Its events, newest first. */
  readonly events: readonly AlertHistoryEvent[];
}

interface Building {
  labels: Labels;
  state: string | undefined;
  fired: number;
  value: string | undefined;
  sent: number;
  failed: number;
  lastError: string | undefined;
  events: AlertHistoryEvent[];
}

/**
 * Alert history (newest first, as GET /api/alerts/history serves it) as one entry per alert, the
 * alert last changed first. A notification counts for every alert it carried: an alert whose
 * labels are all among the notified ones (a notification adds the external labels the rule's alert
 * lacks); one no state change names (a built-in alert) gets an entry of its own.
 */
export function groupAlertHistory(events: readonly AlertHistoryEvent[]): AlertHistoryGroup[] {
  const groups = new Map<string, Building>();
  const order: Building[] = [];
  const entry = (labels: Labels): Building => {
    const key = keyOf(labels);
    let group = groups.get(key);
    if (!group) {
      group = {
        labels,
        state: undefined,
        fired: 0,
        value: undefined,
        sent: 0,
        failed: 0,
        lastError: undefined,
        events: [],
      };
      groups.set(key, group);
      order.push(group);
    }
    return group;
  };
  for (const e of events) {
    if (e.kind !== 'state') continue;
    const group = entry(e.labels);
    group.state ??= e.to;
    group.value ??= e.value;
    if (e.to === 'firing') group.fired++;
    group.events.push(e);
  }
  const stateGroups = [...order];
  for (const e of events) {
    if (e.kind !== 'notification') continue;
    const named = new Set<Building>();
    for (const labels of e.alerts) {
      const matching = stateGroups.filter((g) => isSubset(g.labels, labels));
      for (const group of matching.length > 0 ? matching : [entry(labels)]) named.add(group);
    }
    for (const group of named) {
      if (e.result === 'success') group.sent++;
      else {
        group.failed++;
        group.lastError ??= e.error;
      }
      group.events.push(e);
    }
  }
  return order
    .map((g) => {
      const events = g.events.sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
      return { ...g, events, lastTime: events[0]!.time, firstTime: events[events.length - 1]!.time };
    })
    .sort((a, b) => Date.parse(b.lastTime) - Date.parse(a.lastTime));
}

function keyOf(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function isSubset(part: Labels, whole: Labels): boolean {
  return Object.entries(part).every(([k, v]) => whole[k] === v);
}
