import type { Counter } from '../core/counter.js';
import type { Registry } from '../core/registry.js';
import type { FailureReason } from './export-result.js';

/**
 * A reporter's self-metrics, kept in a registry like any other metric so that the reporter pushes
 * its own failures along with everything else:
 *
 * - `vigil_push_failures_total{reporter,reason}`: attempts that did not succeed, retried or not.
 * - `vigil_push_dropped_total{reporter,reason}`: items given up on (pushes, lines, notifications).
 *
 * The first drop of each reason is also warned about once (`process.emitWarning`, code
 * `VIGIL_DROPPED`, as the registry does for recordings); later ones are only counted.
 */
export class PushStats {
  readonly reporter: string;
  readonly #failures: Counter;
  readonly #dropped: Counter;
  readonly #warned = new Set<FailureReason>();

  constructor(registry: Registry, reporter: string) {
    this.reporter = reporter;
    this.#failures = registry.counter({
      name: 'vigil_push_failures_total',
      help: 'Export attempts that did not succeed, by reporter and reason (retried ones included).',
      labelNames: ['reporter', 'reason'],
    });
    this.#dropped = registry.counter({
      name: 'vigil_push_dropped_total',
      help: 'Items a reporter gave up on (pushes, lines, notifications), by reporter and reason.',
      labelNames: ['reporter', 'reason'],
    });
  }

  failed(reason: FailureReason): void {
    this.#failures.inc({ reporter: this.reporter, reason });
  }

  dropped(reason: FailureReason, items: number, message: string): void {
    this.#dropped.inc({ reporter: this.reporter, reason }, items);
    if (this.#warned.has(reason)) return;
    this.#warned.add(reason);
    process.emitWarning(
      `vigil ${this.reporter} reporter dropped ${items} item(s) (${reason}): ${message}; further drops are only counted in vigil_push_dropped_total`,
      { code: 'VIGIL_DROPPED' },
    );
  }
}
