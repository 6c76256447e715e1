import { afterEach, describe, expect, it } from 'vitest';
import type { Notification, Notifier } from '../../../src/alerts/notify/notification.js';

/** One delivery as its receiver reads it: the news it carries and all its text. */
export interface Delivery {
  readonly status: 'firing' | 'resolved';
  readonly text: string;
}

/** A notifier of one integration wired to a local receiver of its kind. */
export interface NotifierUnderTest {
  readonly notifier: Notifier;
  /** What the receiver has been given so far. */
  delivered(): readonly Delivery[];
  /** How the receiver answers what comes next: take it, ask to try later, or refuse it for good. */
  answer?(how: 'accept' | 'later' | 'never'): void;
  /** A notifier of the same integration pointed at an address where nothing listens. */
  unreachable?(): Promise<Notifier>;
  close(): Promise<void>;
}

export interface NotifierTraits {
  /** Whether the integration can fail (the log cannot). Default true. */
  readonly canFail?: boolean;
  /**
   * Whether it carries a document (a report, a post-mortem). Forwarding to an Alertmanager carries
   * alerts only: a document is then not sent at all. Default true.
   */
  readonly carriesDocuments?: boolean;
}

const T = Date.parse('2026-06-01T12:00:00Z');

function notification(status: 'firing' | 'resolved'): Notification {
  return {
    receiver: 'oncall',
    groupKey: '{}:{alertname="HighLatency"}',
    status,
    groupLabels: { alertname: 'HighLatency' },
    alerts: [
      {
        status,
        labels: { alertname: 'HighLatency', service: 'checkout', severity: 'critical' },
        annotations: { summary: 'p95 is 2.5 s', description: 'checkout is slow' },
        startsAt: T - 600_000,
        endsAt: status === 'resolved' ? T - 60_000 : 0,
        generatorURL: 'http://vigil.test/graph?g0.expr=x',
        fingerprint: '0123456789abcdef',
      },
    ],
    externalURL: 'http://vigil.test',
    time: T,
    idempotencyKey: `key-${status}`,
  };
}

const report: Notification = {
  receiver: 'oncall',
  groupKey: 'report:daily',
  status: 'firing',
  groupLabels: {},
  alerts: [],
  externalURL: 'http://vigil.test',
  time: T,
  document: {
    subject: 'vigil report daily: 2026-05-31 to 2026-06-01',
    text: 'Requests: 1.2M (+4%)',
    html: '<p>Requests: 1.2M (+4%)</p>',
    json: JSON.stringify({ subject: 'vigil report daily: 2026-05-31 to 2026-06-01', requests: '1.2M (+4%)' }),
    sections: [{ title: 'Traffic', fields: { Requests: '1.2M (+4%)' } }],
  },
};

const never = new AbortController().signal;

/**
 * What every Notifier does, whatever it talks to: one attempt per `send`, reported as a value (never
 * thrown), the receiver given the alert's name, labels and summary, resolved news told as resolved,
 * a document in place of alerts, a receiver's temporary refusal `retryable` and a final one `failure`.
 */
export function describeNotifier(
  name: string,
  open: () => Promise<NotifierUnderTest>,
  traits: NotifierTraits = {},
): void {
  const { canFail = true, carriesDocuments = true } = traits;
  describe(`Notifier conformance: ${name}`, () => {
    const opened: NotifierUnderTest[] = [];
    afterEach(async () => {
      for (const t of opened.splice(0)) await t.close();
    });
    async function start(): Promise<NotifierUnderTest> {
      const t = await open();
      opened.push(t);
      return t;
    }

    it('delivers a firing alert once, with its name, labels and summary', async () => {
      const t = await start();
      expect(await t.notifier.send(notification('firing'), never)).toEqual({ code: 'success' });
      const [delivery, ...more] = t.delivered();
      expect(more).toEqual([]);
      expect(delivery!.status).toBe('firing');
      for (const text of ['HighLatency', 'checkout', 'critical', 'p95 is 2.5 s'])
        expect(delivery!.text).toContain(text);
    });

    it('tells resolved news as resolved', async () => {
      const t = await start();
      expect(await t.notifier.send(notification('resolved'), never)).toEqual({ code: 'success' });
      expect(t.delivered().map((d) => d.status)).toEqual(['resolved']);
      expect(t.delivered()[0]!.text).toContain('HighLatency');
    });

    if (carriesDocuments)
      it('delivers a document in place of alerts', async () => {
        const t = await start();
        expect(await t.notifier.send(report, never)).toEqual({ code: 'success' });
        const [delivery, ...more] = t.delivered();
        expect(more).toEqual([]);
        expect(delivery!.text).toContain('vigil report daily: 2026-05-31 to 2026-06-01');
        expect(delivery!.text).toContain('1.2M (+4%)');
      });
    else
      it('sends nothing for a document, which it cannot carry, and says it is done', async () => {
        const t = await start();
        expect(await t.notifier.send(report, never)).toEqual({ code: 'success' });
        expect(t.delivered()).toEqual([]);
      });

    it.skipIf(!canFail)(
      'reports a refusal to try later as retryable and a final one as failure',
      async () => {
        const t = await start();
        t.answer!('later');
        expect(await t.notifier.send(notification('firing'), never)).toMatchObject({
          code: 'retryable',
          message: expect.any(String),
        });
        t.answer!('never');
        expect(await t.notifier.send(notification('firing'), never)).toMatchObject({
          code: 'failure',
          message: expect.any(String),
        });
        t.answer!('accept');
        expect(await t.notifier.send(notification('firing'), never)).toEqual({ code: 'success' });
        expect(t.delivered()).toHaveLength(1);
      },
    );

    it.skipIf(!canFail)(
      'reports a receiver that does not listen as retryable, without throwing',
      async () => {
        const t = await start();
        const lost = await t.unreachable!();
        expect(await lost.send(notification('firing'), never)).toMatchObject({
          code: 'retryable',
          reason: 'network',
        });
      },
    );
  });
}
