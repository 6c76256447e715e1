import { VigilError } from './errors.js';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function checkMetricName(name: unknown, option = 'name'): string {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw new VigilError(
      'VIGIL_INVALID_NAME',
      `${option}: got ${JSON.stringify(name)}, expected a Prometheus metric name matching [a-zA-Z_:][a-zA-Z0-9_:]* (dotted names are for the MetricsCollector facade)`,
    );
  }
  return name;
}

export function checkLabelNames(
  names: unknown,
  reserved: readonly string[],
  option = 'labelNames',
): string[] {
  if (names === undefined) return [];
  if (!Array.isArray(names)) {
    throw new VigilError(
      'VIGIL_INVALID_LABEL_NAME',
      `${option}: got ${typeof names}, expected an array of label names`,
    );
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || !LABEL_NAME.test(name) || name.startsWith('__')) {
      throw new VigilError(
        'VIGIL_INVALID_LABEL_NAME',
        `${option}: got ${JSON.stringify(name)}, expected a label name matching [a-zA-Z_][a-zA-Z0-9_]* that does not start with __`,
      );
    }
    if (reserved.includes(name)) {
      throw new VigilError(
        'VIGIL_RESERVED_LABEL',
        `${option}: "${name}" is reserved on this metric type, choose another label name`,
      );
    }
    if (seen.has(name)) {
      throw new VigilError('VIGIL_DUPLICATE_LABEL', `${option}: "${name}" is declared twice`);
    }
    seen.add(name);
  }
  return names as string[];
}

/**
 * Maps a free-form name (`event.processing.duration`, `udp-packets`) to a legal Prometheus name:
 * every illegal character becomes `_`, and a leading digit gets a `_` in front.
 */
export function toPrometheusName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (out === '' || /^[0-9]/.test(out)) out = `_${out}`;
  return out;
}

/** The same for label names, which may not contain `:` nor start with `__`. */
export function toLabelName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (out === '' || /^[0-9]/.test(out)) out = `_${out}`;
  if (out.startsWith('__')) out = `x${out}`;
  return out;
}
