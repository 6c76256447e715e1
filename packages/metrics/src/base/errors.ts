/**
 * The catalogue of configuration errors. Recording never throws (see drops.ts); only mistakes made
 * when a metric is declared or an option is passed do, at once, with a stable code that docs/errors.md
 * lists and a test keeps in step with this table.
 */
export const ERROR_CODES = {
  VIGIL_INVALID_NAME: 'a metric name does not match [a-zA-Z_:][a-zA-Z0-9_:]*',
  VIGIL_INVALID_LABEL_NAME: 'a label name does not match [a-zA-Z_][a-zA-Z0-9_]* or starts with __',
  VIGIL_RESERVED_LABEL: 'a label name is reserved for the metric type (le on histograms, quantile)',
  VIGIL_DUPLICATE_LABEL: 'a label name is declared twice',
  VIGIL_DUPLICATE_METRIC: 'a metric is registered again with another type, help or label names',
  VIGIL_INVALID_BUCKETS: 'histogram buckets are not finite, strictly increasing numbers',
  VIGIL_INVALID_OPTION: 'an option has a value of the wrong type or outside its range',
  VIGIL_PARSE: 'text in the Prometheus or OpenMetrics format could not be parsed',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class VigilError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VigilError';
    this.code = code;
  }
}

/** `option` got `value`; `expected` says what would have been accepted. */
export function invalidOption(option: string, value: unknown, expected: string): VigilError {
  return new VigilError('VIGIL_INVALID_OPTION', `${option}: got ${describe(value)}, expected ${expected}`);
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (typeof value === 'function') return 'a function';
  return 'an object';
}
