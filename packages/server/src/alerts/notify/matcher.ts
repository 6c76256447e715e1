import { ServerError } from '../../errors/server-error.js';
import { RegexError, type RegexMatcher, regexMatcher } from '../../regex/regex-matcher.js';
import type { SeriesLabels } from '../../store/series-store.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

/** One label matcher as Alertmanager has them, in routes, inhibit rules and silences. */
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  /** The anchored regular expression, for `=~` and `!~`. */
  readonly re: RegexMatcher | undefined;
}

export class MatcherError extends ServerError {
  constructor(message: string) {
    super('VIGIL_BAD_MATCHER', message);
    this.name = 'MatcherError';
  }
}

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function matcher(name: string, type: MatchType, value: string): Matcher {
  if (!NAME.test(name)) throw new MatcherError(`"${name}" is not a valid label name`);
  let re: RegexMatcher | undefined;
  if (type === '=~' || type === '!~') {
    try {
      // Alertmanager anchors matcher regexes at both ends without (?s) (pkg/labels/matcher.go).
      re = regexMatcher(value, { dotAll: false });
    } catch (error) {
      if (error instanceof RegexError) throw new MatcherError(error.message);
      throw error;
    }
  }
  return { name, type, value, re };
}

export function matches(m: Matcher, labels: SeriesLabels): boolean {
  const value = labels[m.name] ?? '';
  switch (m.type) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return m.re!.test(value);
    case '!~':
      return !m.re!.test(value);
  }
}

export function matchesAll(ms: readonly Matcher[], labels: SeriesLabels): boolean {
  for (const m of ms) if (!matches(m, labels)) return false;
  return true;
}

/** `name="value"`, as Go's `%s%s%q` writes it in route keys and group keys. */
export function matcherString(m: Matcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}

/** Alertmanager's `Matchers.String()` after `sort.Sort`: by name, then value, then type. */
export function matchersString(ms: readonly Matcher[]): string {
  const sorted = [...ms].sort(
    (a, b) =>
      compare(a.name, b.name) || compare(a.value, b.value) || TYPES.indexOf(a.type) - TYPES.indexOf(b.type),
  );
  return `{${sorted.map(matcherString).join(',')}}`;
}

const TYPES: readonly MatchType[] = ['=', '!=', '=~', '!~'];

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const ITEM = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^,"}]*?)\s*(?:,|$)/;

/**
 * Matchers in Alertmanager's text syntax: `{severity="critical", team=~"db|web"}` or the same
 * without braces, values quoted (Go string escapes) or bare.
 */
export function parseMatchers(text: string): Matcher[] {
  let rest = text.trim();
  if (rest.startsWith('{')) {
    if (!rest.endsWith('}')) throw new MatcherError(`${JSON.stringify(text)}: missing closing "}"`);
    rest = rest.slice(1, -1).trim();
  }
  const out: Matcher[] = [];
  while (rest.length > 0) {
    const m = ITEM.exec(rest);
    if (!m) {
      throw new MatcherError(
        `${JSON.stringify(text)}: expected name="value" with =, !=, =~ or !~ at ${JSON.stringify(rest)}`,
      );
    }
    const raw = m[3]!;
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        throw new MatcherError(`${JSON.stringify(text)}: ${raw} is not a valid quoted string`);
      }
    }
    out.push(matcher(m[1]!, m[2] as MatchType, value));
    rest = rest.slice(m[0].length).trim();
  }
  return out;
}
