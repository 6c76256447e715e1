/** How bad an event is; the seeds' latency thresholds map to `warning` and `critical`. */
export type Severity = 'info' | 'warning' | 'critical';

/**
 * What a notifier is told, with no reference to whoever noticed it: the latency tracker, a health
 * check or application code can all produce one. `key` identifies the condition (for example
 * `latency:stt:google`): the cooldown and the resolution are per key.
 */
export interface AlertEvent {
  readonly key: string;
  readonly severity: Severity;
  readonly title: string;
  readonly text?: string;
  /** Shown as a table: `{ operation: 'stt', latency_ms: 5200, threshold_ms: 5000 }`. */
  readonly fields?: Readonly<Record<string, string | number | boolean>>;
  /** `resolved` when the condition has cleared. Default `firing`. */
  readonly status?: 'firing' | 'resolved';
  /** Shown after the text: a runbook, a dashboard, an acknowledge link. */
  readonly links?: readonly AlertLink[];
}

export interface AlertLink {
  readonly text: string;
  readonly url: string;
}

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };
