import type { LiveDefinition } from './dashboard-definition.js';
import type { VectorSample } from './prometheus-types.js';

/**
 * Turns each live message (the latest sample of every matching series) into one number. `rate`
 * differentiates the sum between two messages, so a counter selector shows per-second throughput
 * as it happens; a counter that went down (a restart) gives no value for that round.
 */
export function liveReducer(
  reduce: LiveDefinition['reduce'],
): (samples: readonly VectorSample[]) => number | null {
  let previous: { sum: number; time: number } | undefined;
  return (samples) => {
    // The samples' own newest timestamp, not the message's: a round without new samples is no change.
    const time = samples.reduce((t, s) => Math.max(t, s.value[0]), 0);
    const values = samples.map((s) => Number(s.value[1])).filter((v) => !Number.isNaN(v));
    const sum = values.reduce((a, b) => a + b, 0);
    switch (reduce) {
      case 'count':
        return values.length;
      case 'max':
        return values.length ? Math.max(...values) : null;
      case 'min':
        return values.length ? Math.min(...values) : null;
      case 'avg':
        return values.length ? sum / values.length : null;
      case 'rate': {
        const before = previous;
        previous = { sum, time };
        if (!before || time <= before.time || sum < before.sum) return null;
        return (sum - before.sum) / (time - before.time);
      }
      default:
        return values.length ? sum : null;
    }
  };
}
