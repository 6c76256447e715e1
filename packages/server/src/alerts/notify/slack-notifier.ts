import type { Clock } from '@vigil/metrics';
import { type ExportResult, HttpTransport } from '@vigil/metrics/push';
import type { Notification, Notifier } from './notification.js';
import { slackPayload } from './slack-payload.js';

export interface SlackNotifierOptions {
  /** The incoming webhook URL; a secret, never written into a message. */
  readonly apiUrl: string;
  readonly channel?: string | undefined;
  readonly username?: string | undefined;
  readonly sendResolved: boolean;
  readonly clock: Clock;
}

/** Posts to a Slack incoming webhook; Slack's 429 `Retry-After` is honoured by the retries. */
export class SlackWebhookNotifier implements Notifier {
  readonly integration = 'slack';
  readonly sendResolved: boolean;
  readonly #options: SlackNotifierOptions;
  readonly #http: HttpTransport;

  constructor(options: SlackNotifierOptions) {
    this.#options = options;
    this.sendResolved = options.sendResolved;
    this.#http = new HttpTransport(options.clock);
  }

  send(n: Notification, signal: AbortSignal): Promise<ExportResult> {
    return this.#http.send(
      {
        method: 'POST',
        url: this.#options.apiUrl,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(slackPayload(n, this.#options)),
        description: 'POST Slack webhook',
      },
      signal,
    );
  }
}
