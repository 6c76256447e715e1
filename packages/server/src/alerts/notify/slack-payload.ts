import { type Notification, subject } from './notification.js';

export interface SlackPayloadOptions {
  readonly channel?: string | undefined;
  readonly username?: string | undefined;
}

/**
 * The Slack incoming-webhook message Alertmanager's default templates make: one attachment coloured
 * `danger` while firing and `good` once resolved, titled `[FIRING:2] HighLatency (api critical)`
 * and linking to the alerts; its text lists each alert with its summary and description (Slack
 * mrkdwn, with `&`, `<` and `>` escaped as Slack requires).
 */
export function slackPayload(n: Notification, options: SlackPayloadOptions = {}): Record<string, unknown> {
  if (n.document)
    return {
      ...(options.channel ? { channel: options.channel } : {}),
      username: options.username ?? 'vigil',
      text: `*${escapeSlack(n.document.subject)}*\n\`\`\`${escapeSlack(n.document.text)}\`\`\``,
    };
  const title = subject(n);
  const lines = n.alerts.map((a) => {
    const name = a.labels.alertname ?? '';
    const summary = a.annotations.summary ?? a.annotations.message ?? name;
    const description = a.annotations.description;
    const labels = Object.keys(a.labels)
      .sort()
      .filter((k) => k !== 'alertname')
      .map((k) => `${k}=${a.labels[k]}`)
      .join(', ');
    return (
      `*${a.status === 'firing' ? 'Firing' : 'Resolved'}:* ${escapeSlack(summary)}` +
      (description ? `\n${escapeSlack(description)}` : '') +
      (a.annotations.runbook_url ? `\n<${a.annotations.runbook_url}|Runbook>` : '') +
      (a.annotations.playbook ? `\n${escapeSlack(a.annotations.playbook)}` : '') +
      (labels ? `\n_${escapeSlack(labels)}_` : '')
    );
  });
  if (n.incident)
    lines.push(
      `<${n.incident.url}|Incident ${escapeSlack(n.incident.id)}> · <${n.incident.ackURL}|Acknowledge>`,
    );
  const text = lines.join('\n\n');
  return {
    ...(options.channel ? { channel: options.channel } : {}),
    username: options.username ?? 'vigil',
    attachments: [
      {
        color: n.status === 'firing' ? 'danger' : 'good',
        title: escapeSlack(title),
        title_link: `${n.externalURL}/#/alerts?receiver=${encodeURIComponent(n.receiver)}`,
        fallback: escapeSlack(title),
        text,
        mrkdwn_in: ['fallback', 'pretext', 'text'],
      },
    ],
  };
}

function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
