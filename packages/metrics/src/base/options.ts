import { invalidOption } from './errors.js';

/** `value` if it is a finite number of milliseconds > 0; otherwise a VIGIL_INVALID_OPTION naming `option`. */
export function positiveMs(option: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value < Number.POSITIVE_INFINITY))
    throw invalidOption(option, value, 'a finite number of milliseconds > 0');
  return value;
}
