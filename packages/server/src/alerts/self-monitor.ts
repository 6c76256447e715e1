import type { Clock } from '@vigil/metrics';
import { background } from '../errors/background-tasks.js';
import type { Alert, AlertSink } from './alert.js';

/** One condition of vigil's own health, raised as a built-in alert while it holds. */
export interface SelfCheck {
  readonly alertname: string;
  readonly severity: 'critical' | 'warning' | 'none';
  readonly summary: string;
  /** Why the alert fires now (its `description`), or undefined while all is well. */
  firing(): string | undefined;
}

export interface SelfMonitorOptions {
  readonly checks: readonly SelfCheck[];
  readonly sink: AlertSink;
  readonly clock: Clock;
  /** How often the checks run and firing alerts are sent again: the rules' evaluation interval. */
  readonly intervalMs: number;
  /** vigil's address, for each alert's `generatorURL`. */
  readonly externalURL: () => string;
}

/**
 * vigil watching itself: built-in alerts (`VigilStorageUnwritable`, `VigilRuleEvaluationFailing`,
 * `VigilNotificationsFailing`, `VigilMemoryNearLimit`, `VigilDatabaseCorrupt`, and `Watchdog`, which
 * always fires) handed to the notification pipeline like a rule's, labelled `vigil_builtin="true"`
 * for routing. They are computed from the process's own state, not from stored samples: a store
 * that cannot write could not hold the samples that would say so.
 */
export class SelfMonitor {
  readonly #o: SelfMonitorOptions;
  /** Firing alerts by name, with when they started. */
  readonly #firing = new Map<string, number>();
  #stop: (() => void) | undefined;

  constructor(options: SelfMonitorOptions) {
    this.#o = options;
  }

  start(): void {
    this.#stop ??= this.#o.clock.every(this.#o.intervalMs, () =>
      background('evaluating the built-in alerts', () => this.evaluate()),
    );
    background('evaluating the built-in alerts', () => this.evaluate());
  }

  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  /** Runs every check once and sends what fires (again) and what resolved; returns what fires. */
  evaluate(): string[] {
    const now = this.#o.clock.now();
    const alerts: Alert[] = [];
    const generatorURL = `${this.#o.externalURL()}/api/health`;
    for (const check of this.#o.checks) {
      let reason: string | undefined;
      try {
        reason = check.firing();
      } catch (error) {
        reason = `the check itself failed: ${(error as Error).message}`;
      }
      const labels = { alertname: check.alertname, severity: check.severity, vigil_builtin: 'true' };
      const started = this.#firing.get(check.alertname);
      if (reason !== undefined) {
        const startsAt = started ?? now;
        this.#firing.set(check.alertname, startsAt);
        alerts.push({
          labels,
          annotations: { summary: check.summary, description: reason },
          startsAt,
          // As Prometheus: valid for 4 intervals unless sent again.
          endsAt: now + 4 * this.#o.intervalMs,
          generatorURL,
        });
      } else if (started !== undefined) {
        this.#firing.delete(check.alertname);
        alerts.push({
          labels,
          annotations: { summary: check.summary, description: 'resolved' },
          startsAt: started,
          endsAt: now,
          generatorURL,
        });
      }
    }
    if (alerts.length > 0) this.#o.sink.receive(alerts);
    return [...this.#firing.keys()];
  }
}

/**
 * A check that fires while `count()` (a counter's total) has grown within the last `windowMs`: a
 * failure keeps the alert up for that long, then it resolves by itself.
 */
export function growthWithin(
  clock: Clock,
  windowMs: number,
  count: () => number,
  describe: (grown: number) => string,
): () => string | undefined {
  let last = count();
  let grownAt = Number.NEGATIVE_INFINITY;
  let grown = 0;
  return () => {
    const value = count();
    if (value > last) {
      grown += value - last;
      grownAt = clock.now();
    }
    last = value;
    if (clock.now() - grownAt > windowMs) {
      grown = 0;
      return undefined;
    }
    return describe(grown);
  };
}
