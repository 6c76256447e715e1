import { type Clock, redactUrl } from '@vigil/metrics';
import { type ExportResult, HttpTransport } from '@vigil/metrics/push';
import type { Notification, Notifier } from './notification.js';

export interface AlertmanagerNotifierOptions {
  /** The Alertmanager's base URL, such as http://127.0.0.1:9093. */
  readonly url: string;
  readonly sendResolved: boolean;
  readonly clock: Clock;
}

/**
 * Forwards alerts to a real Alertmanager with `POST /api/v2/alerts` (postableAlert, as Prometheus
 * sends them), for teams that keep their routing there. The Alertmanager resolves an alert it has
 * not heard of by its `endsAt`, so the pipeline forwards every alert to it as the rules send it.
 * Documents (reports, post-mortems) are not alerts and are not forwarded.
 */
export class AlertmanagerNotifier implements Notifier {
  readonly integration = 'alertmanager';
  readonly sendResolved: boolean;
  readonly forwardsAlerts = true;
  readonly #endpoint: string;
  readonly #http: HttpTransport;

  constructor(options: AlertmanagerNotifierOptions) {
    this.#endpoint = `${options.url.replace(/\/+$/, '')}/api/v2/alerts`;
    this.sendResolved = options.sendResolved;
    this.#http = new HttpTransport(options.clock);
  }

  async send(n: Notification, signal: AbortSignal): Promise<ExportResult> {
    // An Alertmanager takes alerts only: a report or post-mortem goes to the receiver's other
    // integrations, and an empty list posted here would be a request that says nothing.
    if (n.document) return { code: 'success' };
    const body = n.alerts.map((a) => ({
      labels: a.labels,
      annotations: a.annotations,
      startsAt: new Date(a.startsAt).toISOString(),
      ...(a.endsAt > 0 ? { endsAt: new Date(a.endsAt).toISOString() } : {}),
      generatorURL: a.generatorURL,
    }));
    return this.#http.send(
      {
        method: 'POST',
        url: this.#endpoint,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        description: `POST ${redactUrl(this.#endpoint)}`,
      },
      signal,
    );
  }
}
