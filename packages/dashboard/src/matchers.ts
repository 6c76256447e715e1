import type { Matcher } from './alert-types.js';

/**
 * Alertmanager's matcher list as people type it: `alertname="HighLatency", severity=~"crit.*"`,
 * quotes optional. Returns the matchers, or an Error naming the part that could not be read.
 */
export function parseMatchers(text: string): Matcher[] | Error {
  const parts = text
    .replace(/^\{|\}$/g, '')
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return new Error('at least one matcher is needed, such as alertname="HighLatency"');
  const matchers: Matcher[] = [];
  for (const part of parts) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*)$/.exec(part);
    if (!m)
      return new Error(
        `"${part}" is not a matcher: expected name="value", name!="value", name=~"regex" or name!~"regex"`,
      );
    let value = m[3]!.trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    const op = m[2]!;
    matchers.push({ name: m[1]!, value, isRegex: op.includes('~'), isEqual: !op.startsWith('!') });
  }
  return matchers;
}

export function formatMatcher(m: Matcher): string {
  const op = `${m.isEqual ? '=' : '!'}${m.isRegex ? '~' : m.isEqual ? '' : '='}`;
  return `${m.name}${op}"${m.value}"`;
}
