import { type Clock, systemClock } from '@vigil/metrics';
import type { Alert, AlertSink } from './alert.js';
import { labelKey } from './label-key.js';

/**
 * An AlertSink that writes each alert as one log line when it starts firing and when it resolves:
 * what `vigil serve` uses when no notification pipeline is wired, so alerts are visible even with
 * no receiver. Resends of an alert already logged are not logged again.
 */
export class LogAlertSink implements AlertSink {
  readonly #log: (line: string) => void;
  readonly #clock: Clock;
  readonly #firing = new Set<string>();

  constructor(options: { log?: (line: string) => void; clock?: Clock } = {}) {
    this.#log = options.log ?? ((line) => console.log(line));
    this.#clock = options.clock ?? systemClock;
  }

  receive(alerts: readonly Alert[]): void {
    const now = this.#clock.now();
    for (const alert of alerts) {
      const key = labelKey(alert.labels);
      // Resolved alerts carry the time they resolved as endsAt; firing ones a time ahead.
      const resolved = alert.endsAt <= now;
      if (resolved ? !this.#firing.delete(key) : this.#firing.has(key)) continue;
      if (!resolved) this.#firing.add(key);
      const labels = Object.entries(alert.labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(', ');
      const summary = alert.annotations.summary ?? alert.annotations.description;
      this.#log(
        `vigil: alert ${resolved ? 'RESOLVED' : 'FIRING'} {${labels}}${summary ? ` ${summary}` : ''}`,
      );
    }
  }
}
