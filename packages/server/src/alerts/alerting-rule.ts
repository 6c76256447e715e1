import { ServerError } from '../errors/server-error.js';
import { formatValue } from '../query/format-value.js';
import type { QueryEngine } from '../query/query-engine.js';
import type { SeriesLabels, SeriesSamples } from '../store/series-store.js';
import type { Alert } from './alert.js';
import type { AlertStateEvent } from './alert-history-event.js';
import { labelKey } from './label-key.js';
import { queryVector, type RuleSample } from './query-vector.js';
import type { AlertingRuleSpec } from './rule-file.js';

export type AlertState = 'inactive' | 'pending' | 'firing';

/** One alert of a rule, identified by its labels; kept while pending or firing, and for a while once resolved. */
export interface ActiveAlert {
  readonly labels: SeriesLabels;
  annotations: SeriesLabels;
  state: AlertState;
  /** When it became pending (ms). */
  activeAt: number;
  firedAt: number | undefined;
  resolvedAt: number | undefined;
  lastSentAt: number | undefined;
  keepFiringSince: number | undefined;
  value: number;
}

export interface RuleTemplateContext {
  readonly externalLabels: SeriesLabels;
  readonly externalURL: string;
}

/** What one evaluation produced: samples for the store and the state changes for history. */
export interface EvalOutput {
  readonly samples: SeriesSamples[];
  readonly events: AlertStateEvent[];
}

/** Prometheus keeps resolved alerts this long so they are sent as resolved a few times. */
const RESOLVED_RETENTION_MS = 15 * 60_000;

/**
 * An alerting rule's state machine, as Prometheus's rules/alerting.go: each evaluation's result
 * vector makes alerts pending, pending ones fire once `for` has passed, and ones absent from the
 * result resolve (after `keep_firing_for` for firing ones). Evaluation time is the caller's clock.
 */
export class AlertingRule {
  readonly kind = 'alerting';
  readonly spec: AlertingRuleSpec;
  readonly #context: RuleTemplateContext;
  #active = new Map<string, ActiveAlert>();
  /** Whether ALERTS_FOR_STATE was read back after a start; until then no ALERTS series are written. */
  restored = false;

  constructor(spec: AlertingRuleSpec, context: RuleTemplateContext) {
    this.spec = spec;
    this.#context = context;
  }

  get name(): string {
    return this.spec.name;
  }

  /** Takes over the alerts of the rule this one replaces on reload, as Prometheus's CopyState. */
  adopt(previous: AlertingRule): void {
    this.#active = previous.#active;
    this.restored = previous.restored;
  }

  async eval(engine: QueryEngine, ts: number, limit: number): Promise<EvalOutput> {
    const vector = await queryVector(engine, this.spec.expr, ts);
    const events: AlertStateEvent[] = [];
    const seen = new Map<string, ActiveAlert>();
    for (const sample of vector) {
      const alert = this.#alertFor(sample, ts);
      const key = labelKey(alert.labels);
      if (seen.has(key))
        throw new Error('vector contains metrics with the same labelset after applying alert labels');
      seen.set(key, alert);
    }
    const created = new Map<string, number>();
    for (const [key, fresh] of seen) {
      const current = this.#active.get(key);
      if (current && current.state !== 'inactive') {
        current.value = fresh.value;
        current.annotations = fresh.annotations;
        continue;
      }
      this.#active.set(key, fresh);
      created.set(key, events.length);
      events.push(stateEvent(ts, fresh, current?.state ?? 'inactive', 'pending'));
    }
    let activeCount = 0;
    for (const [key, alert] of this.#active) {
      if (!seen.has(key)) {
        let keepFiring = false;
        if (alert.state === 'firing' && this.spec.keepFiringForMs > 0) {
          alert.keepFiringSince ??= ts;
          keepFiring = ts - alert.keepFiringSince < this.spec.keepFiringForMs;
        }
        if (
          alert.state === 'pending' ||
          (alert.resolvedAt !== undefined && ts - alert.resolvedAt > RESOLVED_RETENTION_MS)
        )
          this.#active.delete(key);
        if (alert.state !== 'inactive' && !keepFiring) {
          events.push(stateEvent(ts, alert, alert.state, 'inactive'));
          alert.state = 'inactive';
          alert.resolvedAt = ts;
        }
        if (!keepFiring) continue;
      } else alert.keepFiringSince = undefined;
      activeCount++;
      if (alert.state === 'pending' && ts - alert.activeAt >= this.spec.forMs) {
        alert.state = 'firing';
        alert.firedAt = ts;
        // A pending alert that fires in the same evaluation reads as one change, inactive → firing.
        const at = created.get(key);
        if (at !== undefined) events[at] = { ...events[at]!, to: 'firing' };
        else events.push(stateEvent(ts, alert, 'pending', 'firing'));
      }
    }
    if (limit > 0 && activeCount > limit) {
      for (const alert of this.#active.values())
        if (alert.state !== 'inactive') events.push(stateEvent(ts, alert, alert.state, 'inactive'));
      this.#active.clear();
      throw new LimitError(`exceeded limit of ${limit} with ${activeCount} alerts`, events);
    }
    const samples: SeriesSamples[] = [];
    if (this.restored) {
      for (const alert of this.#active.values()) {
        if (alert.state === 'inactive') continue;
        samples.push(sample({ ...alert.labels, __name__: 'ALERTS', alertstate: alert.state }, ts, 1));
        samples.push(sample({ ...alert.labels, __name__: 'ALERTS_FOR_STATE' }, ts, alert.activeAt / 1000));
      }
    }
    return { samples, events };
  }

  /**
   * The alerts to hand to the notification pipeline now, as Prometheus's sendAlerts: firing ones
   * when not sent for `resendDelayMs`, resolved ones once more after they resolve (and again at
   * each resend while kept). endsAt is 4 × max(resend delay, interval) ahead for firing alerts, so
   * two lost evaluations do not resolve them downstream.
   */
  alertsToSend(ts: number, resendDelayMs: number, intervalMs: number, generatorURL: string): Alert[] {
    const out: Alert[] = [];
    const validFor = 4 * Math.max(resendDelayMs, intervalMs);
    for (const alert of this.#active.values()) {
      if (alert.state === 'pending') continue;
      const resolvedSinceSent =
        alert.resolvedAt !== undefined &&
        (alert.lastSentAt === undefined || alert.resolvedAt > alert.lastSentAt);
      if (!resolvedSinceSent && alert.lastSentAt !== undefined && alert.lastSentAt + resendDelayMs >= ts)
        continue;
      alert.lastSentAt = ts;
      out.push({
        labels: { ...alert.labels, ...withoutOverrides(this.#context.externalLabels, alert.labels) },
        annotations: alert.annotations,
        startsAt: alert.firedAt ?? alert.activeAt,
        endsAt: alert.state === 'inactive' ? (alert.resolvedAt ?? ts) : ts + validFor,
        generatorURL,
      });
    }
    return out;
  }

  /** Pending and firing alerts. */
  alerts(): ActiveAlert[] {
    return [...this.#active.values()].filter((a) => a.state !== 'inactive');
  }

  /** Every kept alert, resolved ones included: what a restart restores. */
  allAlerts(): Iterable<ActiveAlert> {
    return this.#active.values();
  }

  state(): AlertState {
    let state: AlertState = 'inactive';
    for (const a of this.#active.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') state = 'pending';
    }
    return state;
  }

  #alertFor(sample: RuleSample, ts: number): ActiveAlert {
    const data = { ...this.#context, labels: sample.labels, value: sample.value };
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(sample.labels)) if (k !== '__name__') labels[k] = v;
    for (const [k, t] of Object.entries(this.spec.labels)) {
      const v = expand(() => t.render(data));
      if (v === '') delete labels[k];
      else labels[k] = v;
    }
    labels.alertname = this.spec.name;
    const annotations: Record<string, string> = {};
    for (const [k, t] of Object.entries(this.spec.annotations)) annotations[k] = expand(() => t.render(data));
    return {
      labels,
      annotations,
      state: 'pending',
      activeAt: ts,
      firedAt: undefined,
      resolvedAt: undefined,
      lastSentAt: undefined,
      keepFiringSince: undefined,
      value: sample.value,
    };
  }
}

/** A rule that produced more alerts than its group's `limit`: its alerts are dropped, the state changes still recorded. */
export class LimitError extends ServerError {
  readonly events: AlertStateEvent[];

  constructor(message: string, events: AlertStateEvent[]) {
    super('VIGIL_RULE_LIMIT', message);
    this.name = 'LimitError';
    this.events = events;
  }
}

/** A template that fails at run time shows the failure in place, as Prometheus does, rather than losing the alert. */
function expand(render: () => string): string {
  try {
    return render();
  } catch (error) {
    return `<error expanding template: ${(error as Error).message}>`;
  }
}

function stateEvent(time: number, alert: ActiveAlert, from: AlertState, to: AlertState): AlertStateEvent {
  return { kind: 'state', time, labels: alert.labels, from, to, value: formatValue(alert.value) };
}

function sample(labels: SeriesLabels, ts: number, value: number): SeriesSamples {
  return { labels, timestamps: [ts], values: [value] };
}

function withoutOverrides(external: SeriesLabels, own: SeriesLabels): SeriesLabels {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(external)) if (!(k in own)) out[k] = v;
  return out;
}
