/**
 * Why a recording was dropped. Recording never throws: a bad value, a negative counter step or a
 * label set past the cardinality cap is counted here, exposed as `vigil_dropped_total{metric,reason}`
 * and warned about once per metric and reason.
 */
export type DropReason =
  | 'invalid_value'
  | 'negative_increment'
  | 'cardinality'
  | 'unknown_label'
  | 'label_count'
  | 'scope_limit';

export class Drops {
  readonly #counts = new Map<string, Map<DropReason, number>>();

  count(metric: string, reason: DropReason, n = 1): void {
    let byReason = this.#counts.get(metric);
    if (!byReason) this.#counts.set(metric, (byReason = new Map()));
    const before = byReason.get(reason) ?? 0;
    byReason.set(reason, before + n);
    const key = `${metric}\u0000${reason}`;
    if (before === 0 && !warned.has(key)) {
      warned.add(key);
      process.emitWarning(`${metric}: ${MESSAGES[reason]}; counted in vigil_dropped_total`, {
        code: 'VIGIL_DROPPED',
      });
    }
  }

  get(metric: string, reason: DropReason): number {
    return this.#counts.get(metric)?.get(reason) ?? 0;
  }

  entries(): Array<[metric: string, reason: DropReason, count: number]> {
    const out: Array<[string, DropReason, number]> = [];
    for (const [metric, byReason] of this.#counts)
      for (const [reason, n] of byReason) out.push([metric, reason, n]);
    return out;
  }
}

/** Warned once per process, not per registry: tests and multi-registry apps would repeat themselves. */
const warned = new Set<string>();

const MESSAGES: Record<DropReason, string> = {
  invalid_value: 'a NaN or infinite value was dropped',
  negative_increment: 'a negative counter increment was dropped (counters never go down)',
  cardinality: 'the series cap was reached; further label sets go to the {vigil_overflow="true"} series',
  unknown_label: 'labels named something the metric does not declare were ignored',
  label_count:
    'labels() got another number of values than the metric declares; recorded on the overflow series',
  scope_limit: 'maxScopes was reached; the new scope records nothing',
};
