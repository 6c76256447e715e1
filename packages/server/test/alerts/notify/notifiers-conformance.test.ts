import { ManualClock } from '@vigil/metrics';
import { freePort } from '../../../../../test/support/free-port.js';
import { AlertmanagerNotifier } from '../../../src/alerts/notify/alertmanager-notifier.js';
import { EmailNotifier } from '../../../src/alerts/notify/email-notifier.js';
import { LogNotifier } from '../../../src/alerts/notify/log-notifier.js';
import type { Notifier } from '../../../src/alerts/notify/notification.js';
import type { SmtpConfig } from '../../../src/alerts/notify/notify-config.js';
import { SlackWebhookNotifier } from '../../../src/alerts/notify/slack-notifier.js';
import { WebhookNotifier } from '../../../src/alerts/notify/webhook-notifier.js';
import { listen } from './http-listener.js';
import { type Delivery, describeNotifier, type NotifierUnderTest } from './notifier-conformance.js';
import { smtpReceiver } from './smtp-receiver.js';

/** Every integration vigil ships, each against a real receiver of its kind on 127.0.0.1. */
const clock = new ManualClock(Date.parse('2026-06-01T12:00:00Z'));

const STATUS = { accept: 200, later: 503, never: 400 } as const;

/** An HTTP integration: `make` builds the notifier for a base URL, `read` says what a request body tells. */
async function overHttp(
  make: (url: string) => Notifier,
  read: (body: string) => Delivery['status'],
): Promise<NotifierUnderTest> {
  let how: keyof typeof STATUS = 'accept';
  // What it answered each request: a refused request is not a delivery.
  const statuses: number[] = [];
  const receiver = await listen(() => {
    statuses.push(STATUS[how]);
    return STATUS[how];
  });
  return {
    notifier: make(receiver.url),
    delivered: () =>
      receiver.received
        .filter((_, i) => statuses[i] === 200)
        .map((r) => ({ status: read(r.body), text: r.body })),
    answer(next) {
      how = next;
    },
    unreachable: async () => make(`http://127.0.0.1:${await freePort()}`),
    close: receiver.close,
  };
}

describeNotifier('webhook', () =>
  overHttp(
    (url) => new WebhookNotifier({ url: `${url}/hook`, sendResolved: true, maxAlerts: 0, clock }),
    (body) => (JSON.parse(body).status === 'resolved' ? 'resolved' : 'firing'),
  ),
);

describeNotifier('Slack', () =>
  overHttp(
    (url) => new SlackWebhookNotifier({ apiUrl: `${url}/services/T/B/X`, sendResolved: true, clock }),
    (body) => (String(JSON.parse(body).text).startsWith('[RESOLVED]') ? 'resolved' : 'firing'),
  ),
);

describeNotifier(
  'Alertmanager',
  () =>
    overHttp(
      (url) => new AlertmanagerNotifier({ url, sendResolved: true, clock }),
      // An Alertmanager reads an alert with an end in the past as resolved.
      (body) =>
        (JSON.parse(body) as { endsAt?: string }[]).every(
          (a) => a.endsAt !== undefined && Date.parse(a.endsAt) <= clock.now(),
        )
          ? 'resolved'
          : 'firing',
    ),
  { carriesDocuments: false },
);

describeNotifier('email', async () => {
  let how: 'accept' | 'later' | 'never' = 'accept';
  const receiver = await smtpReceiver({
    starttls: false,
    reply: () => (how === 'later' ? 451 : how === 'never' ? 550 : undefined),
  });
  const smtp = (port: number): SmtpConfig => ({
    smarthost: `127.0.0.1:${port}`,
    from: 'vigil@example.test',
    hello: undefined,
    authUsername: undefined,
    authPassword: undefined,
    requireTls: false,
    insecureSkipVerify: false,
  });
  const made: EmailNotifier[] = [];
  const make = (port: number) => {
    const notifier = new EmailNotifier({ to: 'oncall@example.test', smtp: smtp(port), sendResolved: true });
    made.push(notifier);
    return notifier;
  };
  return {
    notifier: make(receiver.port),
    delivered: () =>
      receiver.delivered.map(({ mail }) => ({
        status: mail.subject?.startsWith('[RESOLVED]') ? 'resolved' : 'firing',
        text: `${mail.subject}\n${mail.text}`,
      })),
    answer(next) {
      how = next;
    },
    unreachable: async () => make(await freePort()),
    async close() {
      for (const n of made) n.close();
      await receiver.close();
    },
  };
});

describeNotifier(
  'log',
  async () => {
    const lines: string[] = [];
    return {
      notifier: new LogNotifier({ sendResolved: true, write: (line) => lines.push(line) }),
      delivered: () =>
        lines.map((line) => ({
          status: JSON.parse(line).status === 'resolved' ? 'resolved' : 'firing',
          text: line,
        })),
      async close() {},
    };
  },
  { canFail: false },
);
