import { after, type Clock } from '@vigil/metrics';
import { backgroundFailed } from '../../errors/background-tasks.js';
import type { SeriesLabels } from '../../store/series-store.js';
import type { StoredAlert } from './alert-store.js';
import type { Route } from './route.js';

/** Flushes a group's alerts; resolves to true when every integration delivered (or had nothing to do). */
export type FlushFn = (group: AggregationGroup, alerts: StoredAlert[]) => Promise<boolean>;

/**
 * The alerts of one route that share the values of its `group_by` labels, with Alertmanager's
 * dispatcher timing: the first flush `group_wait` after the group is created (at once if an alert
 * already started longer ago than that), then one every `group_interval`. What each flush sends, and
 * whether `repeat_interval` has passed, is the notification log's decision.
 */
export class AggregationGroup {
  readonly route: Route;
  readonly labels: SeriesLabels;
  /** Alertmanager's group key: `<route key>:<group labels>`, e.g. `{}:{alertname="HighLatency"}`. */
  readonly key: string;
  readonly #alerts = new Map<string, StoredAlert>();
  readonly #clock: Clock;
  readonly #flush: FlushFn;
  #hasFlushed = false;
  #flushing = false;
  #cancel: () => void;
  #stopped = false;

  constructor(route: Route, labels: SeriesLabels, clock: Clock, flush: FlushFn) {
    this.route = route;
    this.labels = labels;
    this.key = `${route.key}:${labelSetString(labels)}`;
    this.#clock = clock;
    this.#flush = flush;
    this.#cancel = after(clock, route.config.groupWaitMs, () => this.#tick());
  }

  insert(alert: StoredAlert): void {
    this.#alerts.set(alert.fingerprint, alert);
    if (!this.#hasFlushed && alert.startsAt + this.route.config.groupWaitMs <= this.#clock.now()) {
      this.#cancel();
      this.#cancel = after(this.#clock, 0, () => this.#tick());
    }
  }

  get size(): number {
    return this.#alerts.size;
  }

  alerts(): IterableIterator<StoredAlert> {
    return this.#alerts.values();
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel();
  }

  #tick(): void {
    if (this.#stopped) return;
    this.#hasFlushed = true;
    this.#cancel = after(this.#clock, this.route.config.groupIntervalMs, () => this.#tick());
    // A flush still delivering (a receiver retrying) holds the group, as Alertmanager's does; its
    // alerts wait for the next interval.
    if (this.#flushing) return;
    const alerts = sortAlerts([...this.#alerts.values()]);
    if (alerts.length === 0) return;
    this.#flushing = true;
    void this.#flush(this, alerts).then(
      (ok) => {
        this.#flushing = false;
        if (!ok) return;
        // Resolved alerts that were delivered leave the group, unless they changed meanwhile.
        const now = this.#clock.now();
        for (const a of alerts) {
          if (a.endsAt <= now && this.#alerts.get(a.fingerprint) === a) this.#alerts.delete(a.fingerprint);
        }
      },
      (error: unknown) => {
        // What the flush writes beside the delivery (an incident's timeline on a full disk) failed:
        // reported, and the group flushed again at its next interval. Unhandled, it ended the process
        // and left the group flushing for good.
        this.#flushing = false;
        backgroundFailed('flushing alert groups', error);
      },
    );
  }
}

/** prometheus/common `LabelSet.String()`: `{a="1", b="2"}`, sorted by name. */
export function labelSetString(labels: SeriesLabels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${parts.join(', ')}}`;
}

/** Alertmanager's `AlertSlice` order: by `job`, then `instance`, then the label sets. */
export function sortAlerts(alerts: StoredAlert[]): StoredAlert[] {
  return alerts.sort((a, b) => {
    for (const key of ['job', 'instance']) {
      const x = a.labels[key];
      const y = b.labels[key];
      if (x === undefined && y === undefined) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      if (x !== y) return x < y ? -1 : 1;
    }
    return labelsBefore(a.labels, b.labels);
  });
}

/** prometheus/common `LabelSet.Before`. */
function labelsBefore(a: SeriesLabels, b: SeriesLabels): number {
  const an = Object.keys(a).sort();
  const bn = Object.keys(b).sort();
  for (let i = 0; i < Math.min(an.length, bn.length); i++) {
    const x = an[i]!;
    const y = bn[i]!;
    if (x !== y) return x < y ? -1 : 1;
    const xv = a[x]!;
    const yv = b[y]!;
    if (xv !== yv) return xv < yv ? -1 : 1;
  }
  return an.length - bn.length;
}
