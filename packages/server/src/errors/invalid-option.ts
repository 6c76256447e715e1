import { VigilError } from '@vigil/metrics';

/**
 * A bad option given to one of the server's constructors (the store, the PromQL engine, the StatsD
 * aggregator), reported as the library reports its own: `VIGIL_INVALID_OPTION`, naming the owner,
 * the option, what it got and what it expects. Configuration files are checked before that, in
 * `config/`, with their file and line.
 */
export function invalidOption(owner: string, option: string, value: unknown, expected: string): VigilError {
  return new VigilError(
    'VIGIL_INVALID_OPTION',
    `${owner}: ${option}: got ${shown(value)}, expected ${expected}`,
  );
}

/** `value` when it is a positive finite number (an integer when asked), `fallback` when it is absent. */
export function positiveOption(
  owner: string,
  option: string,
  value: unknown,
  fallback: number,
  integer = false,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !(value > 0) ||
    !Number.isFinite(value) ||
    (integer && !Number.isSafeInteger(value))
  )
    throw invalidOption(owner, option, value, integer ? 'a positive integer' : 'a positive finite number');
  return value;
}

function shown(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value === undefined || typeof value === 'number' || typeof value === 'bigint') return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return `a ${typeof value} that is not JSON`;
  }
}
