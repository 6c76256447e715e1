import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHistogramChunk, encodeHistogramChunk } from '../../src/store/histogram-codec.js';
import {
  COUNTER_RESET_HINTS,
  type NativeHistogram,
  NativeHistogramError,
} from '../../src/store/native-histogram.js';
import { staleNaN } from '../../src/store/series-store.js';
import { example } from './fixtures/native-histogram-example.js';

/** Every number of a histogram as its IEEE-754 bits, so NaN payloads and -0 are compared too. */
function bits(h: NativeHistogram): unknown {
  const view = new DataView(new ArrayBuffer(8));
  const b = (v: number) => {
    view.setFloat64(0, v);
    return view.getBigUint64(0).toString(16);
  };
  const counts =
    h.kind === 'int'
      ? [...h.positiveDeltas, ...h.negativeDeltas]
      : [...h.positiveCounts, ...h.negativeCounts];
  return {
    ...h,
    zeroThreshold: b(h.zeroThreshold),
    zeroCount: b(h.zeroCount),
    count: b(h.count),
    sum: b(h.sum),
    counts: counts.map(b),
  };
}

const spans = fc.array(
  fc.record({ offset: fc.integer({ min: 0, max: 40 }), length: fc.integer({ min: 0, max: 6 }) }),
  {
    maxLength: 4,
  },
);
const anyFloat = fc.oneof(fc.double(), fc.constantFrom(staleNaN(), -0, Number.NaN));

const histogram: fc.Arbitrary<NativeHistogram> = fc
  .record({
    kind: fc.constantFrom('int' as const, 'float' as const),
    schema: fc.integer({ min: -4, max: 8 }),
    zeroThreshold: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
    positiveSpans: spans,
    negativeSpans: spans,
    first: fc.integer({ min: -1000, max: 1000 }),
    counts: fc.array(
      fc.oneof(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: -3, max: 3 })),
      {
        minLength: 60,
        maxLength: 60,
      },
    ),
    // Bucket counts live in arrays, where V8 keeps no NaN payload; only the sum carries the stale marker.
    floats: fc.array(fc.double(), { minLength: 60, maxLength: 60 }),
    zeroCount: fc.nat(),
    count: fc.oneof(fc.nat(), fc.constant(2 ** 53 - 1)),
    floatZero: anyFloat,
    floatCount: anyFloat,
    sum: anyFloat,
    hint: fc.constantFrom(...COUNTER_RESET_HINTS),
  })
  .map((r) => {
    const positiveSpans = r.positiveSpans.map((s, i) => (i === 0 ? { ...s, offset: s.offset + r.first } : s));
    const negativeSpans = r.negativeSpans.map((s, i) => (i === 0 ? { ...s, offset: s.offset - r.first } : s));
    const np = positiveSpans.reduce((a, s) => a + s.length, 0);
    const nn = negativeSpans.reduce((a, s) => a + s.length, 0);
    const shape = {
      schema: r.schema,
      zeroThreshold: r.zeroThreshold,
      positiveSpans,
      negativeSpans,
      counterResetHint: r.hint,
    };
    return r.kind === 'int'
      ? {
          kind: 'int',
          ...shape,
          zeroCount: r.zeroCount,
          count: r.count,
          sum: r.sum,
          positiveDeltas: r.counts.slice(0, np),
          negativeDeltas: r.counts.slice(30, 30 + nn),
        }
      : {
          kind: 'float',
          ...shape,
          zeroCount: r.floatZero,
          count: r.floatCount,
          sum: r.sum,
          positiveCounts: r.floats.slice(2, 2 + np),
          negativeCounts: r.floats.slice(30, 30 + nn),
        };
  });

/** The first sample of `scraped()` as a chunk of either version writes it, in hex. */
const FIRST_OF_SCRAPED = [
  // t 1700000000000001 (zigzag varint), flags (int, new layout, hint unknown), schema 0,
  // zero threshold 0.001, one positive span (offset -3, length 3), no negative spans
  '82a0abfef962',
  '00',
  '00',
  'fca9f1d24d62503f',
  '010503',
  '00',
  // zero count 0, count 9, sum 2.25, deltas 1 3 0
  '00',
  '09',
  '0000000000000240',
  '020600',
].join('');

/** A counter histogram as a scrape sees it: the same layout growing slowly, sometimes a new bucket. */
function scraped(n: number): { timestamps: number[]; histograms: NativeHistogram[] } {
  const timestamps: number[] = [];
  const histograms: NativeHistogram[] = [];
  let counts = [1, 3, 2];
  for (let i = 0; i < n; i++) {
    counts = counts.map((c, k) => c + ((i + k) % 3));
    if (i === n / 2) counts.push(1);
    const deltas = counts.map((c, k) => c - (counts[k - 1] ?? 0));
    const total = counts.reduce((a, b) => a + b, 0);
    timestamps.push(1_700_000_000_000 + i * 15_000 + (i % 4 === 0 ? 1 : 0));
    histograms.push({
      ...example,
      zeroCount: 0,
      count: total,
      sum: total * 0.25,
      positiveSpans: [{ offset: -3, length: counts.length }],
      positiveDeltas: deltas,
      negativeSpans: [],
      negativeDeltas: [],
    });
  }
  return { timestamps, histograms };
}

describe('histogram chunk codec', () => {
  it('round-trips any sequence of histograms bit for bit, layouts and kinds changing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 100_000 }), histogram), { maxLength: 12 }),
        fc.integer({ min: -(2 ** 45), max: 2 ** 45 }),
        (samples, start) => {
          let t = start;
          const timestamps = samples.map(([gap]) => (t += gap + 1));
          const histograms = samples.map(([, h]) => h);
          const decoded = decodeHistogramChunk(encodeHistogramChunk(timestamps, histograms));
          expect(decoded.timestamps).toEqual(timestamps);
          expect(decoded.histograms.map(bits)).toEqual(histograms.map(bits));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round-trips a cumulative histogram whose buckets come, go and reset, bit for bit', () => {
    // Each step adds observations to some buckets (new ones open spans or fill gaps), sometimes
    // empties one, sometimes resets all: same layouts, new layouts and drops, on both sides.
    const side = (m: Map<number, number>) => {
      const indexes = [...m.keys()].sort((a, b) => a - b);
      const spans: { offset: number; length: number }[] = [];
      const deltas: number[] = [];
      let end = 0;
      let previous = 0;
      for (const i of indexes) {
        if (spans.length > 0 && i - end <= 2) {
          for (; end < i; end++) {
            deltas.push(0 - previous);
            previous = 0;
            spans.at(-1)!.length++;
          }
        } else spans.push({ offset: spans.length === 0 ? i : i - end, length: 0 });
        deltas.push(m.get(i)! - previous);
        previous = m.get(i)!;
        spans.at(-1)!.length++;
        end = i + 1;
      }
      return { spans, deltas };
    };
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.array(fc.tuple(fc.integer({ min: -30, max: 30 }), fc.integer({ min: 1, max: 300 })), {
              maxLength: 6,
            }),
            fc.integer({ min: 0, max: 20 }),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        (steps) => {
          const positive = new Map<number, number>();
          const negative = new Map<number, number>();
          const timestamps: number[] = [];
          const histograms: NativeHistogram[] = [];
          steps.forEach(([observations, roll], k) => {
            if (roll === 0) {
              positive.clear();
              negative.clear();
            }
            if (roll === 1) positive.delete([...positive.keys()][0]!);
            for (const [i, n] of observations) {
              const m = n % 3 === 0 ? negative : positive;
              m.set(i, (m.get(i) ?? 0) + n);
            }
            const p = side(positive);
            const n = side(negative);
            const count = [...positive.values(), ...negative.values()].reduce((a, c) => a + c, 0);
            timestamps.push(1_700_000_000_000 + k * 15_000);
            histograms.push({
              ...example,
              kind: 'int',
              schema: 3,
              zeroCount: 0,
              count,
              sum: count * 1.5,
              positiveSpans: p.spans,
              positiveDeltas: p.deltas,
              negativeSpans: n.spans,
              negativeDeltas: n.deltas,
              counterResetHint: roll === 0 ? 'reset' : 'unknown',
            });
          });
          const decoded = decodeHistogramChunk(encodeHistogramChunk(timestamps, histograms));
          expect(decoded.timestamps).toEqual(timestamps);
          expect(decoded.histograms.map(bits)).toEqual(histograms.map(bits));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes a sample whole when its change from the one before is too large for a varint', () => {
    const huge = { ...example, kind: 'int', zeroCount: 0, positiveSpans: [], negativeSpans: [] } as const;
    const histograms: NativeHistogram[] = [
      { ...huge, count: 2 ** 53 - 1, positiveDeltas: [], negativeDeltas: [] },
      { ...huge, count: 0, positiveDeltas: [], negativeDeltas: [] },
    ];
    expect(decodeHistogramChunk(encodeHistogramChunk([1, 2], histograms)).histograms).toEqual(histograms);
  });

  it('writes a known chunk byte for byte (golden)', () => {
    // Three scrapes: the second keeps the layout, the third adds a bucket.
    const { timestamps, histograms } = scraped(4);
    const bytes = encodeHistogramChunk(timestamps.slice(0, 3), histograms.slice(0, 3));
    expect(Buffer.from(bytes).toString('hex')).toBe(
      [
        '02', // version
        '03', // samples
        FIRST_OF_SCRAPED,
        // t +14999 ms, flags (same layout, every delta's change written: all three changed), zero
        // count +0, count +3, sum 3, deltas +1 +1 -2
        'aeea01',
        '12',
        '00',
        '06',
        '0000000000000840',
        '020203',
        // t +15000 ms, i.e. +1 on the delta; flags (new layout, counts relative to the sample
        // before), schema 0, threshold, span of 4
        '02',
        '20',
        '00',
        'fca9f1d24d62503f',
        '010504',
        '00',
        // zero count +0, count +4, sum 4; counts 2 6 4 became 4 6 5 1: runs (0, +2), (1, +1), (0, +1)
        '00',
        '08',
        '0000000000001040',
        '000401020002',
      ].join(''),
    );
    expect(decodeHistogramChunk(bytes)).toEqual({
      timestamps: timestamps.slice(0, 3),
      histograms: histograms.slice(0, 3),
    });
  });

  it('reads chunks of version 1, which wrote every bucket change (golden)', () => {
    const { timestamps, histograms } = scraped(4);
    const v1 = [
      '01', // version
      '03', // samples
      FIRST_OF_SCRAPED, // the same in both versions
      'aeea01',
      '02',
      '00',
      '06',
      '0000000000000840',
      '020203', // every bucket's change: +1 +1 -2
      '02',
      '00',
      '00',
      'fca9f1d24d62503f',
      '010504',
      '00',
      '00',
      '10',
      '0000000000001040',
      '08040107',
    ].join('');
    expect(decodeHistogramChunk(Uint8Array.from(Buffer.from(v1, 'hex')))).toEqual({
      timestamps: timestamps.slice(0, 3),
      histograms: histograms.slice(0, 3),
    });
  });

  it('costs bytes for the buckets that changed, not for every bucket of a wide histogram', () => {
    // 600 buckets, five observations a scrape in five of them.
    const timestamps: number[] = [];
    const histograms: NativeHistogram[] = [];
    const counts = new Array<number>(600).fill(1);
    for (let i = 0; i < 120; i++) {
      for (let o = 0; o < 5; o++) counts[(i * 37 + o * 101) % 600]!++;
      const deltas = counts.map((c, k) => c - (k === 0 ? 0 : counts[k - 1]!));
      const count = counts.reduce((a, c) => a + c, 0);
      timestamps.push(1_700_000_000_000 + i * 15_000);
      histograms.push({
        ...example,
        kind: 'int',
        zeroCount: 0,
        count,
        sum: count / 10,
        positiveSpans: [{ offset: -300, length: 600 }],
        positiveDeltas: deltas,
        negativeSpans: [],
        negativeDeltas: [],
        counterResetHint: i === 0 ? 'unknown' : 'not_reset',
      });
    }
    const bytes = encodeHistogramChunk(timestamps, histograms);
    expect(decodeHistogramChunk(bytes)).toEqual({ timestamps, histograms });
    // Timestamp, flags, counts and sum (12 bytes), then two delta changes per observed bucket.
    expect((bytes.length - 620) / 119).toBeLessThan(40);
  });

  it('stores a slowly growing counter histogram in a few bytes a sample', () => {
    const { timestamps, histograms } = scraped(120);
    const bytes = encodeHistogramChunk(timestamps, histograms);
    expect(decodeHistogramChunk(bytes)).toEqual({ timestamps, histograms });
    // 1 timestamp + 1 flags + 2 counts + 8 sum + 3-4 buckets, after the first sample.
    expect(bytes.length / 120).toBeLessThan(16);
  });

  it('refuses bytes no encoder wrote, naming what is wrong', () => {
    const bytes = encodeHistogramChunk([1000], [example]);
    const fail = (b: Uint8Array) => {
      try {
        decodeHistogramChunk(b);
      } catch (e) {
        expect(e).toBeInstanceOf(NativeHistogramError);
        return (e as Error).message;
      }
      return 'decoded';
    };
    expect(fail(bytes.subarray(0, bytes.length - 3))).toBe('histogram chunk ends inside a sample');
    expect(fail(Uint8Array.of(9, 0))).toBe('histogram chunk has version 9, this vigil reads 1 to 2');
    expect(fail(Uint8Array.of(...bytes, 0))).toBe('histogram chunk has bytes after its last sample');
    expect(fail(Uint8Array.of(1, 1, 0, 2))).toBe(
      'histogram chunk refers to the layout of a sample before its first',
    );
  });
});
