import type { Incident } from './incident.js';
import type { IncidentImpact } from './incident-impact.js';

/**
 * The post-mortem draft of a resolved (or still open) incident, in Markdown: summary, impact (with
 * the SLO budget spent and the alerts' worst values, when measured), time to acknowledge and to
 * resolve, the timeline, and empty sections for the cause and follow-ups that only people can write.
 */
export function postMortem(i: Incident, impact?: IncidentImpact): string {
  const end = i.resolvedAt;
  const at = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const alerts = [...new Set(i.alerts.map((a) => a.labels.alertname ?? 'alert'))];
  const runbooks = [
    ...new Set(i.alerts.map((a) => a.annotations.runbook_url).filter((u) => u !== undefined)),
  ];
  const lines = [
    `# Post-mortem: ${i.title} (${i.id})`,
    '',
    '## Summary',
    '',
    `- Severity: ${i.severity || 'none'}`,
    `- Opened: ${at(i.openedAt)}`,
    `- Resolved: ${end === undefined ? 'not yet' : `${at(end)}${i.resolvedBy ? ` by ${i.resolvedBy}` : ''}`}`,
    `- Duration: ${end === undefined ? 'ongoing' : formatDuration(end - i.openedAt)}`,
    `- Time to acknowledge: ${i.acknowledgedAt === undefined ? 'never acknowledged' : `${formatDuration(i.acknowledgedAt - i.openedAt)} (by ${i.acknowledgedBy})`}`,
    `- Time to resolve: ${end === undefined ? 'ongoing' : formatDuration(end - i.openedAt)}`,
    `- Escalations: ${i.timeline.filter((e) => e.kind === 'escalated').length}`,
    '',
    '## Impact',
    '',
    `${i.alerts.length} alert${i.alerts.length === 1 ? '' : 's'} (${alerts.join(', ')}):`,
    '',
    ...i.alerts.map((a) => {
      const until = a.status === 'resolved' ? at(a.endsAt) : 'still firing';
      const summary = a.annotations.summary ? ` — ${a.annotations.summary}` : '';
      return `- ${a.labels.alertname ?? 'alert'} ${labelText(a.labels)}: ${at(a.startsAt)} to ${until}${summary}`;
    }),
    ...(runbooks.length > 0 ? ['', `Runbooks: ${runbooks.join(', ')}`] : []),
    ...(impact ? impactLines(impact, at) : []),
    '',
    '## Timeline',
    '',
    '| time (UTC) | event | by |',
    '| --- | --- | --- |',
    ...i.timeline.map((e) => `| ${at(e.at)} | ${e.text.replaceAll('|', '\\|')} | ${e.by ?? ''} |`),
    '',
    '## Cause',
    '',
    '_To be written._',
    '',
    '## Follow-ups',
    '',
    '- [ ] _To be written._',
    '',
  ];
  return lines.join('\n');
}

function impactLines(impact: IncidentImpact, at: (ms: number) => string): string[] {
  const span = `${at(impact.fromMs)} to ${at(impact.toMs)}`;
  return [
    '',
    `### SLO error budget (${span})`,
    '',
    ...(impact.slos.length === 0
      ? ['No SLO burned its budget faster than it may during the incident.']
      : impact.slos.map(
          (s) =>
            `- ${s.slo} (${percent(s.objective)} over ${s.windowDays}d): ${percent(s.budgetConsumed)} of the budget consumed, burn rate ${round(s.burnRate)}×`,
        )),
    '',
    '### Worst values',
    '',
    ...(impact.series.length === 0
      ? ['No alert rule of the incident had data over its span (alerts posted from outside have no rule).']
      : impact.series.map(
          (s) =>
            `- ${s.alert.alertname ?? 'alert'} ${labelText(s.alert)}: ${s.direction} ${round(s.value)} at ${at(s.atMs)}`,
        )),
    ...(impact.errors.length > 0 ? ['', 'Not measured:', '', ...impact.errors.map((e) => `- ${e}`)] : []),
  ];
}

const round = (n: number) => String(Number(n.toPrecision(4)));
const percent = (ratio: number) => `${round(ratio * 100)}%`;

function labelText(labels: Readonly<Record<string, string>>): string {
  const rest = Object.entries(labels).filter(([k]) => k !== 'alertname');
  return rest.length === 0 ? '' : `{${rest.map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}

/** `1h 5m`, `4m 30s`, `12s`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, sec && `${sec}s`].filter(Boolean);
  return parts.length === 0 ? '0s' : parts.slice(0, 2).join(' ');
}
