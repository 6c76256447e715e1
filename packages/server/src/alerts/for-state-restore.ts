import { isStaleNaN, type SeriesStore } from '../store/series-store.js';
import type { AlertingRule } from './alerting-rule.js';

export interface RestoreOptions {
  /** How long an outage may last for `for` state to be restored (Prometheus `rules.alert.for-outage-tolerance`, 1h). */
  readonly outageToleranceMs: number;
  /**
   * Least time an alert waits after a restart before it may fire (Prometheus
   * `rules.alert.for-grace-period`, 10m); rules whose `for` is shorter are not restored.
   */
  readonly forGracePeriodMs: number;
}

/**
 * Restores when the pending alerts of `rule` became active from the ALERTS_FOR_STATE series written
 * before a restart, as Prometheus's Group.RestoreForState. Run after the first evaluation, when the
 * rule's current alerts are known. The server's downtime is not counted as time spent pending,
 * and an alert that had less than the grace period left waits the grace period:
 *
 *     for: 30m, active at 10:00, server down 10:20–10:40 (20 m spent pending, 10 m left)
 *     → 10 m left is not less than the 10 m grace period → active at 10:20 → fires at 10:50.
 *     Had it been down from 10:25 (5 m left < grace) → fires at 10:40 + 10 m = 10:50 as well.
 *
 * Simplified from Prometheus: restore happens after the first evaluation rather than the second.
 */
export async function restoreForState(
  rule: AlertingRule,
  store: SeriesStore,
  ts: number,
  options: RestoreOptions,
): Promise<void> {
  const hold = rule.spec.forMs;
  if (hold < options.forGracePeriodMs) {
    rule.restored = true;
    return;
  }
  for (const alert of rule.allAlerts()) {
    if (alert.state === 'inactive') continue;
    const wanted = { ...alert.labels, __name__: 'ALERTS_FOR_STATE' };
    const matchers = Object.entries(wanted).map(([name, value]) => ({ name, type: '=' as const, value }));
    const found = await store.select(matchers, ts - options.outageToleranceMs, ts);
    const count = Object.keys(wanted).length;
    const series = found.find((s) => Object.keys(s.labels).length === count);
    const last = series ? series.values.length - 1 : -1;
    if (!series || last < 0) continue;
    const value = series.values[last]!;
    if (isStaleNaN(value) || !Number.isFinite(value)) continue;
    const downAt = series.timestamps[last]!;
    let activeAt = value * 1000;
    const remaining = hold - (downAt - activeAt);
    if (remaining <= 0) {
      // It was firing when the server stopped; the next evaluation fires it again if it still holds.
    } else if (remaining < options.forGracePeriodMs) {
      activeAt = ts + options.forGracePeriodMs - hold;
    } else {
      activeAt += ts - downAt;
    }
    alert.activeAt = activeAt;
  }
  rule.restored = true;
}
