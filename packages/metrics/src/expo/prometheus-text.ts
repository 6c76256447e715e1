import { escapeHelp } from '../base/escape.js';
import type { MetricSnapshot, RegistrySnapshot } from '../core/snapshot.js';
import { histogramSamples } from './histogram-samples.js';
import { TextRope } from './text-rope.js';
import { valueSamples } from './value-samples.js';

/**
 * The Prometheus text format 0.0.4. A family without points keeps its HELP and TYPE lines, so it
 * is discoverable before its first observation (promtool accepts that: test/interop/promtool.test.ts).
 * HELP is omitted when empty: an empty HELP line means the same and only adds a line.
 *
 * Appended to a `TextRope`, with each series' label block in the two parts the registry gives
 * (`blockParts`), and no regular expression per sample.
 */
export function toPrometheusText(snapshot: RegistrySnapshot): string {
  const out = new TextRope();
  for (const metric of snapshot.metrics) {
    out.add(header(metric));
    if (metric.type === 'histogram') {
      histogramSamples(metric, false, out);
      continue;
    }
    valueSamples(metric, metric.name, out);
  }
  return out.text();
}

function header(metric: MetricSnapshot): string {
  const help = metric.help === '' ? '' : `# HELP ${metric.name} ${escapeHelp(metric.help, false)}\n`;
  return `${help}# TYPE ${metric.name} ${metric.type}\n`;
}
