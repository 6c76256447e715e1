import { goMap, goString, goTime } from './go-json.js';
import { commonLabels, type Notification } from './notification.js';

/**
 * Alertmanager's webhook message, version 4, byte for byte as Alertmanager 0.25 posts it (checked
 * against the real one by test/interop/alertmanager.test.ts): the template data's keys first
 * (receiver, status, alerts, groupLabels, commonLabels, commonAnnotations, externalURL), then
 * version, groupKey and truncatedAlerts; each alert's endsAt is Go's zero time while firing. With
 * `maxAlerts` > 0 only the first alerts are sent and the rest counted in `truncatedAlerts`.
 */
export function webhookPayload(n: Notification, maxAlerts = 0): string {
  const all = n.alerts;
  const alerts = maxAlerts > 0 && all.length > maxAlerts ? all.slice(0, maxAlerts) : all;
  const truncated = all.length - alerts.length;
  const items = alerts.map(
    (a) =>
      `{"status":${goString(a.status)},"labels":${goMap(a.labels)},"annotations":${goMap(a.annotations)},` +
      `"startsAt":${goTime(a.startsAt)},"endsAt":${goTime(a.endsAt)},"generatorURL":${goString(a.generatorURL)},` +
      `"fingerprint":${goString(a.fingerprint)}}`,
  );
  // Alertmanager truncates first (webhook.go), so common labels are those of the alerts sent.
  return (
    `{"receiver":${goString(n.receiver)},"status":${goString(n.status)},"alerts":[${items.join(',')}],` +
    `"groupLabels":${goMap(n.groupLabels)},"commonLabels":${goMap(commonLabels(alerts.map((a) => a.labels)))},` +
    `"commonAnnotations":${goMap(commonLabels(alerts.map((a) => a.annotations)))},"externalURL":${goString(n.externalURL)},` +
    `"version":"4","groupKey":${goString(n.groupKey)},"truncatedAlerts":${truncated}}\n`
  );
}
