import { ManualClock, Registry } from '@vigil/metrics';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { NotificationEvent } from '../../../src/alerts/alert-history-event.js';
import { NotificationPipeline } from '../../../src/alerts/notify/notification-pipeline.js';
import { parseNotifyConfig } from '../../../src/alerts/notify/notify-config.js';
import { buildNotifiers } from '../../../src/cli/build-notifiers.js';
import { alert, T0 } from './pipeline-fixture.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface Delivered {
  readonly mail: ParsedMail;
  readonly secure: boolean;
  readonly user: string | undefined;
  readonly rcpt: string[];
}

/** A local SMTP server offering STARTTLS (smtp-server's own self-signed certificate) and requiring AUTH. */
async function smtp() {
  const delivered: Delivered[] = [];
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === 'vigil' && auth.password === 's3cret') callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          delivered.push({
            mail,
            secure: session.secure,
            user: session.user as string | undefined,
            rcpt: session.envelope.rcptTo.map((r) => r.address),
          });
          callback();
        })
        .catch(callback);
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port, delivered };
}

function pipelineFor(yaml: string) {
  const config = parseNotifyConfig(parse(yaml), 'test.yml');
  const clock = new ManualClock(T0);
  const events: NotificationEvent[] = [];
  const pipeline = new NotificationPipeline({
    config,
    notifiers: buildNotifiers(config, clock),
    clock,
    registry: new Registry({ clock }),
    events: { record: (e) => e.kind === 'notification' && events.push(e) },
    externalURL: 'http://vigil.test',
    delivery: { maxAttempts: 1 },
  });
  cleanups.push(() => pipeline.close());
  return {
    pipeline,
    async result(): Promise<NotificationEvent> {
      while (events.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      return events[0]!;
    },
  };
}

const config = (port: number, password: string) => `
global:
  smtp_smarthost: 127.0.0.1:${port}
  smtp_from: vigil@example.test
  smtp_auth_username: vigil
  smtp_auth_password: ${password}
route: {receiver: mail, group_wait: 0s, group_by: [alertname]}
receivers:
  - name: mail
    email_configs:
      - to: oncall@example.test
        tls_config: {insecure_skip_verify: true}
`;

describe('email notifier', () => {
  it('sends over STARTTLS with AUTH: subject [FIRING:n], text and HTML bodies, user values escaped in the HTML', async () => {
    const server = await smtp();
    const { pipeline, result } = pipelineFor(config(server.port, 's3cret'));
    pipeline.receive([
      alert({ alertname: 'HighLatency', service: 'api', severity: 'critical' }, T0 - 60_000, T0 + 600_000, {
        summary: 'p95 is 2.5 s',
        description: '<script>alert(1)</script> & more',
      }),
    ]);
    expect(await result()).toMatchObject({ receiver: 'mail', result: 'success' });
    const [got] = server.delivered;
    expect(got!.secure).toBe(true);
    expect(got!.user).toBe('vigil');
    expect(got!.rcpt).toEqual(['oncall@example.test']);
    expect(got!.mail.subject).toBe('[FIRING:1] HighLatency (api critical)');
    expect(got!.mail.from?.text).toBe('vigil@example.test');
    expect(got!.mail.text).toContain('p95 is 2.5 s');
    expect(got!.mail.text).toContain('<script>alert(1)</script> & more');
    const html = String(got!.mail.html);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(html).not.toContain('<script>');
  });

  it('reports a refused login as a failed delivery with the server reply', async () => {
    const server = await smtp();
    const { pipeline, result } = pipelineFor(config(server.port, 'wrong'));
    pipeline.receive([alert({ alertname: 'X' }, T0 - 60_000, T0 + 600_000)]);
    const event = await result();
    expect(event.result).toBe('failed');
    expect(event.error).toMatch(/Invalid username or password/);
    expect(server.delivered).toHaveLength(0);
  });
});
