import { randomBytes } from 'node:crypto';
import type { Clock, Registry } from '@vigil/metrics';
import type { DeliveryResult } from '../alerts/notify/delivery.js';
import { escapeHtml } from '../alerts/notify/email-message.js';
import type { FlushedGroup, GroupObserver, IncidentLink } from '../alerts/notify/group-observer.js';
import { idempotencyKey, type Notification } from '../alerts/notify/notification.js';
import type { Silence, SilenceChange } from '../alerts/notify/silences.js';
import type { EscalationPolicyConfig } from '../config/config.js';
import { background } from '../errors/background-tasks.js';
import { matchesAll } from '../matchers/label-matcher.js';
import { matchersString } from '../matchers/matcher-syntax.js';
import type { DocumentFile } from '../store/document-file.js';
import type { AckLinks } from './ack-links.js';
import { type Incident, type IncidentStatus, severityRank, type TimelineEntry } from './incident.js';
import type { IncidentImpact } from './incident-impact.js';
import { postMortem } from './post-mortem.js';

export interface IncidentManagerOptions {
  readonly documents: DocumentFile;
  readonly clock: Clock;
  readonly registry?: Registry | undefined;
  /** Lowest `severity` that opens an incident. */
  readonly severity: string;
  readonly retentionDays: number;
  readonly policies: readonly EscalationPolicyConfig[];
  /**
   * Sends a notification through every integration of a receiver (the notification pipeline's);
   * `signal` stops its retries.
   */
  readonly deliver: (
    receiver: string,
    n: Notification,
    signal?: AbortSignal,
  ) => Promise<ReadonlyArray<DeliveryResult & { integration: string }>>;
  readonly links: AckLinks;
  readonly ackLinkTtlMs: number;
  readonly externalURL: () => string;
  /** How often escalation deadlines are checked. */
  readonly tickMs: number;
  /** Measures what an incident cost, for its post-mortem; none leaves the impact figures out. */
  readonly impact?: ((incident: Incident) => Promise<IncidentImpact>) | undefined;
  /** Receivers the post-mortem is posted to when an incident resolves. */
  readonly postmortemReceivers?: readonly string[] | undefined;
}

export interface IncidentQuery {
  readonly status?: IncidentStatus | 'active';
  readonly limit?: number;
}

/**
 * Incidents from notification groups: a group firing an alert at or above the configured severity
 * opens one (or joins the open one of the same group key); it resolves when every alert in it has,
 * or by hand. Every change is written to the document file before it is reported, so an incident
 * and its timeline survive kill -9, and an escalation resumes where it stood: a step is marked done
 * only after it was sent (a crash between the two sends it again, with the same idempotency key).
 */
export class IncidentManager implements GroupObserver {
  readonly #o: IncidentManagerOptions;
  readonly #minRank: number;
  /** Open and acknowledged incidents by group key. */
  readonly #active = new Map<string, Incident>();
  /** The last incident of each group key, so the delivery of a resolving notification lands in it. */
  readonly #last = new Map<string, Incident>();
  readonly #stops: Array<() => void> = [];
  /** The escalation steps under way by incident id, and what cuts their retries short. */
  readonly #steps = new Map<string, { readonly run: Promise<void>; readonly stop: AbortController }>();
  #stopped = false;
  /** Whether a due step waits for one of the PARALLEL_STEPS slots. */
  #slotWanted = false;
  /** Resolved incidents whose post-mortem is still to be posted, by id. */
  readonly #unposted = new Set<string>();
  #posting: Promise<void> | undefined;
  readonly #opened;
  readonly #openGauge;
  readonly #escalations;
  readonly #tta;
  readonly #ttr;

  constructor(options: IncidentManagerOptions) {
    this.#o = options;
    this.#minRank = severityRank(options.severity);
    for (const doc of options.documents.list()) {
      const incident = JSON.parse(doc.json) as Incident;
      if (incident.status !== 'resolved') this.#active.set(incident.groupKey, incident);
      else if (incident.postmortem === 'pending') this.#unposted.add(incident.id);
    }
    const r = options.registry;
    this.#opened = r?.counter({
      name: 'vigil_incidents_total',
      help: 'Incidents opened, by severity.',
      labelNames: ['severity'],
    });
    this.#openGauge = r?.gauge({ name: 'vigil_incidents_open', help: 'Incidents open or acknowledged now.' });
    this.#escalations = r?.counter({
      name: 'vigil_incident_escalations_total',
      help: 'Escalation steps delivered to at least one receiver, by policy.',
      labelNames: ['policy'],
    });
    const buckets = [60, 300, 600, 1800, 3600, 7200, 14_400, 43_200, 86_400];
    this.#tta = r?.histogram({
      name: 'vigil_incident_time_to_acknowledge_seconds',
      help: 'From an incident opening to its first acknowledgement (MTTA is sum / count).',
      labelNames: ['severity'],
      buckets,
    });
    this.#ttr = r?.histogram({
      name: 'vigil_incident_time_to_resolve_seconds',
      help: 'From an incident opening to its resolution (MTTR is sum / count).',
      labelNames: ['severity'],
      buckets,
    });
    this.#openGauge?.set(this.#active.size);
  }

  start(): void {
    const { clock } = this.#o;
    this.#stops.push(
      clock.every(this.#o.tickMs, () => background('escalation', () => this.escalate())),
      clock.every(3_600_000, () => this.#o.documents.prune(clock.now())),
    );
    background('escalation', () => this.escalate());
    background(POSTING, () => this.postPostMortems());
  }

  /**
   * Stops the timers and the retries of the escalation steps under way, and waits for them and a
   * post-mortem under way. A step stopped this way stays due: it is sent again after a restart.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const stop of this.#stops.splice(0)) stop();
    const steps = [...this.#steps.values()];
    for (const s of steps) s.stop.abort(new DOMException('vigil is shutting down', 'AbortError'));
    await Promise.allSettled(steps.map((s) => s.run));
    await this.#posting?.catch(() => undefined);
  }

  /** The post-mortem draft in Markdown, with the impact measured now; undefined for an unknown id. */
  async postMortem(id: string): Promise<string | undefined> {
    const incident = this.get(id);
    if (!incident) return undefined;
    return postMortem(incident, await this.#o.impact?.(incident));
  }

  /**
   * Posts the post-mortem of every resolved incident that has not had it yet to the configured
   * receivers, once (a crash before it is marked sent posts it again, with the same idempotency key).
   */
  postPostMortems(): Promise<void> {
    this.#posting ??= this.#postDue().finally(() => {
      this.#posting = undefined;
    });
    return this.#posting;
  }

  async #postDue(): Promise<void> {
    for (let id = first(this.#unposted); id !== undefined; id = first(this.#unposted)) {
      this.#unposted.delete(id);
      const incident = this.#activeById(id) ?? this.get(id);
      if (incident?.postmortem !== 'pending') continue;
      // A failed measurement leaves the figures out rather than the whole post-mortem.
      const impact = await this.#o.impact?.(incident).catch((error: unknown) => {
        this.#entry(
          incident,
          this.#o.clock.now(),
          'note',
          `impact not measured: ${(error as Error).message}`,
        );
        return undefined;
      });
      const markdown = postMortem(incident, impact);
      const n: Notification = {
        receiver: '',
        groupKey: incident.groupKey,
        status: 'resolved',
        groupLabels: incident.groupLabels,
        alerts: [],
        externalURL: this.#o.externalURL(),
        time: this.#o.clock.now(),
        idempotencyKey: idempotencyKey('postmortem', incident.id),
        document: {
          subject: `Post-mortem: ${incident.title} (${incident.id})`,
          text: markdown,
          // Markdown is the document; mail clients show it as written in a pre block, unmangled.
          html: `<!DOCTYPE html><html><body><pre style="font-family:ui-monospace,monospace;white-space:pre-wrap">${escapeHtml(markdown)}</pre></body></html>`,
          json: JSON.stringify({
            kind: 'postmortem',
            incident: incident.id,
            title: incident.title,
            severity: incident.severity,
            openedAt: new Date(incident.openedAt).toISOString(),
            resolvedAt:
              incident.resolvedAt === undefined ? null : new Date(incident.resolvedAt).toISOString(),
            url: this.#link(incident, this.#o.clock.now()).url,
            markdown,
          }),
        },
      };
      for (const receiver of this.#o.postmortemReceivers ?? []) {
        const results = await this.#o.deliver(receiver, n);
        // Cut short by a shutdown: still pending, posted again with the same key after the restart.
        if (results.some((r) => r.cancelled)) return;
        for (const r of results)
          this.#entry(
            incident,
            this.#o.clock.now(),
            r.ok ? 'notified' : 'notification_failed',
            r.ok
              ? `post-mortem posted to ${receiver} by ${r.integration}`
              : `posting the post-mortem to ${receiver} by ${r.integration} failed: ${r.error ?? 'unknown error'}`,
          );
      }
      incident.postmortem = 'sent';
      this.#save(incident);
    }
  }

  flushing(group: FlushedGroup, now: number): IncidentLink | undefined {
    let incident = this.#active.get(group.key);
    if (!incident) {
      const qualifying = group.alerts.filter(
        (a) => a.status === 'firing' && severityRank(a.labels.severity) >= this.#minRank,
      );
      if (qualifying.length === 0) return undefined;
      incident = this.#open(group, qualifying[0]!.labels, now);
    }
    let refired = false;
    for (const a of group.alerts) {
      const known = incident.alerts.find((k) => k.fingerprint === a.fingerprint);
      const name = describe(a.labels);
      // Alerts below the incident severity share the group, not the incident: an always-firing
      // Watchdog in a route without group_by would otherwise keep every incident open forever.
      if (!known && severityRank(a.labels.severity) < this.#minRank) continue;
      if (!known) {
        incident.alerts.push({
          fingerprint: a.fingerprint,
          labels: a.labels,
          annotations: a.annotations,
          status: a.status,
          startsAt: a.startsAt,
          endsAt: a.endsAt,
        });
        if (a.status === 'firing') {
          this.#entry(incident, now, 'alert_firing', `${name} firing`);
          refired = true;
        }
        continue;
      }
      if (known.status !== a.status) {
        known.status = a.status;
        known.endsAt = a.endsAt;
        if (a.status === 'resolved') this.#entry(incident, now, 'alert_resolved', `${name} resolved`);
        else {
          known.startsAt = a.startsAt;
          this.#entry(incident, now, 'alert_firing', `${name} firing again`);
          refired = true;
        }
      }
    }
    if (refired && incident.status === 'acknowledged') {
      // A new or re-firing alert is news the acknowledger has not seen: escalate again from the start.
      incident.status = 'open';
      this.#entry(
        incident,
        now,
        'reopened',
        'a new alert fired after the acknowledgement; escalation restarts',
      );
      if (incident.escalation) Object.assign(incident.escalation, { since: now, nextStep: 0, round: 0 });
    }
    if (incident.alerts.every((a) => a.status === 'resolved')) this.#resolve(incident, now, undefined);
    this.#save(incident);
    return this.#link(incident, now);
  }

  delivered(
    groupKey: string,
    receiver: string,
    integration: string,
    result: DeliveryResult,
    now: number,
  ): void {
    const incident = this.#active.get(groupKey) ?? this.#last.get(groupKey);
    if (!incident) return;
    if (result.ok) this.#entry(incident, now, 'notified', `notified ${receiver} by ${integration}`);
    else
      this.#entry(
        incident,
        now,
        'notification_failed',
        `notifying ${receiver} by ${integration} failed after ${result.attempts} attempts: ${result.error ?? 'unknown error'}`,
      );
    this.#save(incident);
  }

  /** Notes a silence on the timeline of every active incident with a firing alert it matches. */
  silenceChanged(silence: Silence, change: SilenceChange, now: number): void {
    const until = new Date(silence.endsAt).toISOString();
    const from = silence.startsAt > now ? ` from ${new Date(silence.startsAt).toISOString()}` : '';
    const comment = silence.comment ? `: ${silence.comment}` : '';
    for (const incident of this.#active.values()) {
      const muted = incident.alerts.filter(
        (a) => a.status === 'firing' && matchesAll(silence.matchers, a.labels),
      );
      if (muted.length === 0) continue;
      const what = `silence ${silence.id} ${matchersString(silence.matchers)}`;
      const alerts = `${muted.length} alert${muted.length === 1 ? '' : 's'} of this incident`;
      if (change === 'expired')
        this.#entry(incident, now, 'silence_expired', `${what} expired: ${alerts} no longer muted`);
      else
        this.#entry(
          incident,
          now,
          'silenced',
          `${what} ${change}, muting ${alerts}${from} until ${until}${comment}`,
          silence.createdBy,
        );
      this.#save(incident);
    }
  }

  get(id: string): Incident | undefined {
    const doc = this.#o.documents.get(id);
    return doc && (JSON.parse(doc.json) as Incident);
  }

  /** Newest first. */
  list(query: IncidentQuery = {}): Incident[] {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? 100), 1), 1000);
    const all = this.#o.documents.list(0, 10_000).map((d) => JSON.parse(d.json) as Incident);
    const wanted = all.filter((i) =>
      query.status === undefined
        ? true
        : query.status === 'active'
          ? i.status !== 'resolved'
          : i.status === query.status,
    );
    return wanted.sort((a, b) => b.openedAt - a.openedAt).slice(0, limit);
  }

  /** Acknowledges an open incident: its escalation stops. Undefined when there is no such incident. */
  acknowledge(id: string, by: string): Incident | undefined {
    const incident = this.#activeById(id) ?? this.get(id);
    if (!incident) return undefined;
    if (incident.status !== 'open') return incident;
    const now = this.#o.clock.now();
    incident.status = 'acknowledged';
    if (incident.acknowledgedAt === undefined) {
      incident.acknowledgedAt = now;
      incident.acknowledgedBy = by;
      this.#tta?.observe({ severity: incident.severity }, (now - incident.openedAt) / 1000);
    }
    this.#entry(incident, now, 'acknowledged', `acknowledged by ${by}`, by);
    this.#save(incident);
    this.#steps.get(incident.id)?.stop.abort(new DOMException(`acknowledged by ${by}`, 'AbortError'));
    return incident;
  }

  /** Resolves an incident by hand, whatever its alerts say. */
  resolve(id: string, by: string): Incident | undefined {
    const incident = this.#activeById(id) ?? this.get(id);
    if (!incident) return undefined;
    if (incident.status === 'resolved') return incident;
    this.#resolve(incident, this.#o.clock.now(), by);
    this.#save(incident);
    return incident;
  }

  note(id: string, text: string, by: string): Incident | undefined {
    const incident = this.#activeById(id) ?? this.get(id);
    if (!incident) return undefined;
    this.#entry(incident, this.#o.clock.now(), 'note', text, by);
    this.#save(incident);
    return incident;
  }

  /**
   * Starts the escalation steps that are due, for each incident whose previous step is not still
   * under way, and resolves once every step under way has ended. Incidents escalate independently,
   * so a receiver that fails and is retried holds back only its own incident; a bounded number at a
   * time. The steps of one incident go in order (several after a restart).
   */
  escalate(): Promise<void> {
    if (!this.#stopped)
      for (const incident of this.#active.values()) {
        if (this.#steps.has(incident.id) || !this.#due(incident)) continue;
        if (this.#steps.size >= PARALLEL_STEPS) {
          this.#slotWanted = true;
          break;
        }
        const stop = new AbortController();
        const run = this.#escalateDue(incident, stop.signal).then(
          (completed) => this.#stepEnded(incident.id, completed),
          (error: unknown) => {
            this.#stepEnded(incident.id, false);
            throw error;
          },
        );
        this.#steps.set(incident.id, { run, stop });
      }
    return Promise.all([...this.#steps.values()].map((s) => s.run)).then(() => undefined);
  }

  #stepEnded(id: string, completed: boolean): void {
    this.#steps.delete(id);
    // An incident left waiting for a free slot goes now rather than at the next tick.
    if (completed && this.#slotWanted) {
      this.#slotWanted = false;
      background('escalation', () => this.escalate());
    }
  }

  #due(incident: Incident): boolean {
    const { state, policy } = this.#policyOf(incident);
    if (!state || !policy || incident.status !== 'open' || state.round > policy.repeat) return false;
    const cycleMs = policy.steps.at(-1)!.afterMs;
    const step = policy.steps[state.nextStep]!;
    return this.#o.clock.now() >= state.since + state.round * cycleMs + step.afterMs;
  }

  #policyOf(incident: Incident) {
    const state = incident.escalation;
    return { state, policy: state && this.#o.policies.find((p) => p.name === state.policy) };
  }

  /**
   * Sends the incident's due steps in order, until one is not due or `signal` stops them; false when
   * a shutdown cut a step short.
   */
  async #escalateDue(incident: Incident, signal: AbortSignal): Promise<boolean> {
    const { state, policy } = this.#policyOf(incident);
    if (!state || !policy) return true;
    while (this.#due(incident)) {
      const step = policy.steps[state.nextStep]!;
      const now = this.#o.clock.now();
      const key = idempotencyKey(incident.id, String(state.round), String(state.nextStep));
      const n = this.#notification(incident, key, now);
      const which = `step ${state.nextStep + 1} of ${policy.name}${state.round > 0 ? `, round ${state.round + 1}` : ''}`;
      const { since, round, nextStep } = state;
      let delivered = false;
      for (const receiver of step.receivers) {
        // An acknowledgement that came in while an earlier receiver of the step was told ends it.
        if (incident.status !== 'open') break;
        const results = await this.#o.deliver(receiver, n, signal);
        // Cut short by a shutdown (of this manager or of the pipeline under it) while the incident
        // still wants it: the step stays due, sent again with the same key after the restart.
        if (this.#stopped || (incident.status === 'open' && results.some((r) => r.cancelled))) return false;
        delivered ||= results.some((r) => r.ok);
        for (const r of results)
          this.#entry(
            incident,
            this.#o.clock.now(),
            r.ok ? 'escalated' : r.cancelled ? 'escalation_stopped' : 'notification_failed',
            r.ok
              ? `escalated to ${receiver} by ${r.integration} (${which})`
              : r.cancelled
                ? `escalating to ${receiver} by ${r.integration} (${which}) stopped after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}: ${r.error ?? 'cancelled'}`
                : `escalating to ${receiver} by ${r.integration} failed: ${r.error ?? 'unknown error'}`,
          );
      }
      // Acknowledged, then reopened by a new alert while this step was under way: the escalation
      // restarted from its first step, which this one must not count as sent.
      if (state.since !== since || state.round !== round || state.nextStep !== nextStep) {
        this.#save(incident);
        return true;
      }
      // A step an acknowledgement stopped before anyone was told paged no one.
      if (delivered) this.#escalations?.inc({ policy: policy.name });
      state.nextStep++;
      if (state.nextStep === policy.steps.length) {
        state.nextStep = 0;
        state.round++;
      }
      this.#save(incident);
    }
    return true;
  }

  #notification(incident: Incident, key: string, now: number): Notification {
    return {
      receiver: '',
      groupKey: incident.groupKey,
      status: 'firing',
      groupLabels: incident.groupLabels,
      alerts: incident.alerts
        .filter((a) => a.status === 'firing')
        .map((a) => ({ ...a, endsAt: 0, generatorURL: '' })),
      externalURL: this.#o.externalURL(),
      time: now,
      idempotencyKey: key,
      incident: this.#link(incident, now),
    };
  }

  #open(group: FlushedGroup, labels: Readonly<Record<string, string>>, now: number): Incident {
    const id = `${new Date(now).toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
    const policy = this.#o.policies.find((p) =>
      Object.entries(p.match).every(([k, v]) => labels[k] === v || group.labels[k] === v),
    );
    const severities = group.alerts.map((a) => a.labels.severity ?? '');
    const severity = severities.reduce((best, s) => (severityRank(s) > severityRank(best) ? s : best), '');
    const incident: Incident = {
      id,
      groupKey: group.key,
      groupLabels: group.labels,
      receiver: group.receiver,
      title: labels.alertname ?? 'incident',
      severity,
      status: 'open',
      openedAt: now,
      acknowledgedAt: undefined,
      acknowledgedBy: undefined,
      resolvedAt: undefined,
      resolvedBy: undefined,
      alerts: [],
      escalation: policy && { policy: policy.name, since: now, nextStep: 0, round: 0 },
      timeline: [],
    };
    this.#entry(
      incident,
      now,
      'opened',
      `opened from group ${group.key} (receiver ${group.receiver})${policy ? `, escalation policy ${policy.name}` : ''}`,
    );
    this.#active.set(group.key, incident);
    this.#last.set(group.key, incident);
    this.#opened?.inc({ severity });
    this.#openGauge?.set(this.#active.size);
    return incident;
  }

  #resolve(incident: Incident, now: number, by: string | undefined): void {
    incident.status = 'resolved';
    incident.resolvedAt = now;
    incident.resolvedBy = by;
    this.#entry(incident, now, 'resolved', by ? `resolved by ${by}` : 'every alert resolved', by);
    this.#steps.get(incident.id)?.stop.abort(new DOMException('the incident resolved', 'AbortError'));
    this.#active.delete(incident.groupKey);
    this.#last.set(incident.groupKey, incident);
    this.#ttr?.observe({ severity: incident.severity }, (now - incident.openedAt) / 1000);
    this.#openGauge?.set(this.#active.size);
    if ((this.#o.postmortemReceivers ?? []).length > 0) {
      incident.postmortem = 'pending';
      this.#unposted.add(incident.id);
      // After the caller saved the resolution: the post-mortem reads it back from the store.
      // A failure (the alert history cannot record the delivery) is reported; it stays pending,
      // posted after a restart. Left to `void`, its rejection was unhandled and ended the process.
      queueMicrotask(() => background(POSTING, () => this.postPostMortems()));
    }
  }

  #activeById(id: string): Incident | undefined {
    for (const i of this.#active.values()) if (i.id === id) return i;
    for (const i of this.#last.values()) if (i.id === id) return i;
    return undefined;
  }

  #entry(incident: Incident, at: number, kind: TimelineEntry['kind'], text: string, by?: string): void {
    incident.timeline.push({ at, kind, text, ...(by !== undefined && { by }) });
  }

  #save(incident: Incident): void {
    const expires =
      incident.resolvedAt === undefined
        ? undefined
        : incident.resolvedAt + this.#o.retentionDays * 86_400_000;
    this.#o.documents.put(incident.id, this.#o.clock.now(), JSON.stringify(incident), expires);
  }

  #link(incident: Incident, now: number): IncidentLink {
    const base = this.#o.externalURL();
    return {
      id: incident.id,
      url: `${base}/#/incidents/${encodeURIComponent(incident.id)}`,
      ackURL: `${base}${this.#o.links.path(incident.id, now + this.#o.ackLinkTtlMs)}`,
    };
  }
}

const POSTING = 'posting post-mortems';

/**
 * How many incidents' escalation steps are delivered at once: enough that a few failing receivers
 * do not hold back the rest, few enough that an incident storm does not open a request per incident.
 */
const PARALLEL_STEPS = 8;

function first<T>(set: ReadonlySet<T>): T | undefined {
  for (const v of set) return v;
  return undefined;
}

function describe(labels: Readonly<Record<string, string>>): string {
  const rest = Object.entries(labels)
    .filter(([k]) => k !== 'alertname')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${labels.alertname ?? 'alert'}${rest ? ` {${rest}}` : ''}`;
}
