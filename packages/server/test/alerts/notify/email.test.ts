import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationEvent } from '../../../src/alerts/alert-history-event.js';
import { alert, deliveringPipeline, T0 } from './pipeline-fixture.js';
import { smtpReceiver } from './smtp-receiver.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A local SMTP server offering STARTTLS (smtp-server's own self-signed certificate) and requiring AUTH. */
async function smtp() {
  const server = await smtpReceiver({ login: { user: 'vigil', pass: 's3cret' } });
  cleanups.push(server.close);
  return server;
}

function pipelineFor(yaml: string) {
  const { pipeline, events } = deliveringPipeline(yaml, { maxAttempts: 1 });
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
