import type { QueryEngine } from '../query/query-engine.js';
import type { SeriesLabels } from '../store/series-store.js';

export interface RuleSample {
  readonly labels: SeriesLabels;
  readonly value: number;
}

/**
 * A rule's expression at one instant, as a vector: a scalar result becomes one sample without
 * labels, as Prometheus's rule engine does; a range vector or string is an error.
 */
export async function queryVector(engine: QueryEngine, expr: string, ts: number): Promise<RuleSample[]> {
  const data = await engine.instantQuery(expr, ts);
  switch (data.resultType) {
    case 'vector':
      return data.result.map((s) => ({ labels: s.metric, value: s.value }));
    case 'scalar':
      return [{ labels: {}, value: data.value }];
    default:
      throw new Error(`rule result is not a vector or scalar: got a ${data.resultType}`);
  }
}
