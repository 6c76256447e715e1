import { describe, expect, it } from 'vitest';
import { makeMetric } from '../../src/query/metric.js';
import { ratioOffset } from '../../src/query/ratio-sample.js';
import { xxhash64 } from '../../src/query/xxhash64.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('xxhash64', () => {
  it('gives the reference implementation’s digests (xxhsum -H1 of xxHash 0.8.3), across the 4-, 8- and 32-byte paths', () => {
    expect(xxhash64(bytes('')).toString(16)).toBe('ef46db3751d8e999');
    expect(xxhash64(bytes('a')).toString(16)).toBe('d24ec4f1a98c6e5b');
    expect(xxhash64(bytes('abc')).toString(16)).toBe('44bc2cf5ad770999');
    expect(xxhash64(bytes('hello world')).toString(16)).toBe('45ab6734b21e6968');
    expect(xxhash64(bytes('x'.repeat(31))).toString(16)).toBe('60dd0d01083b99f0');
    expect(xxhash64(bytes('y'.repeat(32))).toString(16)).toBe('64da1f1d3495ce66');
    expect(
      xxhash64(bytes('The quick brown fox jumps over the lazy dog, 0123456789 ABCDEFGHIJKLMNOP')).toString(
        16,
      ),
    ).toBe('bbfbe787b321f64b');
  });
});

describe('ratioOffset: where a series falls for limit_ratio', () => {
  it('is XXH64 of Prometheus’s label layout (length byte, name, length byte, value, in name order) over 2^64', () => {
    // The digests of Prometheus's stringlabels encoding of each label set, computed with xxhsum over
    // the bytes written out by hand (\x08__name__\x0dhttp_requests\x05group...), not with vigil's code.
    const cases: Array<[string, string, string]> = [
      ['0', 'production', '18351c049c0d95e6'],
      ['1', 'production', '198451ea70e5db8e'],
      ['0', 'canary', 'fa6e5aa974a03e59'],
      ['1', 'canary', '346a4899145fe6e8'],
      ['2', 'canary', 'dc90a5ca507c8bb9'],
      ['3', 'canary', '534126af8bc0f6bb'],
    ];
    for (const [instance, group, digest] of cases) {
      const metric = makeMetric({ job: 'api-server', instance, group, __name__: 'http_requests' });
      expect(ratioOffset(metric)).toBe(Number(BigInt(`0x${digest}`)) / 2 ** 64);
    }
  });
});
