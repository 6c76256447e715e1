/**
 * How one gauge's series from several workers become one: `sum` (prom-client's default: queue
 * lengths, open connections, memory), `min`, `max`, `last` (the value of the worker that joined
 * last: after a rolling restart, the newest code's), or `worker`, which merges nothing and labels
 * each worker's series `worker="<id>"`. A point's `min`, `max` and `mean` statistics are folded by
 * the same rule as its value.
 */
export type GaugeAggregation = 'sum' | 'min' | 'max' | 'last' | 'worker';

export const GAUGE_AGGREGATIONS: readonly GaugeAggregation[] = ['sum', 'min', 'max', 'last', 'worker'];

/** Folds `next` into `acc`; `worker` series never share a slot, so summing them adds to nothing. */
export function foldGauge(rule: GaugeAggregation, acc: number, next: number): number {
  switch (rule) {
    case 'min':
      return next < acc ? next : acc;
    case 'max':
      return next > acc ? next : acc;
    case 'last':
      return next;
    default:
      return acc + next;
  }
}
