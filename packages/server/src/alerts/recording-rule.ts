import type { QueryEngine } from '../query/query-engine.js';
import type { SeriesSamples } from '../store/series-store.js';
import type { EvalOutput } from './alerting-rule.js';
import { labelKey } from './label-key.js';
import { queryVector } from './query-vector.js';
import type { RecordingRuleSpec } from './rule-file.js';

/** A recording rule: the expression's result stored under a new metric name, with the rule's labels. */
export class RecordingRule {
  readonly kind = 'recording';
  readonly spec: RecordingRuleSpec;

  constructor(spec: RecordingRuleSpec) {
    this.spec = spec;
  }

  get name(): string {
    return this.spec.name;
  }

  async eval(engine: QueryEngine, ts: number, limit: number): Promise<EvalOutput> {
    const vector = await queryVector(engine, this.spec.expr, ts);
    if (limit > 0 && vector.length > limit)
      throw new Error(`exceeded limit of ${limit} with ${vector.length} series`);
    const samples: SeriesSamples[] = [];
    const seen = new Set<string>();
    for (const s of vector) {
      const labels: Record<string, string> = { ...s.labels, __name__: this.spec.name };
      for (const [k, v] of Object.entries(this.spec.labels)) {
        if (v === '') delete labels[k];
        else labels[k] = v;
      }
      const key = labelKey(labels);
      if (seen.has(key))
        throw new Error('vector contains metrics with the same labelset after applying rule labels');
      seen.add(key);
      samples.push({ labels, timestamps: [ts], values: [s.value] });
    }
    return { samples, events: [] };
  }
}
