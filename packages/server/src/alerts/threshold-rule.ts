import { parseRuleDuration } from './rule-duration.js';
import type { AlertingRuleText } from './rule-file.js';

export const THRESHOLD_KEYS = [
  'name',
  'metric',
  'op',
  'warning',
  'critical',
  'for',
  'keep_firing_for',
  'labels',
  'annotations',
];
const OPS = new Set(['>', '<', '>=', '<=']);
const LEVELS = ['warning', 'critical'] as const;

/**
 * The seeds' short form for a threshold (`metric > warning`, `metric > critical`), expanded to one
 * Prometheus alerting rule per level, each with `severity` set to the level:
 *
 *     - name: HighLatency            - alert: HighLatency
 *       metric: avg(x)                 expr: (avg(x)) > 10
 *       op: '>'              →         labels: {severity: warning}
 *       warning: 10                  - alert: HighLatency
 *       critical: 50                   expr: (avg(x)) > 50
 *                                      labels: {severity: critical}
 *
 * Both share the alert name, so while both fire an inhibition rule on `severity` (critical mutes
 * warning, equal on alertname) sends only the critical one. `reason` is called for each problem;
 * the rules returned are only those that could be built.
 */
export function expandThreshold(
  t: Record<string, unknown>,
  reason: (message: string) => void,
): AlertingRuleText[] {
  const name = t.name;
  const metric = t.metric;
  const op = t.op;
  let ok = true;
  const fail = (message: string) => {
    reason(message);
    ok = false;
  };
  if (typeof name !== 'string' || name === '') fail('threshold: "name" must be a non-empty string');
  if (typeof metric !== 'string' || metric.trim() === '')
    fail('threshold: "metric" must be a PromQL expression');
  if (typeof op !== 'string' || !OPS.has(op))
    fail(`threshold: op: got ${JSON.stringify(op)}, expected one of ">", "<", ">=", "<="`);
  const levels = LEVELS.filter((level) => t[level] !== undefined);
  if (levels.length === 0) fail('threshold: set "warning", "critical" or both');
  for (const level of levels) {
    if (typeof t[level] !== 'number' || !Number.isFinite(t[level]))
      fail(`threshold: ${level}: got ${JSON.stringify(t[level])}, expected a number`);
  }
  const durations: Record<string, number> = { for: 0, keep_firing_for: 0 };
  for (const key of ['for', 'keep_firing_for']) {
    const value = t[key];
    if (value === undefined) continue;
    const ms = parseRuleDuration(String(value));
    if (ms === undefined)
      fail(`threshold: ${key}: got ${JSON.stringify(value)}, expected a duration such as 1m`);
    else durations[key] = ms;
  }
  const labels = strings(t.labels, 'labels', fail);
  const annotations = strings(t.annotations, 'annotations', fail);
  if ('severity' in labels) fail('threshold: labels: "severity" is set by the level (warning or critical)');
  if (!ok) return [];
  return levels.map((level) => ({
    name: name as string,
    expr: `(${(metric as string).trim()}) ${op} ${t[level]}`,
    forMs: durations.for!,
    keepFiringForMs: durations.keep_firing_for!,
    labels: { ...labels, severity: level },
    annotations: {
      summary: `${name} {{ $value | humanize }} ${op} ${t[level]} (${level})`,
      ...annotations,
    },
  }));
}

function strings(value: unknown, key: string, fail: (message: string) => void): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    fail(`threshold: ${key}: expected a mapping of names to strings`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'object' && v !== null) fail(`threshold: ${key}.${k}: expected a string`);
    else out[k] = String(v);
  }
  return out;
}
