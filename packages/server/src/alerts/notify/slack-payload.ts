import { type AlertEvent, type AlertLink, type Severity, toSlackMessage } from '@vigil/metrics/push';
import { type Notification, type NotifiedAlert, subject } from './notification.js';

export interface SlackPayloadOptions {
  readonly channel?: string | undefined;
  readonly username?: string | undefined;
}

/**
 * The Slack incoming-webhook message for a notification, built by the library's one Slack message
 * builder: Alertmanager's default title (`[FIRING:2] HighLatency (api critical)`) as the message
 * text, linking to the receiver's alerts, then one attachment per alert, coloured by severity
 * (`good` once resolved), with its summary, description, playbook, labels, and links to its runbook
 * and incident (with the acknowledge link). A document with sections (a scheduled report) is Block
 * Kit blocks: its subject as the header, then one section each, its title in bold and its figures
 * as the two-column table; one without (a post-mortem) is one attachment with its text as
 * preformatted Markdown. A document is not an alert: it carries no severity tag.
 */
export function slackPayload(n: Notification, options: SlackPayloadOptions = {}): object {
  const envelope = {
    format: 'attachments',
    channel: options.channel || undefined,
    username: options.username ?? 'vigil',
    nowMs: n.time,
  } as const;
  if (n.document?.sections) {
    const sections = n.document.sections.map(
      (s): AlertEvent => ({
        key: s.title,
        severity: 'info',
        title: s.title,
        fields: s.fields,
        ...(s.note && { text: s.note }),
      }),
    );
    return toSlackMessage(sections, {
      ...envelope,
      format: 'blocks',
      title: n.document.subject,
      severityTags: false,
    });
  }
  if (n.document) {
    const report: AlertEvent = {
      key: n.groupKey,
      severity: 'info',
      title: n.document.subject,
      text: `\`\`\`${n.document.text}\`\`\``,
    };
    return toSlackMessage([report], { ...envelope, title: n.document.subject, severityTags: false });
  }
  return toSlackMessage(
    n.alerts.map((a) => alertEvent(a, n)),
    {
      ...envelope,
      title: subject(n),
      titleLink: `${n.externalURL}/#/alerts?receiver=${encodeURIComponent(n.receiver)}`,
    },
  );
}

function alertEvent(a: NotifiedAlert, n: Notification): AlertEvent {
  const name = a.labels.alertname ?? '';
  const text = [a.annotations.description, a.annotations.playbook].filter((t) => t).join('\n');
  const links: AlertLink[] = [];
  if (a.annotations.runbook_url) links.push({ text: 'Runbook', url: a.annotations.runbook_url });
  if (n.incident) {
    links.push({ text: `Incident ${n.incident.id}`, url: n.incident.url });
    links.push({ text: 'Acknowledge', url: n.incident.ackURL });
  }
  const fields: Record<string, string> = {};
  for (const key of Object.keys(a.labels).sort()) if (key !== 'alertname') fields[key] = a.labels[key]!;
  return {
    key: a.fingerprint,
    severity: severity(a.labels.severity),
    title: a.annotations.summary ?? a.annotations.message ?? name,
    ...(text ? { text } : {}),
    fields,
    status: a.status,
    ...(links.length > 0 ? { links } : {}),
  };
}

/** Alertmanager colours every firing alert `danger`; a severity label that says less is kept. */
function severity(label: string | undefined): Severity {
  if (label === 'warning' || label === 'ticket') return 'warning';
  if (label === 'info' || label === 'none') return 'info';
  return 'critical';
}
