import { type Clock, type Registry, systemClock } from '@vigil/metrics';
import type { QueryEngine } from '../query/query-engine.js';
import type { SeriesLabels, SeriesStore } from '../store/series-store.js';
import type { AlertSink, Silencer } from './alert.js';
import type { AlertHistorySink } from './alert-history-event.js';
import { type ActiveAlert, AlertingRule } from './alerting-rule.js';
import type { RestoreOptions } from './for-state-restore.js';
import type { ExprCheck, RuleGroupSpec } from './rule-file.js';
import { expandRuleFiles, loadRuleFiles } from './rule-files.js';
import { RuleGroup } from './rule-group.js';

export interface RuleManagerOptions {
  /** `rule_files` patterns. */
  readonly files: readonly string[];
  /** Where relative patterns start: the configuration file's directory. */
  readonly baseDir: string;
  readonly engine: QueryEngine;
  readonly store: SeriesStore;
  /** Parse check for expressions (the query layer's parser). */
  readonly checkExpr: ExprCheck;
  readonly sink: AlertSink;
  readonly events: AlertHistorySink;
  readonly silencer?: Silencer;
  readonly clock?: Clock;
  readonly registry?: Registry;
  /** Interval of groups that set none. Default 60000 (Prometheus's evaluation_interval). */
  readonly evaluationIntervalMs?: number;
  /** Default 60000, Prometheus's `rules.alert.resend-delay`. */
  readonly resendDelayMs?: number;
  /** Default 1h and 10m, as Prometheus. */
  readonly restore?: RestoreOptions;
  readonly externalLabels?: SeriesLabels;
  /** Groups derived from elsewhere (SLOs), read again on every load; may throw a RuleFileError as files do. */
  readonly generated?: () => readonly RuleGroupSpec[];
  /** Base of the alerts' generatorURL and `$externalURL`; a function when known only once the server listens. */
  readonly externalURL?: string | (() => string);
}

export interface AlertView extends ActiveAlert {
  readonly silencedBy: readonly string[];
}

/**
 * Owns the loaded rule groups: loads them from the rule files, runs each on its own timer, and
 * replaces them on reload. A reload that finds any problem in any file keeps the running groups
 * untouched and throws the RuleFileError; one that succeeds carries the alerts of unchanged rules over.
 */
export class RuleManager {
  readonly #o: RuleManagerOptions;
  readonly #clock: Clock;
  #groups: RuleGroup[] = [];
  #started = false;
  #firstLoad = true;
  readonly #reloadOk;
  readonly #reloadTime;
  readonly #failures;
  readonly #missed;
  readonly #lastDuration;
  readonly #lastEvaluation;

  constructor(options: RuleManagerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    const registry = options.registry;
    this.#reloadOk = registry?.gauge({
      name: 'vigil_rules_last_reload_successful',
      help: 'Whether the last load of the rule files succeeded (1) or was rejected (0).',
    });
    this.#reloadTime = registry?.gauge({
      name: 'vigil_rules_last_reload_success_timestamp_seconds',
      help: 'When the rule files last loaded successfully.',
    });
    this.#failures = registry?.counter({
      name: 'vigil_rule_evaluation_failures_total',
      help: 'Rule evaluations that failed, by rule group.',
      labelNames: ['rule_group'],
    });
    this.#missed = registry?.counter({
      name: 'vigil_rule_group_iterations_missed_total',
      help: 'Group evaluations skipped because the previous one was still running.',
      labelNames: ['rule_group'],
    });
    // Prometheus's prometheus_rule_group_last_duration_seconds and _last_evaluation_timestamp_seconds.
    this.#lastDuration = registry?.gauge({
      name: 'vigil_rule_group_last_duration_seconds',
      help: 'How long the last evaluation of each rule group took.',
      labelNames: ['rule_group'],
    });
    this.#lastEvaluation = registry?.gauge({
      name: 'vigil_rule_group_last_evaluation_timestamp_seconds',
      help: 'The time of the last evaluation of each rule group.',
      labelNames: ['rule_group'],
    });
  }

  /**
   * Loads (or reloads) the rule files. Throws a RuleFileError naming every problem, and then
   * nothing changes: the groups already running go on.
   */
  async load(): Promise<{ groups: number; rules: number }> {
    const o = this.#o;
    let specs: ReturnType<typeof loadRuleFiles>;
    try {
      specs = [
        ...loadRuleFiles(expandRuleFiles(o.files, o.baseDir), o.checkExpr),
        ...(o.generated?.() ?? []),
      ];
    } catch (error) {
      this.#reloadOk?.set(0);
      throw error;
    }
    const previous = new Map(this.#groups.map((g) => [`${g.spec.file}\u0000${g.spec.name}`, g]));
    const restore = this.#firstLoad
      ? (o.restore ?? { outageToleranceMs: 3_600_000, forGracePeriodMs: 600_000 })
      : undefined;
    const groups = specs.map((spec) => {
      const group = new RuleGroup({
        spec,
        intervalMs: spec.intervalMs ?? o.evaluationIntervalMs ?? 60_000,
        engine: o.engine,
        store: o.store,
        clock: this.#clock,
        sink: o.sink,
        events: o.events,
        context: {
          externalLabels: o.externalLabels ?? {},
          get externalURL() {
            return typeof o.externalURL === 'function' ? o.externalURL() : (o.externalURL ?? '');
          },
        },
        resendDelayMs: o.resendDelayMs ?? 60_000,
        restore,
        onFailure: (name, what) =>
          (what === 'missed' ? this.#missed : this.#failures)?.inc({ rule_group: name }),
        onEvaluated: (name, ts, seconds) => {
          this.#lastDuration?.set({ rule_group: name }, seconds);
          this.#lastEvaluation?.set({ rule_group: name }, ts / 1000);
        },
      });
      const before = previous.get(`${spec.file}\u0000${spec.name}`);
      if (before) group.adopt(before);
      return group;
    });
    const old = this.#groups;
    this.#groups = groups;
    this.#firstLoad = false;
    await Promise.all(old.map((g) => g.stop()));
    const kept = new Set(groups.map((g) => g.spec.name));
    for (const gone of old)
      if (!kept.has(gone.spec.name)) {
        this.#lastDuration?.remove(gone.spec.name);
        this.#lastEvaluation?.remove(gone.spec.name);
      }
    if (this.#started) for (const g of groups) g.start();
    this.#reloadOk?.set(1);
    this.#reloadTime?.set(this.#clock.now() / 1000);
    return { groups: groups.length, rules: groups.reduce((n, g) => n + g.rules.length, 0) };
  }

  start(): void {
    this.#started = true;
    for (const g of this.#groups) g.start();
  }

  async stop(): Promise<void> {
    this.#started = false;
    await Promise.all(this.#groups.map((g) => g.stop()));
  }

  /** Resolves when no group is evaluating. */
  async settled(): Promise<void> {
    await Promise.all(this.#groups.map((g) => g.settled()));
  }

  groups(): readonly RuleGroup[] {
    return this.#groups;
  }

  /** Pending and firing alerts of every rule, with the silences that mute each. */
  alerts(): AlertView[] {
    const out: AlertView[] = [];
    for (const group of this.#groups)
      for (const rule of group.rules)
        if (rule instanceof AlertingRule)
          for (const alert of rule.alerts())
            out.push({ ...alert, silencedBy: this.silencedBy(alert.labels) });
    return out;
  }

  silencedBy(labels: SeriesLabels): readonly string[] {
    return this.#o.silencer?.silencedBy(labels) ?? [];
  }
}
