import { join } from 'node:path';
import type { Clock, Registry } from '@vigil/metrics';
import { background } from '../../errors/background-tasks.js';
import type { SeriesLabels } from '../../store/series-store.js';
import type { Alert, AlertSink, Silencer } from '../alert.js';
import type { AlertHistorySink } from '../alert-history-event.js';
import type { AggregationGroup } from './aggregation-group.js';
import { AlertForwarder } from './alert-forwarder.js';
import { AlertStore, asSent, isResolved, type StoredAlert } from './alert-store.js';
import { Delivery, type DeliveryOptions, type DeliveryResult } from './delivery.js';
import { Dispatcher } from './dispatcher.js';
import { EscalatedForwarding } from './escalated-forwarding.js';
import { fingerprint } from './fingerprint.js';
import type { GroupObserver, IncidentLink } from './group-observer.js';
import { Inhibitor } from './inhibitor.js';
import { idempotencyKey, type Notification, type NotifiedAlert, type Notifier } from './notification.js';
import { NotificationLog, needsUpdate } from './notification-log.js';
import type { NotifyConfig } from './notify-config.js';
import { buildRoute, matchRoutes, type Route } from './route.js';
import { Silences } from './silences.js';
import { inTimeIntervals } from './time-interval.js';

export interface NotificationPipelineOptions {
  readonly config: NotifyConfig;
  /** The integrations of each receiver, built from `config.receivers` by the caller. */
  readonly notifiers: ReadonlyMap<string, readonly Notifier[]>;
  readonly clock: Clock;
  readonly registry: Registry;
  readonly events?: AlertHistorySink | undefined;
  /** Where the notification log and the silences are kept; none keeps them in memory only. */
  readonly dataDir?: string | undefined;
  /** vigil's own URL, the `externalURL` of webhook payloads (a function when it is known only once listening). */
  readonly externalURL: string | (() => string);
  readonly delivery?: Omit<DeliveryOptions, 'clock' | 'registry' | 'events'>;
  /** Told of every flush and delivery (the incidents); may link notifications to an incident. */
  readonly observer?: GroupObserver | undefined;
}

/** An alert with what the API reports about it (Alertmanager's gettableAlert). */
export interface AlertStatus {
  readonly alert: StoredAlert;
  readonly receivers: readonly string[];
  readonly state: 'active' | 'suppressed';
  readonly silencedBy: readonly string[];
  readonly inhibitedBy: readonly string[];
}

const MAINTENANCE_MS = 30_000;
const GC_MS = 30 * 60_000;
const SNAPSHOT_MS = 60_000;
/** How long `vigil notify test` keeps retrying a receiver. */
const TEST_DEADLINE_MS = 30_000;

/**
 * The notification side of alerting, a small Alertmanager: alerts in (from rule evaluation or
 * `POST /api/v2/alerts`), routed into aggregation groups, muted by silences, inhibition and time
 * intervals, and delivered through each receiver's integrations, deduplicated by the notification
 * log. `receive` only files the alerts; delivery runs on the groups' timers, so rule evaluation never
 * waits on a receiver.
 */
export class NotificationPipeline implements AlertSink, Silencer {
  readonly silences: Silences;
  readonly #config: NotifyConfig;
  readonly #notifiers: ReadonlyMap<string, readonly Notifier[]>;
  readonly #clock: Clock;
  readonly #store: AlertStore;
  readonly #root: Route;
  readonly #dispatcher: Dispatcher;
  readonly #inhibitor: Inhibitor;
  readonly #log: NotificationLog;
  readonly #delivery: Delivery;
  readonly #externalURLOf: () => string;
  readonly #observer: GroupObserver | undefined;
  /** By receiver: its integrations that forward to another Alertmanager. */
  readonly #forwarders = new Map<string, AlertForwarder[]>();
  readonly #forwarderOf = new Map<Notifier, AlertForwarder>();
  readonly #escalated: EscalatedForwarding;
  readonly #stops: Array<() => void> = [];

  constructor(options: NotificationPipelineOptions) {
    const { config, clock } = options;
    this.#config = config;
    this.#notifiers = options.notifiers;
    this.#clock = clock;
    const external = options.externalURL;
    this.#externalURLOf = typeof external === 'string' ? () => external : external;
    this.#observer = options.observer;
    const now = () => clock.now();
    for (const r of config.receivers) {
      if (!options.notifiers.has(r.name)) throw new Error(`no notifiers were built for receiver "${r.name}"`);
    }
    this.#store = new AlertStore(config.resolveTimeoutMs);
    this.#root = buildRoute(config.route);
    this.#dispatcher = new Dispatcher(this.#root, clock, (group, alerts) => this.#flushGroup(group, alerts));
    this.#inhibitor = new Inhibitor(config.inhibitRules, this.#store, now);
    const dir = options.dataDir;
    this.silences = new Silences({
      now,
      file: dir && join(dir, 'silences.json'),
      onChange: (silence, change) => this.#observer?.silenceChanged(silence, change, now()),
    });
    this.#log = new NotificationLog({ now, file: dir && join(dir, 'notification-log.json') });
    this.#escalated = new EscalatedForwarding(dir && join(dir, 'escalated-forwarding.json'));
    this.#delivery = new Delivery({
      ...options.delivery,
      clock,
      registry: options.registry,
      events: options.events,
    });
    for (const [receiver, notifiers] of options.notifiers) {
      const forwarders: AlertForwarder[] = [];
      for (const nf of notifiers) {
        if (nf.forwardsAlerts !== true) continue;
        const forwarder = new AlertForwarder(receiver, nf, this.#delivery, clock, this.#externalURLOf);
        forwarders.push(forwarder);
        this.#forwarderOf.set(nf, forwarder);
      }
      if (forwarders.length > 0) this.#forwarders.set(receiver, forwarders);
    }
    this.#stops.push(
      clock.every(MAINTENANCE_MS, () =>
        background('notification dispatch', () => this.#dispatcher.maintain()),
      ),
      clock.every(GC_MS, () =>
        background('expiring alerts and silences', () => {
          this.#store.gc(clock.now());
          this.#escalated.retain((fp) => this.#store.get(fp) !== undefined);
          this.silences.gc();
        }),
      ),
      clock.every(SNAPSHOT_MS, () => background('saving notification-log.json', () => this.#log.flush())),
    );
  }

  receive(alerts: readonly Alert[]): void {
    const now = this.#clock.now();
    for (const alert of alerts) this.#dispatcher.process(this.#store.put(alert, now));
    this.#forward(alerts);
  }

  /**
   * Hands each alert to the forwarders of the receivers its routes lead to, at once, as Prometheus
   * sends to its Alertmanagers: the rules send a firing alert again every resend delay with `endsAt`
   * 4 × max(evaluation interval, resend delay) ahead, and a resolved one when it resolves. Group
   * timing, silences, inhibition and time intervals do not apply: muting is the receiving
   * Alertmanager's business, and an alert it stopped hearing of would be timed out there as
   * resolved while it still fires. The same goes for the receivers an escalation sent it to.
   */
  #forward(alerts: readonly Alert[]): void {
    if (this.#forwarders.size === 0) return;
    const now = this.#clock.now();
    const byReceiver = new Map<string, Alert[]>();
    for (const alert of alerts) {
      const receivers = new Set(matchRoutes(this.#root, alert.labels).map((r) => r.config.receiver));
      if (this.#escalated.size > 0) {
        const fp = fingerprint(alert.labels);
        for (const receiver of this.#escalated.receiversOf(fp)) receivers.add(receiver);
        if (alert.endsAt > 0 && alert.endsAt <= now) this.#escalated.forget(fp);
      }
      for (const receiver of receivers) {
        if (!this.#forwarders.has(receiver)) continue;
        let list = byReceiver.get(receiver);
        if (!list) byReceiver.set(receiver, (list = []));
        list.push(alert);
      }
    }
    for (const [receiver, list] of byReceiver)
      for (const forwarder of this.#forwarders.get(receiver)!) forwarder.forward(list);
  }

  /** Resolves once every forwarded alert has been delivered or given up on (tests, shutdown). */
  async forwarded(): Promise<void> {
    await Promise.all([...this.#forwarders.values()].flat().map((f) => f.idle()));
  }

  silencedBy(labels: SeriesLabels): readonly string[] {
    return this.silences.silencedBy(labels);
  }

  inhibitedBy(labels: SeriesLabels): readonly string[] {
    return this.#inhibitor.inhibitedBy(labels);
  }

  receiverNames(): string[] {
    return this.#config.receivers.map((r) => r.name);
  }

  /** Every known alert with its receivers and whether it is muted, as `GET /api/v2/alerts` lists them. */
  alerts(): AlertStatus[] {
    const out: AlertStatus[] = [];
    for (const alert of this.#store.list()) {
      const silencedBy = this.silences.silencedBy(alert.labels);
      const inhibitedBy = this.#inhibitor.inhibitedBy(alert.labels);
      out.push({
        alert,
        receivers: [...new Set(matchRoutes(this.#root, alert.labels).map((r) => r.config.receiver))],
        state: silencedBy.length > 0 || inhibitedBy.length > 0 ? 'suppressed' : 'active',
        silencedBy,
        inhibitedBy,
      });
    }
    return out;
  }

  /** The groups as they stand, for the API and the tests. */
  groups(): AggregationGroup[] {
    return [...this.#dispatcher.groups()];
  }

  /** Sends a test notification through every integration of `receiver` (`vigil notify test`). */
  async test(receiver: string): Promise<Array<DeliveryResult & { integration: string }>> {
    const notifiers = this.#notifiers.get(receiver);
    if (!notifiers)
      throw new Error(`no receiver named "${receiver}" (known: ${this.receiverNames().join(', ')})`);
    const now = this.#clock.now();
    const labels = { alertname: 'VigilTestAlert', severity: 'info', receiver };
    const n: Notification = {
      receiver,
      groupKey: `{}:{alertname="VigilTestAlert"}`,
      status: 'firing',
      groupLabels: { alertname: 'VigilTestAlert' },
      alerts: [
        {
          status: 'firing',
          labels,
          annotations: {
            summary: 'Test notification from vigil',
            description: `Sent by "vigil notify test ${receiver}" to check that this receiver gets alerts.`,
          },
          startsAt: now,
          endsAt: 0,
          generatorURL: this.#externalURLOf(),
          fingerprint: fingerprint(labels),
        },
      ],
      externalURL: this.#externalURLOf(),
      time: now,
    };
    return Promise.all(
      notifiers.map(async (nf) => ({
        integration: nf.integration,
        ...(await this.#delivery.deliver(nf, n, TEST_DEADLINE_MS)),
      })),
    );
  }

  /**
   * Delivers `n` through every integration of `receiver`, with retries, outside any group: what
   * escalation sends. Never rejects; one result per integration. `signal` stops the retries (see
   * Delivery.deliver). An integration that forwards to another Alertmanager is handed the alerts
   * as their senders last sent them (with their `endsAt`), in order with the other alerts it
   * forwards, and from then on every resend of them until they resolve, as Prometheus would: an
   * Alertmanager told once would time them out as resolved while they still fire.
   */
  async deliverTo(
    receiver: string,
    n: Notification,
    signal?: AbortSignal,
  ): Promise<Array<DeliveryResult & { integration: string }>> {
    const notifiers = this.#notifiers.get(receiver) ?? [];
    if (notifiers.length === 0)
      return [{ integration: 'none', ok: false, attempts: 0, error: `no receiver named "${receiver}"` }];
    const forwarderOf = (nf: Notifier) => (n.document ? undefined : this.#forwarderOf.get(nf));
    if (notifiers.some(forwarderOf)) this.#follow(receiver, n.alerts);
    return Promise.all(
      notifiers.map(async (nf, i) => {
        const forwarder = forwarderOf(nf);
        const result = forwarder
          ? forwarder.forward(this.#asSent(n.alerts))
          : this.#delivery.deliver(
              nf,
              {
                ...n,
                receiver,
                idempotencyKey: idempotencyKey(n.idempotencyKey ?? '', receiver, `${nf.integration}[${i}]`),
              },
              this.#config.route.groupIntervalMs,
              signal,
            );
        return { integration: nf.integration, ...(await result) };
      }),
    );
  }

  /** Has the firing ones of `alerts` forwarded to `receiver`'s forwarders until they resolve. */
  #follow(receiver: string, alerts: readonly NotifiedAlert[]): void {
    for (const a of alerts) {
      if (a.status !== 'firing' || !this.#store.get(a.fingerprint)) continue;
      this.#escalated.follow(a.fingerprint, receiver);
    }
  }

  /** The alerts of a notification as their senders last sent them (those still known). */
  #asSent(alerts: readonly NotifiedAlert[]): Alert[] {
    const now = this.#clock.now();
    return alerts.map((a) => {
      const stored = this.#store.get(a.fingerprint);
      return stored ? asSent(stored, now) : a;
    });
  }

  /**
   * Stops the timers, ends the deliveries under way (see Delivery.close) and writes the notification
   * log (silences are written as they change).
   */
  async close(): Promise<void> {
    for (const stop of this.#stops) stop();
    this.#dispatcher.stop();
    await this.#delivery.close();
    this.#log.flush();
  }

  async #flushGroup(group: AggregationGroup, alerts: StoredAlert[]): Promise<boolean> {
    const now = this.#clock.now();
    const rc = group.route.config;
    const intervals = this.#config.timeIntervals;
    const notifiers = this.#notifiers.get(rc.receiver) ?? [];
    const muted =
      (rc.activeTimeIntervals.length > 0 && !inTimeIntervals(intervals, rc.activeTimeIntervals, now)) ||
      (rc.muteTimeIntervals.length > 0 && inTimeIntervals(intervals, rc.muteTimeIntervals, now));
    if (muted) return true;
    const live = alerts.filter(
      (a) =>
        this.#inhibitor.inhibitedBy(a.labels).length === 0 && this.silences.silencedBy(a.labels).length === 0,
    );
    const incident = this.#observer?.flushing(
      {
        key: group.key,
        labels: group.labels,
        receiver: rc.receiver,
        alerts: live.map((a) => notified(a, now)),
      },
      now,
    );
    // Forwarders had every alert as it came (#forward).
    const results = await Promise.all(
      notifiers.map((nf, i) =>
        nf.forwardsAlerts === true ? true : this.#notify(group, nf, i, live, now, incident),
      ),
    );
    return results.every(Boolean);
  }

  async #notify(
    group: AggregationGroup,
    nf: Notifier,
    index: number,
    alerts: StoredAlert[],
    now: number,
    incident: IncidentLink | undefined,
  ): Promise<boolean> {
    const rc = group.route.config;
    const key = NotificationLog.key(group.key, rc.receiver, `${nf.integration}[${index}]`);
    const firing = new Set<string>();
    const resolved = new Set<string>();
    for (const a of alerts) (isResolved(a, now) ? resolved : firing).add(a.fingerprint);
    const entry = this.#log.get(key);
    if (!needsUpdate(entry, firing, resolved, nf.sendResolved, rc.repeatIntervalMs, now)) return true;
    const sent: NotifiedAlert[] = [];
    for (const a of alerts) {
      if (nf.sendResolved || !isResolved(a, now)) sent.push(notified(a, now));
    }
    if (sent.length > 0) {
      const result = await this.#delivery.deliver(
        nf,
        {
          receiver: rc.receiver,
          groupKey: group.key,
          status: sent.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
          groupLabels: group.labels,
          alerts: sent,
          externalURL: this.#externalURLOf(),
          time: now,
          idempotencyKey: idempotencyKey(key, ...[...firing].sort(), '/', ...[...resolved].sort()),
          ...(incident && { incident }),
        },
        rc.groupIntervalMs,
      );
      this.#observer?.delivered(group.key, rc.receiver, nf.integration, result, this.#clock.now());
      if (!result.ok) return false;
    }
    this.#log.log(key, [...firing], [...resolved]);
    return true;
  }
}

/** A stored alert as a notification carries it, resolved or firing at `now`. */
function notified(a: StoredAlert, now: number): NotifiedAlert {
  const done = isResolved(a, now);
  return {
    status: done ? 'resolved' : 'firing',
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: done ? a.endsAt : 0,
    generatorURL: a.generatorURL,
    fingerprint: a.fingerprint,
  };
}
