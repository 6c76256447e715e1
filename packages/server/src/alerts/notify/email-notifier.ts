import type { ExportResult } from '@vigil/metrics/push';
import { createTransport, type Transporter } from 'nodemailer';
import { emailMessage } from './email-message.js';
import type { Notification, Notifier } from './notification.js';
import type { SmtpConfig } from './notify-config.js';

export interface EmailNotifierOptions {
  readonly to: string;
  readonly smtp: SmtpConfig;
  readonly headers?: Readonly<Record<string, string>>;
  readonly sendResolved: boolean;
}

/**
 * Sends the notification by SMTP with nodemailer: STARTTLS required unless `require_tls: false`
 * (Alertmanager's default is to require it), AUTH when a username is set, implicit TLS on port 465.
 * A 4xx reply or a broken connection may be retried; a 5xx reply is final.
 */
export class EmailNotifier implements Notifier {
  readonly integration = 'email';
  readonly sendResolved: boolean;
  readonly #options: EmailNotifierOptions;
  readonly #transport: Transporter;

  constructor(options: EmailNotifierOptions) {
    this.#options = options;
    this.sendResolved = options.sendResolved;
    const { smtp } = options;
    const at = smtp.smarthost.lastIndexOf(':');
    const host = smtp.smarthost.slice(0, at).replace(/^\[|\]$/g, '');
    const port = Number(smtp.smarthost.slice(at + 1));
    this.#transport = createTransport({
      host,
      port,
      secure: port === 465,
      requireTLS: smtp.requireTls && port !== 465,
      ignoreTLS: !smtp.requireTls && port !== 465,
      ...(smtp.hello ? { name: smtp.hello } : {}),
      ...(smtp.authUsername ? { auth: { user: smtp.authUsername, pass: smtp.authPassword ?? '' } } : {}),
      tls: { rejectUnauthorized: !smtp.insecureSkipVerify },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  }

  async send(n: Notification): Promise<ExportResult> {
    const message = n.document ?? emailMessage(n);
    // A report's sparklines, shown by the HTML as cid: images (mail clients drop data: URIs).
    const images = n.document?.images ?? [];
    try {
      await this.#transport.sendMail({
        from: this.#options.smtp.from,
        to: this.#options.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        ...(images.length > 0 && {
          attachments: images.map((i) => ({
            filename: `${i.cid.split('@')[0]}.png`,
            content: Buffer.from(i.png),
            contentType: 'image/png',
            cid: i.cid,
            contentDisposition: 'inline' as const,
          })),
        }),
        headers: { ...this.#options.headers },
      });
      return { code: 'success' };
    } catch (error) {
      const e = error as Error & { responseCode?: number; code?: string };
      const text = `SMTP ${this.#options.smtp.smarthost}: ${e.message}`;
      if (e.responseCode !== undefined && e.responseCode >= 500)
        return { code: 'failure', reason: 'http_5xx', message: text };
      if (e.responseCode !== undefined) return { code: 'retryable', reason: 'http_4xx', message: text };
      return { code: 'retryable', reason: e.code === 'ETIMEDOUT' ? 'timeout' : 'network', message: text };
    }
  }

  close(): void {
    this.#transport.close();
  }
}
