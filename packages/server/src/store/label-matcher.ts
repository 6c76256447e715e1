import { type RegexMatcher, regexMatcher } from '../regex/regex-matcher.js';
import type { LabelMatcher, SeriesLabels } from './series-store.js';

/** A matcher made ready to test label values. */
export interface CompiledMatcher {
  readonly name: string;
  readonly test: (value: string) => boolean;
  /** Whether a series without the label matches: Prometheus treats a missing label as "". */
  readonly matchesEmpty: boolean;
  /** The only values that can match, when the matcher names them (`=`, `=~"a|b"`): index lookups. */
  readonly literals: readonly string[] | undefined;
}

/**
 * Regular expressions follow Prometheus: anchored at both ends, RE2 syntax, `.` matching a newline too,
 * linear time (see ../regex/regex-matcher.ts).
 */
export function compileMatcher(m: LabelMatcher): CompiledMatcher {
  const { name, type, value } = m;
  switch (type) {
    case '=':
      return { name, test: (v) => v === value, matchesEmpty: value === '', literals: [value] };
    case '!=':
      return { name, test: (v) => v !== value, matchesEmpty: value !== '', literals: undefined };
    case '=~':
    case '!~': {
      let re: RegexMatcher;
      try {
        re = regexMatcher(value);
      } catch (error) {
        throw new SyntaxError(`matcher ${name}${type}${JSON.stringify(value)}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (type === '=~') return { name, test: re.test, matchesEmpty: re.matchesEmpty, literals: re.literals };
      const { test } = re;
      return { name, test: (v) => !test(v), matchesEmpty: !re.matchesEmpty, literals: undefined };
    }
    default:
      throw new TypeError(
        `matcher ${name}: unknown match type ${JSON.stringify(type)}, expected =, !=, =~ or !~`,
      );
  }
}

export function matchesAll(matchers: readonly CompiledMatcher[], labels: SeriesLabels): boolean {
  for (const m of matchers) if (!m.test(labels[m.name] ?? '')) return false;
  return true;
}
