/** @vigil/metrics/alerting: latency threshold events sent to a notifier. */
export type { AlertNotifier, AlertOnThresholdsOptions } from './alerting/alert-on-thresholds.js';
export { alertOnThresholds } from './alerting/alert-on-thresholds.js';
