import type { SeriesLabels } from '../store/series-store.js';

/**
 * One line of alert history, kept in the store with retention and served by `GET
 * /api/alerts/history` and the WebSocket: a state change of an alert, or one attempt to notify a
 * receiver. Alertmanager keeps no history; users of the peers ask for it most.
 */
export type AlertHistoryEvent = AlertStateEvent | NotificationEvent;

export interface AlertStateEvent {
  readonly kind: 'state';
  /** Unix ms. */
  readonly time: number;
  readonly labels: SeriesLabels;
  readonly from: 'inactive' | 'pending' | 'firing';
  /** `inactive` after `firing` is the resolution. */
  readonly to: 'inactive' | 'pending' | 'firing';
  /** The expression's value at the change, as Prometheus formats it. */
  readonly value: string;
}

export interface NotificationEvent {
  readonly kind: 'notification';
  readonly time: number;
  readonly receiver: string;
  /** Alertmanager's group key. */
  readonly groupKey: string;
  readonly status: 'firing' | 'resolved';
  /** Label sets of the alerts in the notification. */
  readonly alerts: readonly SeriesLabels[];
  /**
   * `success`, `retry` (a failed attempt that will be tried again), `failed` (given up: dead
   * letter) or `cancelled` (no more attempts because the news went stale: its incident was
   * acknowledged or resolved; `error` says which).
   */
  readonly result: 'success' | 'retry' | 'failed' | 'cancelled';
  readonly attempt: number;
  readonly error?: string;
}

/** Where history goes; the server wires the rule side and the notification side to one of these. */
export interface AlertHistorySink {
  record(event: AlertHistoryEvent): void;
}
