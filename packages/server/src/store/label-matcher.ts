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

const META = /[\\^$.|?*+()[\]{}]/;

/**
 * Regular expressions are anchored at both ends, as Prometheus does (`^(?:re)$`), and `.` matches a
 * newline too, as Prometheus's `(?s:` prefix makes it. JavaScript's syntax is close to RE2's for what
 * PromQL users write; RE2-only syntax such as `(?i)` is reported as an invalid expression.
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
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${value})$`, 's');
      } catch (error) {
        throw new SyntaxError(`matcher ${name}${type}${JSON.stringify(value)}: invalid regular expression`, {
          cause: error,
        });
      }
      const parts = value.split('|');
      const literal = parts.every((p) => !META.test(p));
      if (type === '=~') {
        return {
          name,
          test: (v) => re.test(v),
          matchesEmpty: re.test(''),
          literals: literal ? parts : undefined,
        };
      }
      return { name, test: (v) => !re.test(v), matchesEmpty: !re.test(''), literals: undefined };
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
