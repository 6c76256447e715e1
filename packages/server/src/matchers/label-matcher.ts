import { type RegexMatcher, regexMatcher } from '../regex/regex-matcher.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

/** A label matcher: `name="value"`, `!=`, `=~` or `!~`, as PromQL selectors and Alertmanager matchers write it. */
export interface LabelMatcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}

/** A matcher made ready to test label values. */
export interface CompiledMatcher extends LabelMatcher {
  readonly test: (value: string) => boolean;
  /** Whether a series without the label matches: Prometheus treats a missing label as "". */
  readonly matchesEmpty: boolean;
  /** The only values that can match, when the matcher names them (`=`, `=~"a|b"`): index lookups. */
  readonly literals: readonly string[] | undefined;
}

/**
 * The two dialects differ only in their regular expressions: both are RE2, anchored at both ends and
 * linear time (../regex/regex-matcher.ts), but PromQL's `.` matches a newline (Prometheus compiles
 * with `(?s)`) and Alertmanager's does not (pkg/labels/matcher.go).
 */
export type MatcherDialect = 'promql' | 'alertmanager';

export function compileMatcher(m: LabelMatcher, dialect: MatcherDialect = 'promql'): CompiledMatcher {
  const { name, type, value } = m;
  switch (type) {
    case '=':
      return { name, type, value, test: (v) => v === value, matchesEmpty: value === '', literals: [value] };
    case '!=':
      return { name, type, value, test: (v) => v !== value, matchesEmpty: value !== '', literals: undefined };
    case '=~':
    case '!~': {
      let re: RegexMatcher;
      try {
        re = regexMatcher(value, { dotAll: dialect === 'promql' });
      } catch (error) {
        throw new SyntaxError(`matcher ${name}${type}${JSON.stringify(value)}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (type === '=~')
        return { name, type, value, test: re.test, matchesEmpty: re.matchesEmpty, literals: re.literals };
      const { test } = re;
      return {
        name,
        type,
        value,
        test: (v) => !test(v),
        matchesEmpty: !re.matchesEmpty,
        literals: undefined,
      };
    }
    default:
      throw new TypeError(
        `matcher ${name}: unknown match type ${JSON.stringify(type)}, expected =, !=, =~ or !~`,
      );
  }
}

export function matchesAll(
  matchers: readonly CompiledMatcher[],
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const m of matchers) if (!m.test(labels[m.name] ?? '')) return false;
  return true;
}
