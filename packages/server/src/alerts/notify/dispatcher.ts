import type { Clock } from '@vigil/metrics';
import { AggregationGroup, type FlushFn } from './aggregation-group.js';
import type { StoredAlert } from './alert-store.js';
import { fingerprint } from './fingerprint.js';
import { matchRoutes, type Route } from './route.js';

/**
 * Alertmanager's dispatcher: each alert goes down the routing tree, and into one aggregation group
 * per matching route, keyed by the values of that route's `group_by` labels. Groups left empty
 * once their resolved alerts were delivered are dropped at the next maintenance pass.
 */
export class Dispatcher {
  readonly #root: Route;
  readonly #clock: Clock;
  readonly #flush: FlushFn;
  readonly #groups = new Map<Route, Map<string, AggregationGroup>>();

  constructor(root: Route, clock: Clock, flush: FlushFn) {
    this.#root = root;
    this.#clock = clock;
    this.#flush = flush;
  }

  process(alert: StoredAlert): void {
    for (const route of matchRoutes(this.#root, alert.labels)) {
      const groupBy = route.config.groupBy;
      const labels: Record<string, string> = {};
      if (groupBy === 'all') Object.assign(labels, alert.labels);
      else
        for (const name of groupBy) if (alert.labels[name] !== undefined) labels[name] = alert.labels[name]!;
      let byKey = this.#groups.get(route);
      if (!byKey) this.#groups.set(route, (byKey = new Map()));
      const id = fingerprint(labels);
      let group = byKey.get(id);
      if (!group) byKey.set(id, (group = new AggregationGroup(route, labels, this.#clock, this.#flush)));
      group.insert(alert);
    }
  }

  *groups(): IterableIterator<AggregationGroup> {
    for (const byKey of this.#groups.values()) yield* byKey.values();
  }

  /** Drops empty groups (Alertmanager's `doMaintenance`). */
  maintain(): void {
    for (const byKey of this.#groups.values()) {
      for (const [id, group] of byKey) {
        if (group.size === 0) {
          group.stop();
          byKey.delete(id);
        }
      }
    }
  }

  stop(): void {
    for (const group of this.groups()) group.stop();
    this.#groups.clear();
  }
}
