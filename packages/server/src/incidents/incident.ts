import type { SeriesLabels } from '../store/series-store.js';

export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

export interface IncidentAlert {
  readonly fingerprint: string;
  readonly labels: SeriesLabels;
  readonly annotations: SeriesLabels;
  status: 'firing' | 'resolved';
  startsAt: number;
  endsAt: number;
}

export type TimelineKind =
  | 'opened'
  | 'alert_firing'
  | 'alert_resolved'
  | 'notified'
  | 'notification_failed'
  | 'acknowledged'
  | 'escalated'
  /** An escalation delivery given up undelivered because the incident was acknowledged or resolved. */
  | 'escalation_stopped'
  | 'silenced'
  | 'silence_expired'
  | 'reopened'
  | 'resolved'
  | 'note';

export interface TimelineEntry {
  readonly at: number;
  readonly kind: TimelineKind;
  readonly text: string;
  readonly by?: string;
}

/** Where an incident's escalation stands: the next step of the policy, in which round, counted from `since`. */
export interface EscalationState {
  readonly policy: string;
  since: number;
  nextStep: number;
  round: number;
}

/** An incident: a notification group that fired at or above the configured severity, until it resolves. */
export interface Incident {
  readonly id: string;
  readonly groupKey: string;
  readonly groupLabels: SeriesLabels;
  readonly receiver: string;
  title: string;
  severity: string;
  status: IncidentStatus;
  readonly openedAt: number;
  acknowledgedAt: number | undefined;
  acknowledgedBy: string | undefined;
  resolvedAt: number | undefined;
  resolvedBy: string | undefined;
  alerts: IncidentAlert[];
  escalation: EscalationState | undefined;
  timeline: TimelineEntry[];
  /** Whether the post-mortem still has to be posted to the configured receivers (kept across a crash). */
  postmortem?: 'pending' | 'sent';
}

const RANK: Readonly<Record<string, number>> = { info: 1, warning: 2, error: 3, critical: 4, page: 4 };

/** Rank of a `severity` label value; unknown values rank 0 and never open an incident. */
export function severityRank(severity: string | undefined): number {
  return RANK[severity ?? ''] ?? 0;
}
