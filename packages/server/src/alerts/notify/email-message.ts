import { type Notification, subject } from './notification.js';

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * The email for a notification: Alertmanager's subject (`[FIRING:2] HighLatency ...`), a plain-text
 * body and an HTML body listing each alert with its summary, description, labels and start. Every
 * value in the HTML comes from alert labels and annotations, which anyone who can post an alert
 * controls, so each one is escaped.
 */
export function emailMessage(n: Notification): EmailMessage {
  const title = subject(n);
  const text: string[] = [title, ''];
  const rows: string[] = [];
  for (const a of n.alerts) {
    const labels = Object.keys(a.labels)
      .sort()
      .map((k) => `${k}=${a.labels[k]}`);
    const started = new Date(a.startsAt).toISOString();
    text.push(
      `[${a.status.toUpperCase()}] ${a.annotations.summary ?? a.labels.alertname ?? ''}`,
      ...(a.annotations.description ? [a.annotations.description] : []),
      `Labels: ${labels.join(', ')}`,
      `Started: ${started}`,
      ...(a.generatorURL ? [`Source: ${a.generatorURL}`] : []),
      ...(a.annotations.runbook_url ? [`Runbook: ${a.annotations.runbook_url}`] : []),
      ...(a.annotations.playbook ? ['Playbook:', a.annotations.playbook] : []),
      '',
    );
    rows.push(
      `<tr><td style="color:${a.status === 'firing' ? '#b00020' : '#1b7f3b'}"><b>${a.status.toUpperCase()}</b></td>` +
        `<td><b>${escapeHtml(a.annotations.summary ?? a.labels.alertname ?? '')}</b>` +
        (a.annotations.description ? `<br>${escapeHtml(a.annotations.description)}` : '') +
        `<br><small>${labels.map(escapeHtml).join(', ')}</small>` +
        `<br><small>started ${escapeHtml(started)}</small>` +
        (a.generatorURL ? `<br><a href="${escapeHtml(a.generatorURL)}">source</a>` : '') +
        (a.annotations.runbook_url
          ? `<br><a href="${escapeHtml(a.annotations.runbook_url)}">runbook</a>`
          : '') +
        (a.annotations.playbook ? `<pre>${escapeHtml(a.annotations.playbook)}</pre>` : '') +
        '</td></tr>',
    );
  }
  if (n.incident)
    text.push(`Incident ${n.incident.id}: ${n.incident.url}`, `Acknowledge: ${n.incident.ackURL}`, '');
  text.push(`Sent by vigil (${n.externalURL}) to receiver ${n.receiver}.`);
  const html =
    `<!DOCTYPE html><html><body><h2>${escapeHtml(title)}</h2>` +
    `<table cellpadding="6">${rows.join('')}</table>` +
    (n.incident
      ? `<p><a href="${escapeHtml(n.incident.url)}">Incident ${escapeHtml(n.incident.id)}</a> · <a href="${escapeHtml(n.incident.ackURL)}"><b>Acknowledge</b></a></p>`
      : '') +
    `<p><small>Sent by <a href="${escapeHtml(n.externalURL)}">vigil</a> to receiver ${escapeHtml(n.receiver)}.</small></p>` +
    '</body></html>';
  return { subject: title, text: text.join('\n'), html };
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
