import type { Clock } from '@vigil/metrics';
import { backgroundFailed } from '../errors/background-tasks.js';
import type { QueryEngine } from '../query/query-engine.js';
import { type SeriesLabels, type SeriesSamples, type SeriesStore, staleNaN } from '../store/series-store.js';
import type { AlertSink } from './alert.js';
import type { AlertHistorySink, AlertStateEvent } from './alert-history-event.js';
import { AlertingRule, LimitError, type RuleTemplateContext } from './alerting-rule.js';
import { type RestoreOptions, restoreForState } from './for-state-restore.js';
import { labelKey } from './label-key.js';
import { RecordingRule } from './recording-rule.js';
import type { RuleGroupSpec } from './rule-file.js';

export type Rule = AlertingRule | RecordingRule;

const YIELD_EVERY_MS = 10;

export interface RuleStatus {
  health: 'ok' | 'err' | 'unknown';
  lastError: string;
  /** ms; undefined before the first evaluation. */
  lastEvaluation: number | undefined;
  evaluationSeconds: number;
}

export interface RuleGroupOptions {
  readonly spec: RuleGroupSpec;
  readonly intervalMs: number;
  readonly engine: QueryEngine;
  readonly store: SeriesStore;
  readonly clock: Clock;
  readonly sink: AlertSink;
  readonly events: AlertHistorySink;
  readonly context: RuleTemplateContext;
  readonly resendDelayMs: number;
  /** Undefined: nothing to restore (a reload, or restoring turned off). */
  readonly restore: RestoreOptions | undefined;
  /** Called after each evaluation of a rule that failed, and when an evaluation is skipped. */
  readonly onFailure?: (group: string, what: 'evaluation' | 'missed') => void;
  /** Called after each evaluation with when it was for (ms) and how long it took (s). */
  readonly onEvaluated?: (group: string, ts: number, seconds: number) => void;
}

/**
 * A group's rules, evaluated in order at the group's interval on its own timer, so one slow or
 * failing group never holds back another; an evaluation still running when the next is due is
 * skipped and counted, as Prometheus counts missed iterations.
 */
export class RuleGroup {
  readonly spec: RuleGroupSpec;
  readonly intervalMs: number;
  readonly rules: readonly Rule[];
  readonly status: Map<Rule, RuleStatus>;
  lastEvaluation: number | undefined;
  evaluationSeconds = 0;
  readonly #o: RuleGroupOptions;
  /** Series each rule wrote last time, so the ones that vanish get a staleness marker. */
  #written = new Map<Rule, Map<string, SeriesLabels>>();
  #running: Promise<void> | undefined;
  #stop: (() => void) | undefined;
  #restorePending: boolean;

  constructor(options: RuleGroupOptions) {
    this.#o = options;
    this.spec = options.spec;
    this.intervalMs = options.intervalMs;
    this.rules = options.spec.rules.map((r) =>
      r.kind === 'alerting' ? new AlertingRule(r, options.context) : new RecordingRule(r),
    );
    this.status = new Map(
      this.rules.map((r) => [
        r,
        { health: 'unknown', lastError: '', lastEvaluation: undefined, evaluationSeconds: 0 },
      ]),
    );
    this.#restorePending = options.restore !== undefined;
    if (!options.restore) for (const r of this.rules) if (r instanceof AlertingRule) r.restored = true;
  }

  /** Takes over the state of the group this one replaces on reload: alerts of rules with the same name and expression. */
  adopt(previous: RuleGroup): void {
    const old = new Map(previous.rules.map((r) => [`${r.kind}\u0000${r.name}\u0000${r.spec.expr}`, r]));
    for (const rule of this.rules) {
      const before = old.get(`${rule.kind}\u0000${rule.name}\u0000${rule.spec.expr}`);
      if (!before) continue;
      if (rule instanceof AlertingRule && before instanceof AlertingRule) rule.adopt(before);
      const status = previous.status.get(before);
      if (status) this.status.set(rule, { ...status });
      const written = previous.#written.get(before);
      if (written) this.#written.set(rule, written);
    }
    this.lastEvaluation = previous.lastEvaluation;
    this.evaluationSeconds = previous.evaluationSeconds;
    this.#restorePending = false;
    for (const r of this.rules) if (r instanceof AlertingRule) r.restored = true;
  }

  start(): void {
    this.#stop ??= this.#o.clock.every(this.intervalMs, () => {
      if (this.#running) {
        this.#o.onFailure?.(this.spec.name, 'missed');
        return;
      }
      this.#running = this.evaluate(this.#o.clock.now())
        .catch((error: unknown) => backgroundFailed(`evaluating rule group "${this.spec.name}"`, error))
        .finally(() => {
          this.#running = undefined;
        });
    });
  }

  /** Resolves when no evaluation is under way. */
  async settled(): Promise<void> {
    await this.#running;
  }

  /** Stops the timer and waits for an evaluation under way. */
  async stop(): Promise<void> {
    this.#stop?.();
    this.#stop = undefined;
    await this.#running;
  }

  /** One evaluation of every rule at `ts`; never throws: failures land in each rule's health. */
  async evaluate(ts: number): Promise<void> {
    const o = this.#o;
    const started = performance.now();
    const generator = (expr: string) =>
      `${o.context.externalURL}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`;
    let lastYield = started;
    for (const rule of this.rules) {
      // Queries over the embedded store run synchronously: give the event loop a turn every few
      // milliseconds so HTTP requests, ingest and the store's flush timer are not held for a whole cycle.
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      const status = this.status.get(rule)!;
      const ruleStarted = performance.now();
      let samples: SeriesSamples[] = [];
      try {
        const out = await rule.eval(o.engine, ts, this.spec.limit);
        samples = out.samples;
        this.#record(out.events);
        status.health = 'ok';
        status.lastError = '';
      } catch (error) {
        if (error instanceof LimitError) this.#record(error.events);
        status.health = 'err';
        status.lastError = (error as Error).message;
        o.onFailure?.(this.spec.name, 'evaluation');
      }
      status.lastEvaluation = ts;
      status.evaluationSeconds = (performance.now() - ruleStarted) / 1000;
      await this.#write(rule, samples, ts, status);
      if (rule instanceof AlertingRule) {
        const alerts = rule.alertsToSend(ts, o.resendDelayMs, this.intervalMs, generator(rule.spec.expr));
        if (alerts.length > 0) {
          try {
            o.sink.receive(alerts);
          } catch (error) {
            console.error(`vigil: rule group "${this.spec.name}": the alert pipeline failed:`, error);
          }
        }
      }
    }
    if (this.#restorePending && o.restore) {
      this.#restorePending = false;
      for (const rule of this.rules) {
        if (!(rule instanceof AlertingRule)) continue;
        try {
          await restoreForState(rule, o.store, ts, o.restore);
        } catch (error) {
          rule.restored = true;
          console.error(`vigil: rule "${rule.name}": cannot restore alert state:`, error);
        }
      }
    }
    this.lastEvaluation = ts;
    this.evaluationSeconds = (performance.now() - started) / 1000;
    o.onEvaluated?.(this.spec.name, ts, this.evaluationSeconds);
  }

  #record(events: readonly AlertStateEvent[]): void {
    for (const event of events) {
      try {
        this.#o.events.record(event);
      } catch (error) {
        console.error('vigil: cannot record an alert state change:', error);
      }
    }
  }

  /** Appends a rule's samples and staleness markers for the series it no longer produces. */
  async #write(rule: Rule, samples: SeriesSamples[], ts: number, status: RuleStatus): Promise<void> {
    const previous = this.#written.get(rule);
    if (samples.length === 0 && (!previous || previous.size === 0)) return;
    const now = new Map<string, SeriesLabels>();
    for (const s of samples) now.set(labelKey(s.labels), s.labels);
    const batch = [...samples];
    if (previous)
      for (const [key, labels] of previous)
        if (!now.has(key)) batch.push({ labels, timestamps: [ts], values: Float64Array.of(staleNaN()) });
    this.#written.set(rule, now);
    try {
      await this.#o.store.append(batch);
    } catch (error) {
      status.health = 'err';
      status.lastError = `cannot store the rule's samples: ${(error as Error).message}`;
    }
  }
}
