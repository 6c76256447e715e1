import { RE2JS } from 're2js';
import { ServerError } from '../errors/server-error.js';

/**
 * User-supplied regular expressions, in the dialect Prometheus and Alertmanager use (Go's regexp: RE2
 * syntax with `(?i)`, `(?s)`, `\Q…\E`, `[[:alpha:]]`, `\pL`) and in time linear in the input, so that no
 * pattern can freeze the process the way a backtracking engine does on `([a-z_]+)+!`. Every place that
 * runs a pattern a user wrote goes through this file.
 */

/** Longest pattern accepted, in UTF-16 code units: a Grafana variable of a few thousand values fits. */
export const MAX_PATTERN_LENGTH = 64 * 1024;
/** Largest compiled program accepted (RE2's rough measure of cost), bounding memory and match time. */
const MAX_PROGRAM_SIZE = 256 * 1024;

export class RegexError extends ServerError {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super('VIGIL_BAD_REGEX', `invalid regular expression ${JSON.stringify(abbreviate(pattern))}: ${reason}`);
    this.name = 'RegexError';
  }
}

/** A full-match test with the shortcuts Prometheus's FastRegexMatcher takes before running the engine. */
export interface RegexMatcher {
  readonly pattern: string;
  readonly test: (value: string) => boolean;
  readonly matchesEmpty: boolean;
  /** The only values that can match, when the pattern is a literal or an alternation of literals. */
  readonly literals: readonly string[] | undefined;
}

export interface MatchOptions {
  /**
   * Whether `.` matches a newline: true for PromQL (Prometheus 3 compiles `^(?s:re)$`), false for
   * Alertmanager's matchers (`^(?:re)$`).
   */
  readonly dotAll: boolean;
}

const PROMQL: MatchOptions = { dotAll: true };
const CACHE_SIZE = 1000;
const cache = new Map<string, RegexMatcher>();

/**
 * A matcher that accepts a value only if the whole value matches, compiled once per pattern (a cache
 * of recent patterns: alert rules and dashboards repeat theirs every evaluation).
 */
export function regexMatcher(pattern: string, options: MatchOptions = PROMQL): RegexMatcher {
  const key = (options.dotAll ? 's' : '-') + pattern;
  const hit = cache.get(key);
  if (hit !== undefined) {
    // Map keeps insertion order: moving a hit to the end makes the first key the least recently used.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const made = build(pattern, options.dotAll);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, made);
  return made;
}

/** A pattern matching exactly one of `values`, each taken literally (Go's `regexp.QuoteMeta` joined by `|`). */
export function literalAlternation(values: Iterable<string>): string {
  return Array.from(values, (v) => RE2JS.quote(v)).join('|');
}

/** Go's `regexp.Regexp` for templates: unanchored search and `ReplaceAllString`. */
export interface SearchRegex {
  /** Whether the pattern matches anywhere in the text, as `regexp.MatchString`. */
  readonly test: (text: string) => boolean;
  /** Every non-overlapping match replaced by `template` expanded as Go's `Regexp.Expand` does. */
  readonly replaceAll: (text: string, template: string) => string;
}

export function searchRegex(pattern: string): SearchRegex {
  const re = compile(pattern, 0);
  return {
    test: (text) => re.test(text),
    // Go's ReplaceAllString loop: no replacement for an empty match right after the previous match,
    // and the search always moves on by at least one character.
    replaceAll: (text, template) => {
      const m = re.matcher(text);
      let out = '';
      let lastEnd = 0;
      let at = 0;
      while (at <= text.length && m.find(at)) {
        const start = m.start();
        const end = m.end();
        out += text.slice(lastEnd, start);
        if (end > lastEnd || start === 0) out += expand(template, (g) => groupText(m, g));
        lastEnd = end;
        const width = (text.codePointAt(at) ?? 0) > 0xffff ? 2 : 1;
        at = at + width > end ? at + width : end;
      }
      return out + text.slice(lastEnd);
    },
  };
}

/** The anchored expression with its capture groups, for `label_replace`. */
export interface CaptureRegex {
  /** The groups of a whole-value match (index 0 the whole value), or undefined when it does not match. */
  readonly exec: (value: string) => Captures | undefined;
}

export interface Captures {
  readonly get: (group: number | string) => string;
}

export function captureRegex(pattern: string): CaptureRegex {
  const re = compile(pattern, RE2JS.DOTALL);
  return {
    exec: (value) => {
      const m = re.matcher(value);
      return m.matches() ? { get: (group) => groupText(m, group) } : undefined;
    },
  };
}

/**
 * Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}`, `$$`; a bare name takes the longest run of
 * letters, digits and `_`, so `$1x` is the group named `1x`; an unknown group is empty.
 */
export function expand(template: string, group: (g: number | string) => string): string {
  return template.replace(/\$(?:\$|\{([a-zA-Z0-9_]+)\}|([a-zA-Z0-9_]+))/g, (whole, braced, bare) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare) as string;
    return /^\d+$/.test(name) ? group(Number(name)) : group(name);
  });
}

/** A group the pattern does not have expands to nothing, as in Go (RE2JS throws instead). */
function groupText(m: ReturnType<RE2JS['matcher']>, g: number | string): string {
  if (typeof g === 'number' ? g > m.groupCount() : !(g in m.pattern().namedGroups())) return '';
  return m.group(g) ?? '';
}

function compile(pattern: string, flags: number): RE2JS {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new RegexError(pattern, `longer than ${MAX_PATTERN_LENGTH} characters (${pattern.length})`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, flags);
  } catch (error) {
    throw new RegexError(pattern, reason(error));
  }
  if (re.programSize() > MAX_PROGRAM_SIZE) {
    throw new RegexError(
      pattern,
      `expression too large (${re.programSize()} instructions, at most ${MAX_PROGRAM_SIZE})`,
    );
  }
  return re;
}

/** RE2JS prefixes every syntax error with "error parsing regexp: ", as Go does; keep only the reason. */
function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^error parsing regexp: /, '');
}

function build(pattern: string, dotAll: boolean): RegexMatcher {
  // The DOTALL flag is the `(?s:re)` Prometheus wraps a pattern in, and testExact anchors both ends;
  // spelling `^(?s:re)$` out instead measured 3 to 8 times slower in RE2JS.
  const re = compile(pattern, dotAll ? RE2JS.DOTALL : 0);
  const engine = (v: string) => re.testExact(v);
  const test = shortcut(pattern, dotAll) ?? caseless(pattern, dotAll, engine) ?? engine;
  return { pattern, test, matchesEmpty: test(''), literals: alternatives(pattern) };
}

/**
 * The shapes FastRegexMatcher answers without the engine: a literal, an alternation of literals, and
 * a literal behind and/or before `.*` (`foo.*`, `.*foo`, `.*foo.*`), plus `.*` and `.+` alone.
 */
function shortcut(pattern: string, dotAll: boolean): ((v: string) => boolean) | undefined {
  const set = alternatives(pattern);
  if (set !== undefined) {
    if (set.length === 1) {
      const only = set[0]!;
      return (v) => v === only;
    }
    if (set.length <= 8) return (v) => set.includes(v);
    const lookup = new Set(set);
    return (v) => lookup.has(v);
  }
  // Without (?s), `.` stops at a newline: those patterns are left to the engine.
  if (!dotAll) return undefined;
  if (pattern === '.*') return () => true;
  if (pattern === '.+') return (v) => v.length > 0;
  const leading = pattern.startsWith('.*');
  const trailing = pattern.endsWith('.*') && !pattern.endsWith('\\.*');
  if (!leading && !trailing) return undefined;
  const middle = literal(pattern.slice(leading ? 2 : 0, trailing ? pattern.length - 2 : pattern.length));
  if (middle === undefined) return undefined;
  if (leading && trailing) return (v) => v.includes(middle);
  if (trailing) return (v) => v.startsWith(middle);
  return (v) => v.endsWith(middle);
}

/**
 * The same shapes after a leading `(?i)`, for ASCII literals: an ASCII value is lower-cased and given
 * to the shortcut; any other value goes to the engine, whose Unicode case folding (`K` for the Kelvin
 * sign, `s` for `ſ`) lower-casing does not reproduce.
 */
function caseless(
  pattern: string,
  dotAll: boolean,
  engine: (v: string) => boolean,
): ((v: string) => boolean) | undefined {
  if (!pattern.startsWith('(?i)')) return undefined;
  const rest = pattern.slice(4);
  if (!ASCII.test(rest)) return undefined;
  const inner = shortcut(rest.toLowerCase(), dotAll);
  if (inner === undefined) return undefined;
  return (v) => (ASCII.test(v) ? inner(v.toLowerCase()) : engine(v));
}

const ASCII = /^[\0-\x7f]*$/;

/** The literals of `a|b|c` (or of one literal), or undefined when any branch is not a literal. */
function alternatives(pattern: string): string[] | undefined {
  const out: string[] = [];
  for (const part of pattern.split('|')) {
    const text = literal(part);
    if (text === undefined) return undefined;
    out.push(text);
  }
  return out;
}

/**
 * The text a pattern matches when it has no operator: plain characters and escaped punctuation
 * (`\.`), which is all RE2 allows to be escaped besides its classes and `\Q…\E`.
 */
function literal(part: string): string | undefined {
  let out = '';
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === '\\') {
      const next = part[i + 1];
      if (next === undefined || !PUNCTUATION.test(next)) return undefined;
      out += next;
      i++;
    } else if (META.includes(c)) {
      return undefined;
    } else {
      out += c;
    }
  }
  return out;
}

const META = '^$.|?*+()[]{}';
const PUNCTUATION = /^[!-/:-@[-`{-~]$/;

function abbreviate(pattern: string): string {
  return pattern.length > 100 ? `${pattern.slice(0, 100)}…` : pattern;
}
