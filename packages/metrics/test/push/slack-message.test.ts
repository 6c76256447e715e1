import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/push/alert-event.js';
import { toSlackMessage } from '../../src/push/slack-message.js';

const stt: AlertEvent = {
  key: 'latency:stt:google',
  severity: 'critical',
  title: 'STT latency 5200 ms',
  text: 'transcribe_audio_async over the 5000 ms threshold',
  fields: { operation: 'speech_to_text', provider: 'google', latency_ms: 5200 },
};

const NOW = 1_795_417_184_629;

describe('toSlackMessage', () => {
  it('builds blocks: a header like Alertmanager’s title, one section per event', () => {
    expect(toSlackMessage([stt], { format: 'blocks', channel: '#alerts', nowMs: NOW })).toEqual({
      channel: '#alerts',
      text: '[FIRING:1] STT latency 5200 ms',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '[FIRING:1] STT latency 5200 ms', emoji: true } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*[CRITICAL]* STT latency 5200 ms\ntranscribe_audio_async over the 5000 ms threshold',
          },
          fields: [
            { type: 'mrkdwn', text: '*operation*\nspeech_to_text' },
            { type: 'mrkdwn', text: '*provider*\ngoogle' },
            { type: 'mrkdwn', text: '*latency_ms*\n5200' },
          ],
        },
      ],
    });
  });

  it('builds legacy attachments coloured danger, warning or good', () => {
    const warning: AlertEvent = { key: 'w', severity: 'warning', title: 'TTS slow' };
    const resolved: AlertEvent = { ...stt, status: 'resolved' };
    const firing = toSlackMessage([stt, warning], { format: 'attachments', username: 'vigil', nowMs: NOW });
    expect(firing).toEqual({
      username: 'vigil',
      text: '[FIRING:2] STT latency 5200 ms (+1 more)',
      attachments: [
        {
          color: 'danger',
          fallback: '[CRITICAL] STT latency 5200 ms',
          title: 'STT latency 5200 ms',
          text: 'transcribe_audio_async over the 5000 ms threshold',
          fields: [
            { title: 'operation', value: 'speech_to_text', short: true },
            { title: 'provider', value: 'google', short: true },
            { title: 'latency_ms', value: '5200', short: true },
          ],
          ts: 1_795_417_184,
        },
        {
          color: 'warning',
          fallback: '[WARNING] TTS slow',
          title: 'TTS slow',
          fields: [],
          ts: 1_795_417_184,
        },
      ],
    });
    expect(toSlackMessage([resolved], { format: 'attachments', nowMs: NOW })).toMatchObject({
      text: '[RESOLVED] STT latency 5200 ms',
      attachments: [{ color: 'good', fallback: '[RESOLVED] STT latency 5200 ms' }],
    });
  });

  it('escapes &, < and > so that text cannot mention or link', () => {
    const message = toSlackMessage([{ key: 'k', severity: 'info', title: 'a<b>&c', text: '<!channel>' }], {
      format: 'blocks',
      nowMs: NOW,
    }) as { text: string; blocks: Array<{ text: { text: string } }> };
    expect(message.text).toBe('[FIRING:1] a&lt;b&gt;&amp;c');
    expect(message.blocks[0]?.text.text).toBe('[FIRING:1] a<b>&c');
    expect(message.blocks[1]?.text.text).toBe('*[INFO]* a&lt;b&gt;&amp;c\n&lt;!channel&gt;');
  });

  it('keeps Slack’s limits: 150-character header, 10 fields per section (the rest in the text)', () => {
    const fields = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, i]));
    const message = toSlackMessage([{ key: 'k', severity: 'critical', title: 'x'.repeat(200), fields }], {
      format: 'blocks',
      nowMs: NOW,
    }) as { blocks: Array<{ text: { text: string }; fields?: unknown[] }> };
    expect(message.blocks[0]?.text.text).toHaveLength(150);
    expect(message.blocks[0]?.text.text.endsWith('x…')).toBe(true);
    expect(message.blocks[1]?.fields).toHaveLength(10);
    expect(message.blocks[1]?.text.text.endsWith('\n*f10*: 10\n*f11*: 11')).toBe(true);
  });
  it('takes a title and a title link from a caller that groups events itself, and writes links after the text', () => {
    const withLinks: AlertEvent = {
      ...stt,
      links: [
        { text: 'Runbook', url: 'https://wiki.example/stt' },
        { text: 'Acknowledge <now>', url: 'https://vigil.example/ack/1?s=a&e=b' },
      ],
    };
    const message = toSlackMessage([withLinks], {
      format: 'attachments',
      title: '[FIRING:1] SttSlow (google)',
      titleLink: 'https://vigil.example/#/alerts',
      nowMs: NOW,
    }) as { text: string; attachments: { title_link: string; text: string }[] };
    expect(message.text).toBe('[FIRING:1] SttSlow (google)');
    expect(message.attachments[0]!.title_link).toBe('https://vigil.example/#/alerts');
    expect(message.attachments[0]!.text).toBe(
      'transcribe_audio_async over the 5000 ms threshold\n' +
        '<https://wiki.example/stt|Runbook> · <https://vigil.example/ack/1?s=a&e=b|Acknowledge &lt;now&gt;>',
    );
    const blocks = toSlackMessage([withLinks], { format: 'blocks', nowMs: NOW }) as {
      blocks: { text: { text: string } }[];
    };
    expect(blocks.blocks[1]!.text.text).toContain('<https://wiki.example/stt|Runbook>');
  });

  it('lays out a message that is not an alert (a report) without severity tags', () => {
    const section: AlertEvent = {
      key: 'traffic',
      severity: 'info',
      title: 'Traffic',
      fields: { Requests: '1,200' },
    };
    const options = {
      title: 'vigil report daily: 2026-03-27 to 2026-03-28',
      severityTags: false,
      nowMs: NOW,
    };
    const blocks = toSlackMessage([section], { ...options, format: 'blocks' }) as {
      blocks: { text: { text: string } }[];
    };
    expect(blocks.blocks[1]!.text.text).toBe('*Traffic*');
    const attachments = toSlackMessage([section], { ...options, format: 'attachments' }) as {
      attachments: { fallback: string }[];
    };
    expect(attachments.attachments[0]!.fallback).toBe('Traffic');
  });
});
