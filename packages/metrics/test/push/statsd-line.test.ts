import { describe, expect, it } from 'vitest';
import { formatTags, mergeTags, sanitizeName, statsdLine } from '../../src/push/statsd-line.js';

describe('statsd lines', () => {
  it('writes name, value, type, sample rate and DogStatsD tags', () => {
    expect(statsdLine('api.calls', '1', 'c', 1, [])).toBe('api.calls:1|c');
    expect(statsdLine('api.latency', '12.5', 'ms', 0.25, [])).toBe('api.latency:12.5|ms|@0.25');
    expect(statsdLine('q', '3', 'g', 1, ['env:prod', 'canary'])).toBe('q:3|g|#env:prod,canary');
    expect(statsdLine('h', '7', 'h', 0.5, ['a:b'])).toBe('h:7|h|@0.5|#a:b');
  });

  it('replaces the characters that would end a name, a tag or a line', () => {
    expect(sanitizeName('a:b|c\nd\re')).toBe('a_b_c_d_e');
    expect(formatTags({ 'k:e|y@#,': 'v|a@l#u,e\n', url: 'http://x:80/y' })).toEqual([
      'k_e_y___:v_a_l_u_e_',
      'url:http://x:80/y',
    ]);
    expect(formatTags(['env:prod', 'bare#tag', 'path:/a,b'])).toEqual(['env:prod', 'bare_tag', 'path:/a_b']);
    expect(formatTags({ ok: true, n: 3 })).toEqual(['ok:true', 'n:3']);
  });

  it('lets a call’s tag override a global tag with the same key', () => {
    const global = formatTags(['env:prod', 'region:eu', 'canary']);
    expect(mergeTags(global, { env: 'staging', host: 'h1' })).toEqual([
      'region:eu',
      'canary',
      'env:staging',
      'host:h1',
    ]);
    expect(mergeTags(global, undefined)).toBe(global);
    expect(mergeTags([], ['a:1'])).toEqual(['a:1']);
  });
});
