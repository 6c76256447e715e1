import { formatNumber } from '../base/escape.js';
import { columnsOf } from '../core/series-columns.js';
import type { CounterSnapshot, GaugeSnapshot } from '../core/snapshot.js';
import { LineStarts } from './line-starts.js';
import type { TextRope } from './text-rope.js';

/**
 * The sample lines of a counter or gauge family named `name`, the same in the Prometheus text
 * format and OpenMetrics, appended to `out`: from the snapshot's columns when it has them
 * (core/series-columns.ts), so that no point object is made, else from its points.
 */
export function valueSamples(metric: CounterSnapshot | GaugeSnapshot, name: string, out: TextRope): void {
  const lines = new LineStarts(name);
  const columns = columnsOf(metric);
  if (columns === undefined) {
    for (const point of metric.points) out.add(`${lines.of(point)}${formatNumber(point.value)}\n`);
    return;
  }
  const { heads, leaves, values } = columns;
  for (let i = 0; i < values.length; i++) {
    out.add(
      `${lines.ofParts(heads[i]!, leaves === undefined ? null : leaves[i]!)}${formatNumber(values[i]!)}\n`,
    );
  }
}
