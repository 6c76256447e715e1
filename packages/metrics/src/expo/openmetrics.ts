import { escapeHelp } from '../base/escape.js';
import type { MetricSnapshot, RegistrySnapshot } from '../core/snapshot.js';
import { histogramSamples } from './histogram-samples.js';
import { TextRope } from './text-rope.js';
import { valueSamples } from './value-samples.js';

/**
 * OpenMetrics 1.0 text. Differences from the Prometheus text format, all from the spec
 * (prometheus.io/docs/specs/om/open_metrics_spec): a counter family is named without `_total` and
 * its samples with it; metadata comes in the order TYPE, UNIT, HELP; HELP escapes `"` too; `le`
 * values use the canonical number form (`1.0`, not `1`); the body ends with `# EOF`.
 *
 * A UNIT line is written only when the family name ends in `_<unit>`, which the spec requires of
 * any unit it states; a family named otherwise is exposed without one rather than invalidly.
 */
export function toOpenMetrics(snapshot: RegistrySnapshot): string {
  const out = new TextRope();
  for (const metric of snapshot.metrics) {
    const family = metric.type === 'counter' ? counterFamily(metric.name) : metric.name;
    out.add(header(metric, family));
    if (metric.type === 'histogram') {
      histogramSamples(metric, true, out);
      continue;
    }
    valueSamples(metric, metric.type === 'counter' ? `${family}_total` : family, out);
  }
  return `${out.text()}# EOF\n`;
}

function counterFamily(name: string): string {
  return name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
}

function header(metric: MetricSnapshot, family: string): string {
  let out = `# TYPE ${family} ${metric.type}\n`;
  if (metric.unit !== '' && family.endsWith(`_${metric.unit}`)) out += `# UNIT ${family} ${metric.unit}\n`;
  if (metric.help !== '') out += `# HELP ${family} ${escapeHelp(metric.help, true)}\n`;
  return out;
}
