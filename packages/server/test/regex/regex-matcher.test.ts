import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  captureRegex,
  expand,
  MAX_PATTERN_LENGTH,
  RegexError,
  regexMatcher,
  searchRegex,
} from '../../src/regex/regex-matcher.js';

const full = (pattern: string, value: string) => regexMatcher(pattern).test(value);

describe('regexMatcher: Prometheus label matchers', () => {
  it('speaks RE2: inline flags, \\Q…\\E, POSIX and Unicode classes', () => {
    expect(full('(?i)PROD.*', 'production')).toBe(true);
    expect(full('.*(?i:CAN).*', 'xcanaryx')).toBe(true);
    expect(full('.*(?i:CAN).*', 'xCaNx')).toBe(true);
    expect(full('(?i:a)b', 'AB')).toBe(false);
    expect(full('\\Qa.b*\\E', 'a.b*')).toBe(true);
    expect(full('\\Qa.b*\\E', 'axbb')).toBe(false);
    expect(full('[[:alpha:]]+', 'abcXYZ')).toBe(true);
    expect(full('[[:digit:]]+', '12a')).toBe(false);
    expect(full('\\pL+', 'ÄÖü')).toBe(true);
    expect(full('(?P<x>a)b', 'ab')).toBe(true);
  });

  it('refuses what Go refuses: lookarounds, backreferences, repeats over 1000', () => {
    for (const bad of ['(?=a)b', '(?<=a)b', '(a)\\1', 'a{1001}', '(', 'a**']) {
      expect(() => regexMatcher(bad), bad).toThrow(RegexError);
    }
    expect(() => regexMatcher('(')).toThrow(/invalid regular expression "\(": missing closing \)/);
  });

  it('anchors at both ends', () => {
    expect(full('foo', 'foobar')).toBe(false);
    expect(full('foo|bar', 'foobar')).toBe(false);
    expect(full('o+', 'foo')).toBe(false);
    expect(full('a|b', 'b')).toBe(true);
    expect(full('', '')).toBe(true);
    expect(full('', 'x')).toBe(false);
  });

  it('lets `.` match a newline in PromQL (Prometheus 3), not in Alertmanager matchers', () => {
    expect(full('a.b', 'a\nb')).toBe(true);
    expect(full('.*', 'multi\nline')).toBe(true);
    expect(full('.*x.*', '\nx\n')).toBe(true);
    expect(regexMatcher('a.b', { dotAll: false }).test('a\nb')).toBe(false);
    expect(regexMatcher('.*', { dotAll: false }).test('multi\nline')).toBe(false);
    expect(regexMatcher('a.*', { dotAll: false }).test('a\nb')).toBe(false);
  });

  it('names the literals of an alternation for index lookups, and whether "" matches', () => {
    expect(regexMatcher('a|b\\.c|').literals).toEqual(['a', 'b.c', '']);
    expect(regexMatcher('a|b\\.c|').matchesEmpty).toBe(true);
    expect(regexMatcher('a.|b').literals).toBeUndefined();
    expect(regexMatcher('.+').matchesEmpty).toBe(false);
    expect(regexMatcher('.*').matchesEmpty).toBe(true);
  });

  it('answers the shortcut shapes exactly as the engine does', () => {
    // The same pattern wrapped in a group has no shortcut: the engine answers for it.
    const shapes = fc.constantFrom(
      '',
      'foo',
      '.*',
      '.+',
      'foo.*',
      '.*foo',
      '.*foo.*',
      'a|b|foo',
      'f\\.o.*',
      '(?i)foo',
      '(?i)Fo.*',
      '(?i).*oO.*',
      '(?i)a|k|S',
    );
    // The Kelvin sign folds to k and ſ to s in RE2's case folding, which toLowerCase does not do.
    const value = fc.string({
      unit: fc.constantFrom('f', 'o', 'O', '.', 'a', 'b', 'K', '\u212a', '\u017f', '\n', 'x'),
    });
    fc.assert(
      fc.property(shapes, value, (pattern, v) => {
        expect(regexMatcher(pattern).test(v)).toBe(regexMatcher(`(?:${pattern})`).test(v));
        const am = { dotAll: false };
        expect(regexMatcher(pattern, am).test(v)).toBe(regexMatcher(`(?:${pattern})`, am).test(v));
      }),
    );
  });

  it('runs in linear time where a backtracking engine takes exponential time', () => {
    const started = performance.now();
    // JavaScript's RegExp needs about 2^n steps for this; n = 30 would take minutes.
    const m = regexMatcher('([a-z_]+)+!');
    for (let n = 20; n <= 30; n++) expect(m.test('a'.repeat(n))).toBe(false);
    expect(m.test(`${'stream_tick_to_send_seconds_'.repeat(2000)}x`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses a pattern over the size limit with a message that says so', () => {
    const long = `a|${'b'.repeat(MAX_PATTERN_LENGTH)}`;
    expect(() => regexMatcher(long)).toThrow(/longer than 65536 characters/);
    expect(() => regexMatcher('((((a{100}){100}){100}){100})')).toThrow(RegexError);
  });
});

describe('searchRegex: Go template functions', () => {
  it('matches anywhere, as regexp.MatchString', () => {
    expect(searchRegex('b+').test('abbc')).toBe(true);
    expect(searchRegex('^b').test('abc')).toBe(false);
  });

  it('replaces as ReplaceAllString, with Go group references', () => {
    expect(searchRegex('a(b)').replaceAll('xabyab', '[$1]')).toBe('x[b]y[b]');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's template syntax
    expect(searchRegex('(?P<n>b)').replaceAll('ab', '${n}x')).toBe('abx');
    // `$nx` is the group named nx, which does not exist: empty, as in Go.
    expect(searchRegex('(?P<n>b)').replaceAll('ab', '$nx$$')).toBe('a$');
    // An empty match right after a match is not replaced (Go: "a*" on "baaac" gives "-b-c-").
    expect(searchRegex('a*').replaceAll('baaac', '-')).toBe('-b-c-');
    expect(searchRegex('x*').replaceAll('héllo', '.')).toBe('.h.é.l.l.o.');
  });
});

describe('captureRegex: label_replace', () => {
  it('captures a whole-value match and expands Go templates', () => {
    const m = captureRegex('(?P<host>[^:]+):(\\d+)').exec('db-1:9100');
    expect(m).toBeDefined();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's template syntax
    expect(expand('$host/${2}/$3/$$', m!.get)).toBe('db-1/9100//$');
    expect(captureRegex('a').exec('ab')).toBeUndefined();
    expect(captureRegex('a.b').exec('a\nb')).toBeDefined();
  });
});
