import type { SeriesLabels } from '../../store/series-store.js';
import type { DeliveryResult } from './delivery.js';
import type { NotifiedAlert } from './notification.js';
import type { Silence, SilenceChange } from './silences.js';

/** A group at one flush: every alert in it, firing or resolved, silenced ones left out. */
export interface FlushedGroup {
  readonly key: string;
  readonly labels: SeriesLabels;
  readonly receiver: string;
  readonly alerts: readonly NotifiedAlert[];
}

/** Where a notification's reader can look at and acknowledge the incident it belongs to. */
export interface IncidentLink {
  readonly id: string;
  readonly url: string;
  /** A signed, expiring link whose page acknowledges the incident. */
  readonly ackURL: string;
}

/**
 * Told of every group flush, delivery outcome and silence change (the incidents layer, which builds
 * incidents and their timelines from them). `flushing` runs before the group's notifications go out
 * and may link them to an incident.
 */
export interface GroupObserver {
  flushing(group: FlushedGroup, now: number): IncidentLink | undefined;
  delivered(
    groupKey: string,
    receiver: string,
    integration: string,
    result: DeliveryResult,
    now: number,
  ): void;
  silenceChanged(silence: Silence, change: SilenceChange, now: number): void;
}
