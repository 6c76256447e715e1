import { createHash } from 'node:crypto';
import type { ExportResult } from '@vigil/metrics/push';
import type { SeriesLabels } from '../../store/series-store.js';
import type { IncidentLink } from './group-observer.js';

/** One alert as receivers see it (Alertmanager's template `Alert`); `endsAt` is 0 while firing. */
export interface NotifiedAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: SeriesLabels;
  readonly annotations: SeriesLabels;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

/** What one integration is asked to deliver: a group's alerts at one flush (Alertmanager's template `Data`). */
export interface Notification {
  readonly receiver: string;
  readonly groupKey: string;
  readonly status: 'firing' | 'resolved';
  readonly groupLabels: SeriesLabels;
  readonly alerts: readonly NotifiedAlert[];
  readonly externalURL: string;
  /** Unix ms of the flush. */
  readonly time: number;
  /**
   * The same for every attempt and every resend of the same news, so a receiver that has it can drop
   * a duplicate: delivery is at least once.
   */
  readonly idempotencyKey?: string;
  /** The incident the notification belongs to, with its acknowledge link. */
  readonly incident?: IncidentLink;
  /**
   * A document to send instead of alerts (a scheduled report, a post-mortem): email sends its
   * subject, text and HTML, Slack its sections as Block Kit blocks (its text when it has none), a
   * webhook its JSON.
   */
  readonly document?: {
    readonly subject: string;
    readonly text: string;
    readonly html: string;
    readonly json: string;
    readonly sections?: readonly DocumentSection[];
    /** Images the HTML shows by `cid:`, attached inline to an email. */
    readonly images?: readonly { readonly cid: string; readonly png: Uint8Array }[];
  };
}

/** A part of a document as a chat message shows it: a title and its figures, name to value. */
export interface DocumentSection {
  readonly title: string;
  readonly fields: Readonly<Record<string, string>>;
  /** A sentence shown with the fields (why there are none, what a "–" stands for). */
  readonly note?: string;
}

/**
 * One integration of a receiver (a Slack webhook, a webhook URL, a mailbox...). `send` makes one
 * attempt and reports the outcome as a value; timeouts, retries and counting are the pipeline's.
 */
export interface Notifier {
  /** `webhook`, `slack`, `email`, `alertmanager`, `log`. */
  readonly integration: string;
  readonly sendResolved: boolean;
  /**
   * True for forwarding to another Alertmanager, which resolves an alert on its own unless it hears
   * of it again: such an integration is sent every alert routed to its receiver as the rules send it
   * (AlertForwarder), outside the groups and whatever silences, inhibition and time intervals say.
   */
  readonly forwardsAlerts?: boolean;
  send(notification: Notification, signal: AbortSignal): Promise<ExportResult>;
}

/** Labels every alert of the list has with the same value. */
export function commonLabels(maps: readonly SeriesLabels[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(first)) {
    if (rest.every((m) => m[name] === value)) out[name] = value;
  }
  return out;
}

/**
 * Alertmanager's default `__subject` template, used for the Slack title and the email subject:
 * `[FIRING:2] HighLatency api (critical)`, the group labels' values then, in parentheses, the values
 * of the common labels that are not group labels.
 */
export function subject(n: Notification): string {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const head = n.status === 'firing' ? `[FIRING:${firing}]` : '[RESOLVED]';
  const groupValues = sortedValues(n.groupLabels);
  const common = commonLabels(n.alerts.map((a) => a.labels));
  let text = `${head} ${groupValues.join(' ')} `;
  if (Object.keys(common).length > Object.keys(n.groupLabels).length) {
    const extra: Record<string, string> = {};
    for (const [k, v] of Object.entries(common)) if (!(k in n.groupLabels)) extra[k] = v;
    text += `(${sortedValues(extra).join(' ')})`;
  }
  return text;
}

/** Alertmanager's `KV.SortedPairs().Values()`: `alertname` first, then the other names in order. */
export function sortedValues(labels: SeriesLabels): string[] {
  return Object.keys(labels)
    .sort((a, b) => (a === 'alertname' ? -1 : b === 'alertname' ? 1 : a < b ? -1 : a > b ? 1 : 0))
    .map((k) => labels[k]!);
}

/** A short stable key from its parts (the idempotency key of a notification). */
export function idempotencyKey(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}
