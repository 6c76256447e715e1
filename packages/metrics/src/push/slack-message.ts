import type { AlertEvent } from './alert-event.js';

export type SlackFormat = 'blocks' | 'attachments';

export interface SlackMessageOptions {
  readonly format: SlackFormat;
  /** Honoured by legacy webhooks only; app webhooks post to the channel they were made for. */
  readonly channel?: string | undefined;
  readonly username?: string | undefined;
  /** Unix ms, written as the attachments' `ts`. */
  readonly nowMs: number;
  /**
   * The message's title, for a caller that groups events its own way (Alertmanager's
   * `[FIRING:2] HighLatency (api critical)`). Default: `[FIRING:n]` and the first event's title.
   */
  readonly title?: string | undefined;
  /** Where the attachments' titles link to (blocks have no linked header; put it in `links`). */
  readonly titleLink?: string | undefined;
  /**
   * false for a message that is not an alert (a report): each section starts with its title in
   * bold rather than its severity or `[RESOLVED]`, and a fallback is the title alone. Default true.
   */
  readonly severityTags?: boolean | undefined;
}

/**
 * The body of one incoming-webhook post for events that share a status. The `text` is the
 * notification fallback and reads like Alertmanager's default title: `[FIRING:2] <first title> …`
 * or `[RESOLVED] …`. `blocks` gives a header and one section per event, its fields as a two-column
 * table; `attachments` gives one legacy attachment per event, coloured `danger` (critical),
 * `warning` or `good` (resolved, info). Slack's limits are kept: header 150 characters, section
 * text 3,000, a field 2,000, 10 fields per section (the rest go into the text), 50 blocks.
 */
export function toSlackMessage(events: readonly AlertEvent[], options: SlackMessageOptions): object {
  const first = events[0];
  const resolved = first?.status === 'resolved';
  const head = resolved ? '[RESOLVED]' : `[FIRING:${events.length}]`;
  const more = events.length > 1 ? ` (+${events.length - 1} more)` : '';
  const text = options.title ?? `${head} ${first?.title ?? ''}${more}`;
  const envelope = {
    ...(options.channel === undefined ? {} : { channel: options.channel }),
    ...(options.username === undefined ? {} : { username: options.username }),
  };
  if (options.format === 'attachments') {
    return {
      ...envelope,
      text: mrkdwn(text),
      attachments: events.map((event) => attachment(event, options)),
    };
  }
  return {
    ...envelope,
    text: mrkdwn(text),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: cut(text, 150), emoji: true } },
      ...events.slice(0, 49).map((event) => section(event, options.severityTags ?? true)),
    ],
  };
}

function section(event: AlertEvent, tagged: boolean): object {
  const fields = Object.entries(event.fields ?? {});
  const overflow = fields.slice(10).map(([key, value]) => `*${mrkdwn(key)}*: ${mrkdwn(String(value))}`);
  const body = [
    tagged ? `*${label(event)}* ${mrkdwn(event.title)}` : `*${mrkdwn(event.title)}*`,
    ...(event.text ? [mrkdwn(event.text)] : []),
    ...links(event),
    ...overflow,
  ];
  const block: Record<string, unknown> = {
    type: 'section',
    text: { type: 'mrkdwn', text: cut(body.join('\n'), 3000) },
  };
  if (fields.length > 0) {
    block.fields = fields.slice(0, 10).map(([key, value]) => ({
      type: 'mrkdwn',
      text: cut(`*${mrkdwn(key)}*\n${mrkdwn(String(value))}`, 2000),
    }));
  }
  return block;
}

function attachment(event: AlertEvent, options: SlackMessageOptions): object {
  const text = [...(event.text ? [mrkdwn(event.text)] : []), ...links(event)].join('\n');
  return {
    color: event.status === 'resolved' ? 'good' : COLOR[event.severity],
    fallback: (options.severityTags ?? true) ? `${label(event)} ${event.title}` : event.title,
    title: event.title,
    ...(options.titleLink ? { title_link: options.titleLink } : {}),
    ...(text ? { text } : {}),
    fields: Object.entries(event.fields ?? {}).map(([key, value]) => ({
      title: key,
      value: mrkdwn(String(value)),
      short: true,
    })),
    ts: Math.floor(options.nowMs / 1000),
  };
}

/** Slack's link syntax: `<url|text>`; the URL is Slack's to escape, the text is ours. */
function links(event: AlertEvent): string[] {
  if (!event.links || event.links.length === 0) return [];
  return [event.links.map((link) => `<${link.url}|${mrkdwn(link.text)}>`).join(' · ')];
}

const COLOR = { critical: 'danger', warning: 'warning', info: 'good' } as const;

function label(event: AlertEvent): string {
  return event.status === 'resolved' ? '[RESOLVED]' : `[${event.severity.toUpperCase()}]`;
}

/** Slack reads `&`, `<` and `>` as markup (links, mentions) and asks for them escaped. */
function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
