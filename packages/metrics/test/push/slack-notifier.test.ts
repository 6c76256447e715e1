import { afterEach, describe, expect, it, vi } from 'vitest';
import { Registry } from '../../src/core/registry.js';
import type { AlertEvent } from '../../src/push/alert-event.js';
import { SUCCESS } from '../../src/push/export-result.js';
import { SlackNotifier, type SlackNotifierOptions } from '../../src/push/slack-notifier.js';
import { httpPeer, pushCount, RecordingClock, type Reply, until } from './peers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of closers.splice(0)) await close();
});

async function setup(script: Reply[] = [], options: Partial<SlackNotifierOptions> = {}) {
  const peer = await httpPeer(script);
  const clock = new RecordingClock(1_795_417_184_629);
  const registry = new Registry({ clock });
  const slack = new SlackNotifier({
    webhookUrl: `${peer.url}/services/T000/B000/XXXX`,
    clock,
    registry,
    env: {},
    retry: { random: () => 0.5 },
    ...options,
  });
  closers.push(peer.close, () => slack.close());
  const posted = () => peer.requests.map((r) => JSON.parse(r.body) as { text: string; channel?: string });
  return { peer, clock, registry, slack, posted };
}

const critical = (key: string, title = key): AlertEvent => ({ key, severity: 'critical', title });

describe('SlackNotifier', () => {
  it('posts JSON to the webhook', async () => {
    const { peer, slack, posted } = await setup([], { channel: '#alerts' });
    expect(slack.notify(critical('stt', 'STT latency 5200 ms'))).toBe('queued');
    expect(await slack.flush()).toEqual(SUCCESS);
    expect(peer.requests[0]).toMatchObject({
      method: 'POST',
      url: '/services/T000/B000/XXXX',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(posted()[0]).toMatchObject({ channel: '#alerts', text: '[FIRING:1] STT latency 5200 ms' });
  });

  it('reads SLACK_WEBHOOK_URL and SLACK_CHANNEL', async () => {
    const peer = await httpPeer();
    closers.push(peer.close);
    const slack = new SlackNotifier({
      env: { SLACK_WEBHOOK_URL: `${peer.url}/services/T/B/X`, SLACK_CHANNEL: '#ops' },
    });
    slack.notify(critical('k'));
    await slack.close();
    expect(peer.requests[0]?.url).toBe('/services/T/B/X');
    expect(JSON.parse(peer.requests[0]?.body ?? '{}').channel).toBe('#ops');
  });

  it('refuses a missing webhook URL, naming the variable', () => {
    expect(() => new SlackNotifier({ env: {} })).toThrow(
      'webhookUrl: got undefined, expected an http:// or https:// URL, as the option or in SLACK_WEBHOOK_URL',
    );
    expect(() => new SlackNotifier({ webhookUrl: 'http://x', minSeverity: 'page' as never })).toThrow(
      'minSeverity: got "page"',
    );
    expect(() => new SlackNotifier({ webhookUrl: 'http://x', cooldownMs: -1 })).toThrow('cooldownMs: got -1');
  });

  it('suppresses a key during its cooldown, and not other keys', async () => {
    const { clock, slack, posted } = await setup([], { cooldownMs: 60_000 });
    expect(slack.notify(critical('stt'))).toBe('queued');
    await slack.flush();
    clock.advance(59_999);
    expect(slack.notify(critical('stt'))).toBe('cooldown');
    expect(slack.notify(critical('tts'))).toBe('queued');
    await slack.flush();
    clock.advance(1);
    expect(slack.notify(critical('stt'))).toBe('queued');
    await slack.flush();
    expect(posted().map((m) => m.text)).toEqual(['[FIRING:1] stt', '[FIRING:1] tts', '[FIRING:1] stt']);
  });

  it('sends a resolution once, only for a key that fired, and ends its cooldown', async () => {
    const { slack, posted } = await setup();
    expect(slack.notify({ ...critical('rag'), status: 'resolved' })).toBe('ignored');
    slack.notify(critical('rag'));
    await slack.flush();
    expect(slack.notify({ ...critical('rag'), status: 'resolved' })).toBe('queued');
    expect(slack.notify({ ...critical('rag'), status: 'resolved' })).toBe('ignored');
    await slack.flush();
    expect(slack.notify(critical('rag'))).toBe('queued');
    await slack.flush();
    expect(posted().map((m) => m.text)).toEqual(['[FIRING:1] rag', '[RESOLVED] rag', '[FIRING:1] rag']);
  });

  it('ignores events below minSeverity', async () => {
    const { slack } = await setup([], { minSeverity: 'warning' });
    expect(slack.notify({ key: 'a', severity: 'info', title: 'a' })).toBe('ignored');
    expect(slack.notify({ key: 'b', severity: 'warning', title: 'b' })).toBe('queued');
  });

  it('batches the events of one tick into one post, firing and resolved apart', async () => {
    const { slack, posted } = await setup([], { maxEventsPerMessage: 2 });
    slack.notify(critical('x'));
    await slack.flush();
    slack.notify(critical('a'));
    slack.notify(critical('b'));
    slack.notify(critical('c'));
    slack.notify({ ...critical('x'), status: 'resolved' });
    await slack.flush();
    expect(posted().map((m) => m.text)).toEqual([
      '[FIRING:1] x',
      '[FIRING:2] a (+1 more)',
      '[FIRING:1] c',
      '[RESOLVED] x',
    ]);
  });

  it('honours Retry-After on 429 through the retry wrapper', async () => {
    const { peer, clock, registry, slack } = await setup([
      { status: 429, body: 'rate_limited', headers: { 'retry-after': '30' } },
    ]);
    slack.notify(critical('k'));
    await until(() => peer.requests.length === 1 && clock.timers.includes(30_000), 'the Retry-After wait');
    clock.advance(30_000);
    expect(await slack.flush()).toEqual(SUCCESS);
    expect(peer.requests).toHaveLength(2);
    expect(pushCount(registry, 'vigil_push_failures_total', 'slack', 'http_4xx')).toBe(1);
  });

  it('counts a rejected post and never writes the webhook URL into the warning', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { registry, slack } = await setup([{ status: 404, body: 'no_team' }]);
    slack.notify(critical('a'));
    slack.notify(critical('b'));
    expect(await slack.flush()).toMatchObject({ code: 'failure', reason: 'http_4xx' });
    expect(pushCount(registry, 'vigil_push_dropped_total', 'slack', 'http_4xx')).toBe(2);
    expect(String(warn.mock.calls[0]?.[0])).toContain('POST Slack webhook → 404 no_team');
    expect(String(warn.mock.calls[0]?.[0])).not.toContain('XXXX');
  });

  it('drops and counts what is not an event, the oldest past maxQueued, and what comes after close', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { registry, slack, posted } = await setup([], { maxQueued: 2 });
    expect(slack.notify({ key: 'k', severity: 'fatal', title: 't' } as never)).toBe('invalid');
    slack.notify(critical('a'));
    slack.notify(critical('b'));
    slack.notify(critical('c'));
    await slack.close();
    expect(slack.notify(critical('d'))).toBe('closed');
    expect(posted().map((m) => m.text)).toEqual(['[FIRING:2] b (+1 more)']);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'slack', 'invalid_value')).toBe(1);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'slack', 'queue_full')).toBe(1);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'slack', 'closed')).toBe(1);
  });
});
