import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStatsd, parseStatsdTags, type StatsdMetric } from '../../src/ingest/statsd.js';

const metric = (m: Partial<StatsdMetric> & Pick<StatsdMetric, 'name' | 'type' | 'value'>): StatsdMetric => ({
  member: '',
  delta: false,
  sampleRate: 1,
  tags: '',
  ...m,
});

describe('parseStatsd: the lines of the Etsy metric_types.md and DogStatsD datagram docs', () => {
  it.each([
    ['gorets:1|c', metric({ name: 'gorets', type: 'c', value: 1 })],
    ['gorets:1|c|@0.1', metric({ name: 'gorets', type: 'c', value: 1, sampleRate: 0.1 })],
    ['glork:320|ms', metric({ name: 'glork', type: 'ms', value: 320 })],
    ['glork:320|ms|@0.1', metric({ name: 'glork', type: 'ms', value: 320, sampleRate: 0.1 })],
    ['gaugor:333|g', metric({ name: 'gaugor', type: 'g', value: 333 })],
    ['gaugor:-10|g', metric({ name: 'gaugor', type: 'g', value: -10, delta: true })],
    ['gaugor:+4|g', metric({ name: 'gaugor', type: 'g', value: 4, delta: true })],
    ['uniques:765|s', metric({ name: 'uniques', type: 's', value: Number.NaN, member: '765' })],
    ['render:0.42|h', metric({ name: 'render', type: 'h', value: 0.42 })],
    [
      'request.latency:42|d|#service:api,region:us-east-1',
      metric({ name: 'request.latency', type: 'd', value: 42, tags: 'service:api,region:us-east-1' }),
    ],
    [
      'page.views:1|c|@0.5|#env:prod',
      metric({ name: 'page.views', type: 'c', value: 1, sampleRate: 0.5, tags: 'env:prod' }),
    ],
    [
      'x:1|c|#a:b|c:83c0a99c0a54c0c187f461c7980e9b57f3f6a8b0c918c8d93df19a9de6f3fe1d|T1656581400',
      metric({ name: 'x', type: 'c', value: 1, tags: 'a:b' }),
    ],
    ['x:1|c|#a:1|#b:2', metric({ name: 'x', type: 'c', value: 1, tags: 'a:1,b:2' })],
    ['x:1.5e3|ms\r', metric({ name: 'x', type: 'ms', value: 1500 })],
    ['  spaced name :1|c ', metric({ name: 'spaced name ', type: 'c', value: 1 })],
  ])('%j', (line, expected) => {
    expect(parseStatsd(line)).toEqual({ metrics: [expected], rejected: [] });
  });

  it('reads several lines per datagram and skips blank ones', () => {
    const { metrics, rejected } = parseStatsd('a:1|c\n\nb:2|g\nc:3|ms\n');
    expect(metrics.map((m) => m.name)).toEqual(['a', 'b', 'c']);
    expect(rejected).toEqual([]);
  });

  it("reads several values per line, each with its type (Etsy's stats.js splits on ':')", () => {
    expect(parseStatsd('multi:1|c:2|c|@0.5:3|ms|#env:dev').metrics).toEqual([
      metric({ name: 'multi', type: 'c', value: 1, tags: 'env:dev' }),
      metric({ name: 'multi', type: 'c', value: 2, sampleRate: 0.5, tags: 'env:dev' }),
      metric({ name: 'multi', type: 'ms', value: 3, tags: 'env:dev' }),
    ]);
    // A bad value among good ones is refused alone, as Etsy counts one bad line per bad value.
    expect(parseStatsd('multi:1|c:x|c:3|c')).toEqual({
      metrics: [
        metric({ name: 'multi', type: 'c', value: 1 }),
        metric({ name: 'multi', type: 'c', value: 3 }),
      ],
      rejected: [{ line: 'multi:1|c:x|c:3|c', reason: 'bad_value' }],
    });
  });

  it.each([
    ['garbage-no-type', 'bad_line'],
    ['name:1', 'bad_line'],
    [':1|c', 'empty_name'],
    ['bad:abc|c', 'bad_value'],
    ['bad:|c', 'bad_value'],
    ['bad:|s', 'bad_value'],
    ['bad:NaN|g', 'bad_value'],
    ['bad:Infinity|ms', 'bad_value'],
    ['bad:1e999|c', 'bad_value'],
    ['bad:0x10|c', 'bad_value'],
    ['bad:1|x', 'bad_type'],
    ['bad:1|', 'bad_type'],
    ['bad:1|c|@0', 'bad_sample_rate'],
    ['bad:1|c|@1.5', 'bad_sample_rate'],
    ['bad:1|c|@x', 'bad_sample_rate'],
    ['bad:1|c|@', 'bad_sample_rate'],
    ['bad:1|c|what', 'bad_line'],
    ['_e{5,4}:title|text', 'unsupported'],
    ['_sc|Redis connection|2|#env:dev', 'unsupported'],
  ])('refuses %j: %s', (line, reason) => {
    expect(parseStatsd(line)).toEqual({ metrics: [], rejected: [{ line, reason }] });
  });

  it('never throws, whatever the datagram', () => {
    const unit = fc.constantFrom(...'ab.:|@#,c gmsdh1-+e\n'.split(''), 'ms', '_e{', '_sc|');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit })), (datagram) => {
        const { metrics } = parseStatsd(datagram);
        for (const m of metrics) {
          expect(m.name).not.toBe('');
          expect(m.sampleRate > 0 && m.sampleRate <= 1).toBe(true);
          if (m.type !== 's') expect(Number.isFinite(m.value)).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('parseStatsdTags', () => {
  it('makes keys legal label names, keeps values as sent, a valueless tag as "true", drops empty values and keys', () => {
    expect(
      parseStatsdTags('env:prod,url:http://x/y?a=1,canary,empty:,:novalue,0bad-key:v,__name__:n,feature.x,,'),
    ).toEqual({
      env: 'prod',
      url: 'http://x/y?a=1',
      canary: 'true',
      _0bad_key: 'v',
      x__name__: 'n',
      feature_x: 'true',
    });
    expect(parseStatsdTags('')).toEqual({});
  });
});
