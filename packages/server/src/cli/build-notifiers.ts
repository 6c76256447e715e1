import type { Clock } from '@vigil/metrics';
import { AlertmanagerNotifier } from '../alerts/notify/alertmanager-notifier.js';
import { EmailNotifier } from '../alerts/notify/email-notifier.js';
import { LogNotifier } from '../alerts/notify/log-notifier.js';
import type { Notifier } from '../alerts/notify/notification.js';
import type { IntegrationConfig, NotifyConfig } from '../alerts/notify/notify-config.js';
import { SlackWebhookNotifier } from '../alerts/notify/slack-notifier.js';
import { WebhookNotifier } from '../alerts/notify/webhook-notifier.js';

/** The concrete integrations of each receiver of a notification configuration. */
export function buildNotifiers(
  config: NotifyConfig,
  clock: Clock,
  log?: (line: string) => void,
): Map<string, Notifier[]> {
  const out = new Map<string, Notifier[]>();
  for (const receiver of config.receivers) {
    out.set(
      receiver.name,
      receiver.integrations.map((c) => notifierFor(c, clock, log)),
    );
  }
  return out;
}

function notifierFor(
  c: IntegrationConfig,
  clock: Clock,
  log: ((line: string) => void) | undefined,
): Notifier {
  switch (c.kind) {
    case 'webhook':
      return new WebhookNotifier({
        url: c.url,
        sendResolved: c.sendResolved,
        maxAlerts: c.maxAlerts,
        clock,
      });
    case 'slack':
      return new SlackWebhookNotifier({
        apiUrl: c.apiUrl,
        channel: c.channel,
        username: c.username,
        sendResolved: c.sendResolved,
        clock,
      });
    case 'email':
      return new EmailNotifier({
        to: c.to,
        smtp: c.smtp,
        headers: c.headers,
        sendResolved: c.sendResolved,
      });
    case 'alertmanager':
      return new AlertmanagerNotifier({ url: c.url, sendResolved: c.sendResolved, clock });
    case 'log':
      return new LogNotifier({ sendResolved: c.sendResolved, ...(log ? { write: log } : {}) });
  }
}
