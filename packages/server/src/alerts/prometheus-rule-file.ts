import { stringify } from 'yaml';
import { formatDuration } from '../query/duration.js';
import type { RuleGroupSpec } from './rule-file.js';

/**
 * Rule groups written back as a plain Prometheus rule file, vigil's short forms expanded: what
 * `vigil check rules --expand` prints, so thresholds written for vigil also run in Prometheus.
 */
export function toPrometheusRuleFile(groups: readonly RuleGroupSpec[]): string {
  return stringify({
    groups: groups.map((g) => ({
      name: g.name,
      ...(g.intervalMs !== undefined && { interval: formatDuration(g.intervalMs) }),
      ...(g.limit > 0 && { limit: g.limit }),
      rules: g.rules.map((r) =>
        r.kind === 'recording'
          ? { record: r.name, expr: r.expr, ...(Object.keys(r.labels).length > 0 && { labels: r.labels }) }
          : {
              alert: r.name,
              expr: r.expr,
              ...(r.forMs > 0 && { for: formatDuration(r.forMs) }),
              ...(r.keepFiringForMs > 0 && { keep_firing_for: formatDuration(r.keepFiringForMs) }),
              ...sources('labels', r.labels),
              ...sources('annotations', r.annotations),
            },
      ),
    })),
  });
}

function sources(key: string, templates: Readonly<Record<string, { source: string }>>) {
  const entries = Object.entries(templates);
  return entries.length === 0 ? {} : { [key]: Object.fromEntries(entries.map(([k, t]) => [k, t.source])) };
}
