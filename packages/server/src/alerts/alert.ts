import type { SeriesLabels } from '../store/series-store.js';

/**
 * What rule evaluation hands to the notification pipeline: the shape Prometheus posts to
 * Alertmanager's `POST /api/v2/alerts` (postableAlert), with times in Unix milliseconds. Keeping the
 * two halves apart by this one shape is what lets either half talk to the real peer instead: vigil's
 * rules to a real Alertmanager, or Prometheus's rules to vigil's pipeline.
 */
export interface Alert {
  /** Identity of the alert; always holds `alertname`. */
  readonly labels: SeriesLabels;
  readonly annotations: SeriesLabels;
  readonly startsAt: number;
  /**
   * While firing, a time in the future after which the pipeline may consider the alert resolved if
   * it hears nothing more (Prometheus sends `now + 4 × max(resend delay, group interval)`); once
   * resolved, the time it resolved (at or before now).
   */
  readonly endsAt: number;
  /** Link back to the rule's expression, as Prometheus writes it. */
  readonly generatorURL: string;
}

/** Receives alerts as rule evaluation produces them: firing ones again at each resend, resolved ones once. */
export interface AlertSink {
  receive(alerts: readonly Alert[]): void;
}

/** Tells which silences mute a label set; the rule side uses it to mark alerts silenced in the API. */
export interface Silencer {
  /** Ids of the active silences whose matchers all match `labels`; empty when none does. */
  silencedBy(labels: SeriesLabels): readonly string[];
}
