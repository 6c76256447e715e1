import { describe, expect, it } from 'vitest';
import { parseSelector } from '../../src/matchers/matcher-syntax.js';

describe('parseSelector', () => {
  it('reads names, matchers of the four kinds, and quoted values with escapes', () => {
    expect(parseSelector('up')).toEqual([{ name: '__name__', type: '=', value: 'up' }]);
    expect(
      parseSelector(' http_requests_total { code=~"5..", job != \'a\\\'b\', path="x\\"y\\n" , } '),
    ).toEqual([
      { name: '__name__', type: '=', value: 'http_requests_total' },
      { name: 'code', type: '=~', value: '5..' },
      { name: 'job', type: '!=', value: "a'b" },
      { name: 'path', type: '=', value: 'x"y\n' },
    ]);
    expect(parseSelector('{__name__=~"vigil_.+"}')).toEqual([
      { name: '__name__', type: '=~', value: 'vigil_.+' },
    ]);
  });

  it('refuses what Prometheus refuses, saying where', () => {
    expect(() => parseSelector('{job=""}')).toThrow(/does not match the empty string/);
    expect(() => parseSelector('up{job="a"')).toThrow(/expected , or } at position 10/);
    expect(() => parseSelector('up{job=a}')).toThrow(/expected a quoted string at position 7/);
    expect(() => parseSelector('up{job=~"("}')).toThrow(/invalid regular expression/);
    expect(() => parseSelector('up{job<"a"}')).toThrow(/expected one of =, !=, =~, !~/);
  });
});
