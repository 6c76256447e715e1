import { invalidOption } from '../base/errors.js';
import type { LatencyTracker } from '../latency/latency-tracker.js';
import type { ThresholdEvent } from '../latency/threshold-alerts.js';
import type { AlertEvent } from '../push/alert-event.js';

/** What the latency events go to: `SlackNotifier`, or anything else with the same `notify`. */
export interface AlertNotifier {
  notify(event: AlertEvent): unknown;
}

export interface AlertOnThresholdsOptions {
  /**
   * The lowest level sent: `critical` (default, as the callbot seed alerts Slack) or `warning`.
   * A SlackNotifier drops what is below its own `minSeverity` (default `critical`) too.
   */
  readonly level?: 'warning' | 'critical';
}

/**
 * The callbot seed's glue: a call slower than its critical threshold posts to Slack. Each
 * threshold event of the tracker becomes one AlertEvent keyed `latency:<type>:<provider>`, so the
 * notifier's cooldown applies per operation type and provider (the tracker's own cooldown already
 * holds back repeats of one level; `suppressed` says how many). Returns the function that stops it.
 *
 *     const slack = new SlackNotifier();              // SLACK_WEBHOOK_URL
 *     const stop = alertOnThresholds(tracker, slack); // critical crossings only
 */
export function alertOnThresholds(
  tracker: LatencyTracker,
  notifier: AlertNotifier,
  options: AlertOnThresholdsOptions = {},
): () => void {
  const level = options.level ?? 'critical';
  if (level !== 'warning' && level !== 'critical')
    throw invalidOption('alertOnThresholds level', options.level, '"warning" or "critical"');
  if (typeof notifier?.notify !== 'function')
    throw invalidOption(
      'alertOnThresholds notifier',
      notifier,
      'an object with notify(event), such as a SlackNotifier',
    );
  return tracker.on('threshold', (event) => {
    if (level === 'critical' && event.level !== 'critical') return;
    notifier.notify(toAlertEvent(event));
  });
}

export function toAlertEvent(event: ThresholdEvent): AlertEvent {
  const { record } = event;
  const ms = Math.round(record.latencyMs);
  return {
    key: `latency:${record.type}:${record.provider}`,
    severity: event.level,
    title: `${record.type} ${record.name} (${record.provider}) took ${ms} ms, ${event.level} threshold ${event.thresholdMs} ms`,
    ...(record.error !== undefined && { text: record.error }),
    fields: {
      ...record.correlation,
      operation: record.type,
      name: record.name,
      provider: record.provider,
      status: record.status,
      latency_ms: ms,
      threshold_ms: event.thresholdMs,
      ...(event.suppressed > 0 && { suppressed_since_last: event.suppressed }),
    },
  };
}
