import type { Matcher } from './alert-types.js';

/** A silence's matcher as it would be typed, `name=~"value"`, the value quoted with escapes. */
export function formatMatcher(m: Matcher): string {
  const op = `${m.isEqual ? '=' : '!'}${m.isRegex ? '~' : m.isEqual ? '' : '='}`;
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}
