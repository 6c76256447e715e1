import type { Clock } from '@vigil/metrics';
import { background } from '../../errors/background-tasks.js';
import type { Alert } from '../alert.js';
import type { Delivery, DeliveryResult } from './delivery.js';
import { fingerprint } from './fingerprint.js';
import type { NotifiedAlert, Notifier } from './notification.js';

/**
 * How long one batch is retried: the rules send a firing alert again within their resend delay
 * (1 minute by default), and that send carries the news anyway.
 */
const DEADLINE_MS = 60_000;

/**
 * Forwarding to one Alertmanager integration (`alertmanager_configs`) as Prometheus's notifier
 * sends: each alert as the rules hand it over (a firing one again every resend delay with its
 * `endsAt` ahead, a resolved one with the time it resolved), in order, one request at a time. Alerts
 * that arrive while a request is out wait for the next one, the latest state of an alert replacing
 * the one before, so a slow Alertmanager never makes requests pile up and a resolution is never
 * overtaken by an older "firing".
 */
export class AlertForwarder {
  readonly #receiver: string;
  readonly #notifier: Notifier;
  readonly #delivery: Delivery;
  readonly #clock: Clock;
  readonly #externalURL: () => string;
  readonly #waiting = new Map<string, NotifiedAlert>();
  /** Told the outcome of the request that carries the alerts they queued. */
  readonly #callers: Array<(result: DeliveryResult) => void> = [];
  #sending: Promise<void> | undefined;

  constructor(
    receiver: string,
    notifier: Notifier,
    delivery: Delivery,
    clock: Clock,
    externalURL: () => string,
  ) {
    this.#receiver = receiver;
    this.#notifier = notifier;
    this.#delivery = delivery;
    this.#clock = clock;
    this.#externalURL = externalURL;
  }

  /**
   * Queues `alerts` and starts a request unless one is out; resolves with the outcome of the request
   * that carried them (at once, with nothing sent, when none was to be sent).
   */
  forward(alerts: readonly Alert[]): Promise<DeliveryResult> {
    const now = this.#clock.now();
    let queued = 0;
    for (const a of alerts) {
      const resolved = a.endsAt > 0 && a.endsAt <= now;
      if (resolved && !this.#notifier.sendResolved) continue;
      queued++;
      const id = fingerprint(a.labels);
      this.#waiting.set(id, {
        status: resolved ? 'resolved' : 'firing',
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAt,
        // 0 (not sent) leaves the Alertmanager its resolve_timeout, as for any client that sends none.
        endsAt: a.endsAt,
        generatorURL: a.generatorURL,
        fingerprint: id,
      });
    }
    if (queued === 0) return Promise.resolve({ ok: true, attempts: 0 });
    const outcome = new Promise<DeliveryResult>((resolve) => this.#callers.push(resolve));
    if (!this.#sending) {
      this.#sending = this.#drain();
      background('forwarding alerts to an Alertmanager', () => this.#sending);
    }
    return outcome;
  }

  /** Resolves once nothing waits and no request is out. */
  async idle(): Promise<void> {
    while (this.#sending) await this.#sending;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#waiting.size > 0) {
        const alerts = [...this.#waiting.values()];
        const callers = this.#callers.splice(0);
        this.#waiting.clear();
        const result = await this.#delivery.deliver(
          this.#notifier,
          {
            receiver: this.#receiver,
            groupKey: '{}:forwarded',
            status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
            groupLabels: {},
            alerts,
            externalURL: this.#externalURL(),
            time: this.#clock.now(),
          },
          DEADLINE_MS,
        );
        for (const tell of callers) tell(result);
      }
    } finally {
      this.#sending = undefined;
    }
  }
}
