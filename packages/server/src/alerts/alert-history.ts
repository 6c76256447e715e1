import type { EventLog } from '../store/event-log.js';
import type { AlertHistoryEvent, AlertHistorySink } from './alert-history-event.js';

export interface HistoryQuery {
  /** ms, inclusive. */
  readonly since?: number;
  /** ms, inclusive. */
  readonly until?: number;
  readonly alertname?: string;
  /** Default 100, at most 10000. */
  readonly limit?: number;
}

/**
 * Alert history: every state change of every alert and every notification attempt, kept for the
 * retention period and read newest first, each filed under its alert names. Alertmanager keeps
 * none, and "what fired last night" is the question users of the peers ask most. The events live in
 * an EventLog the composition root opens (`alerts.db` in the data directory).
 */
export class AlertHistory implements AlertHistorySink {
  readonly #log: EventLog<AlertHistoryEvent>;

  constructor(log: EventLog<AlertHistoryEvent>) {
    this.#log = log;
  }

  record(event: AlertHistoryEvent): void {
    const names =
      event.kind === 'state'
        ? [event.labels.alertname ?? '']
        : [...new Set(event.alerts.map((a) => a.alertname ?? ''))];
    this.#log.append(event.time, event.kind, names, event);
  }

  /** Newest first. */
  query(q: HistoryQuery = {}): AlertHistoryEvent[] {
    const { alertname, ...rest } = q;
    return this.#log.query(alertname === undefined ? rest : { ...rest, name: alertname });
  }

  prune(): number {
    return this.#log.prune();
  }

  close(): void {
    this.#log.close();
  }
}
