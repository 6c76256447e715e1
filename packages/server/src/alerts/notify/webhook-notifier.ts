import { type Clock, redactUrl } from '@vigil/metrics';
import { type ExportResult, HttpTransport } from '@vigil/metrics/push';
import type { Notification, Notifier } from './notification.js';
import { webhookPayload } from './webhook-payload.js';

export interface WebhookNotifierOptions {
  readonly url: string;
  readonly sendResolved: boolean;
  readonly maxAlerts: number;
  readonly clock: Clock;
}

/** Posts Alertmanager's version-4 webhook payload, so existing webhook consumers read vigil unchanged. */
export class WebhookNotifier implements Notifier {
  readonly integration = 'webhook';
  readonly sendResolved: boolean;
  readonly #url: string;
  readonly #maxAlerts: number;
  readonly #http: HttpTransport;

  constructor(options: WebhookNotifierOptions) {
    this.#url = options.url;
    this.sendResolved = options.sendResolved;
    this.#maxAlerts = options.maxAlerts;
    this.#http = new HttpTransport(options.clock);
  }

  send(n: Notification, signal: AbortSignal): Promise<ExportResult> {
    return this.#http.send(
      {
        method: 'POST',
        url: this.#url,
        // The body stays Alertmanager's byte for byte; vigil's additions travel as headers.
        headers: {
          'content-type': 'application/json',
          'user-agent': 'vigil',
          ...(n.idempotencyKey && { 'idempotency-key': n.idempotencyKey }),
          ...(n.incident && { 'x-vigil-incident': n.incident.id, 'x-vigil-ack-url': n.incident.ackURL }),
        },
        body: n.document?.json ?? webhookPayload(n, this.#maxAlerts),
        description: `POST webhook ${redactUrl(this.#url)}`,
      },
      signal,
    );
  }
}
