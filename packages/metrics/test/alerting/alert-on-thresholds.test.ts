import { afterEach, describe, expect, it } from 'vitest';
import { alertOnThresholds } from '../../src/alerting/alert-on-thresholds.js';
import { Registry } from '../../src/core/registry.js';
import { LatencyTracker } from '../../src/latency/latency-tracker.js';
import { SlackNotifier } from '../../src/push/slack-notifier.js';
import { httpPeer, RecordingClock } from '../push/peers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup(level?: 'warning' | 'critical') {
  const peer = await httpPeer();
  const clock = new RecordingClock(1_795_417_184_629);
  const slack = new SlackNotifier({
    webhookUrl: `${peer.url}/services/T000/B000/XXXX`,
    clock,
    registry: new Registry({ clock }),
    env: {},
    format: 'attachments',
    // The notifier has its own floor, `critical` by default: warnings need both to let them through.
    ...(level === 'warning' && { minSeverity: 'warning' as const }),
  });
  const tracker = new LatencyTracker({
    clock,
    thresholds: { speech_to_text: { warningMs: 1000, criticalMs: 3000 } },
  });
  const stop = alertOnThresholds(tracker, slack, level ? { level } : {});
  closers.push(peer.close, () => slack.close());
  const posted = () =>
    peer.requests.map(
      (r) =>
        JSON.parse(r.body) as {
          text: string;
          attachments?: { color: string; fields?: { title: string; value: string }[] }[];
        },
    );
  return { peer, clock, slack, tracker, stop, posted };
}

describe('alertOnThresholds', () => {
  it('posts a critical latency to a Slack webhook, and not a warning one', async () => {
    const { slack, tracker, posted } = await setup();
    tracker.record({ type: 'speech_to_text', name: 'transcribe', latencyMs: 1500, provider: 'google' });
    tracker.record({
      type: 'speech_to_text',
      name: 'transcribe',
      latencyMs: 5200,
      provider: 'google',
      correlation: { call_sid: 'CA123' },
    });
    await slack.flush();
    expect(posted()).toHaveLength(1);
    const [message] = posted();
    expect(message!.text).toBe(
      '[FIRING:1] speech_to_text transcribe (google) took 5200 ms, critical threshold 3000 ms',
    );
    expect(JSON.stringify(message)).toContain('CA123');
    expect(message!.attachments?.[0]?.color).toBe('danger');
  });

  it('sends warnings when asked, once per cooldown per type and provider, and stops when told', async () => {
    const { slack, tracker, stop, posted, clock } = await setup('warning');
    tracker.record({ type: 'speech_to_text', name: 'a', latencyMs: 1500, provider: 'google' });
    tracker.record({ type: 'speech_to_text', name: 'a', latencyMs: 1600, provider: 'google' });
    tracker.record({ type: 'speech_to_text', name: 'a', latencyMs: 1700, provider: 'deepgram' });
    await slack.flush();
    // The second google warning falls in the notifier's cooldown for `latency:speech_to_text:google`.
    const alerts = () => posted().flatMap((m) => m.attachments ?? []);
    expect(
      alerts().map((a) =>
        JSON.stringify(a)
          .match(/\((google|deepgram)\) took (\d+) ms/)
          ?.slice(1),
      ),
    ).toEqual([
      ['google', '1500'],
      ['deepgram', '1700'],
    ]);
    stop();
    clock.advance(3_600_000);
    tracker.record({ type: 'speech_to_text', name: 'a', latencyMs: 9000, provider: 'google' });
    await slack.flush();
    expect(alerts()).toHaveLength(2);
  });

  it('refuses a level it does not know and a notifier without notify()', () => {
    const tracker = new LatencyTracker();
    const notifier = { notify: () => undefined };
    expect(() => alertOnThresholds(tracker, notifier, { level: 'page' as 'critical' })).toThrow(
      'alertOnThresholds level: got "page", expected "warning" or "critical"',
    );
    expect(() => alertOnThresholds(tracker, {} as typeof notifier)).toThrow(/notify\(event\)/);
  });
});
