import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canMeasureStretches, longestStretchWhile } from '../../../../test/support/event-loop-stretch.js';
import { IngestError } from '../../src/ingest/ingest-error.js';
import {
  decodeRemoteWrite,
  decodeRemoteWritePaced,
  decodeWriteRequest,
  encodeRemoteWrite,
} from '../../src/ingest/remote-write.js';
import { snappyCompress } from '../../src/ingest/snappy.js';
import { encodeWriteRequest } from '../../src/ingest/write-request-encoder.js';
import { isStaleNaN, type SeriesSamples, staleNaN } from '../../src/store/series-store.js';

const hex = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));

/** A double from its 64 bits, so that NaN payloads can be generated and compared. */
function fromBits(bits: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

function bitsOf(values: ArrayLike<number>): bigint[] {
  const array = values instanceof Float64Array ? values : Float64Array.from(values);
  return [...new BigUint64Array(array.buffer, array.byteOffset, array.length)];
}

/** A LEN field: key, length, contents (lengths under 128 here). */
function len(field: number, content: number[]): number[] {
  return [(field << 3) | 2, content.length, ...content];
}

function failure(run: () => unknown): IngestError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IngestError);
    return error as IngestError;
  }
  throw new Error('expected an IngestError, nothing was thrown');
}

/**
 * Made by shared/peers/remote_write.py's own functions (the encoding VictoriaMetrics and Prometheus
 * accepted there): rw_test_metric{job="rw",src="remote_write.py"} 42 @1795417184629 and -0.5 one
 * second later, then neg{a="ü"} 1e21 at -1 (a ten-byte varint).
 */
const GOLDEN =
  '0a630a1a0a085f5f6e616d655f5f120e72775f746573745f6d65747269630a090a036a6f62120272770a160a03737263120f72656d6f74655f77726974652e7079121009000000000000454010f5b2d0b9a034121009000000000000e0bf10ddbad0b9a0340a300a0f0a085f5f6e616d655f5f12036e65670a070a01611202c3bc12140950efe2d6e41a4b4410ffffffffffffffffff01';
/** The same through remote_write.py's literal-only snappy. */
const GOLDEN_SNAPPY = `9701f096${GOLDEN}`;
const GOLDEN_SERIES: SeriesSamples[] = [
  {
    labels: { __name__: 'rw_test_metric', job: 'rw', src: 'remote_write.py' },
    timestamps: Float64Array.of(1795417184629, 1795417185629),
    values: Float64Array.of(42, -0.5),
  },
  { labels: { __name__: 'neg', a: 'ü' }, timestamps: Float64Array.of(-1), values: Float64Array.of(1e21) },
];

describe('decodeWriteRequest: golden bytes', () => {
  it('decodes what remote_write.py sends', () => {
    expect(decodeRemoteWrite(hex(GOLDEN_SNAPPY))).toEqual({
      series: GOLDEN_SERIES,
      histogramSeries: [],
      timeseries: 2,
      samples: 3,
      exemplars: 0,
      histograms: 0,
      metadata: 0,
      families: [],
    });
  });

  it('encodes byte for byte what remote_write.py writes', () => {
    expect(Buffer.from(encodeWriteRequest(GOLDEN_SERIES)).toString('hex')).toBe(GOLDEN);
    // Labels are sorted whatever the object's key order.
    const reordered = [
      { ...GOLDEN_SERIES[0]!, labels: { src: 'remote_write.py', job: 'rw', __name__: 'rw_test_metric' } },
    ];
    expect(decodeWriteRequest(encodeWriteRequest(reordered)).series).toEqual([GOLDEN_SERIES[0]]);
  });

  it('keeps the staleness marker and other NaN payloads bit for bit, and the infinities', () => {
    const values = Float64Array.of(
      staleNaN(),
      fromBits(0x7ff8000000000001n),
      fromBits(0xfff0000000000abcn),
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
    );
    const series = [{ labels: { __name__: 'up' }, timestamps: Float64Array.of(1, 2, 3, 4, 5, 6), values }];
    const decoded = decodeRemoteWrite(encodeRemoteWrite(series)).series[0]!;
    expect(decoded.values).toBeInstanceOf(Float64Array);
    expect(bitsOf(decoded.values)).toEqual(bitsOf(values));
    expect(isStaleNaN(decoded.values[0]!)).toBe(true);
  });

  it('writes UTF-8 as TextEncoder does, a lone surrogate as U+FFFD, and reads it back', () => {
    const labels = { __name__: 'x', a: 'ü€𝄞', b: 'lone \uD800 surrogate', c: '\uDC00' };
    const body = encodeWriteRequest([{ labels, timestamps: [1], values: [1] }]);
    expect(decodeWriteRequest(body).series[0]!.labels).toEqual({
      __name__: 'x',
      a: 'ü€𝄞',
      b: 'lone \uFFFD surrogate',
      c: '\uFFFD',
    });
  });

  it('accepts values in a plain array', () => {
    const series = [
      { labels: { __name__: 'x' }, timestamps: [10, 20], values: [1.5, Number.POSITIVE_INFINITY] },
    ];
    expect(decodeWriteRequest(encodeWriteRequest(series)).series[0]!.values).toEqual(
      Float64Array.of(1.5, Infinity),
    );
  });

  it('reads fields in any order, the defaults of absent fields, and the last of a repeated scalar', () => {
    const body = Uint8Array.from([
      0x0a, 22,
      // Sample { timestamp = 5; value = 1.0; value = 2.0 } (the last value wins, as in Go)
      0x12, 20, 0x10, 5, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x09, 0, 0, 0, 0, 0, 0, 0, 0x40,
    ]);
    expect(decodeWriteRequest(body).series).toEqual([
      { labels: {}, timestamps: Float64Array.of(5), values: Float64Array.of(2) },
    ]);
    // An empty Sample is value 0 at time 0; a Label with an empty value is no label (Prometheus drops them).
    const empty = Uint8Array.from([0x0a, 9, 0x0a, 5, 0x0a, 1, 0x61, 0x12, 0, 0x12, 0]);
    expect(decodeWriteRequest(empty).series).toEqual([
      { labels: {}, timestamps: Float64Array.of(0), values: Float64Array.of(0) },
    ]);
  });

  it('steps over unknown fields of every wire type, and counts metadata, exemplars and histograms', () => {
    // Field 15 as a varint, a fixed64, a LEN and a fixed32, at every level.
    const unknown = [
      0x78,
      0x96,
      0x01,
      0x79,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      ...len(15, [0xff, 0xff]),
      0x7d,
      1,
      2,
      3,
      4,
    ];
    const label = len(1, [...unknown, ...len(1, [0x6b]), ...len(2, [0x76])]);
    const sample = len(2, [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, ...unknown, 0x10, 7]);
    const series = len(1, [
      ...label,
      ...unknown,
      ...sample,
      ...len(3, [0x08, 1]),
      ...len(4, []),
      // count_int 0: an empty histogram (one observation in no bucket would break the model).
      ...len(4, [0x08, 0]),
    ]);
    const request = Uint8Array.from([...series, ...len(3, [0x0a, 1, 0x78]), ...unknown]);
    expect(decodeWriteRequest(request)).toEqual({
      series: [{ labels: { k: 'v' }, timestamps: Float64Array.of(7), values: Float64Array.of(1) }],
      histogramSeries: [
        {
          labels: { k: 'v' },
          timestamps: [0, 0],
          histograms: [
            expect.objectContaining({ kind: 'int', count: 0 }),
            expect.objectContaining({ kind: 'int', count: 0 }),
          ],
        },
      ],
      timeseries: 1,
      samples: 1,
      exemplars: 1,
      histograms: 2,
      metadata: 1,
      families: [],
    });
  });

  it('counts a series with only histograms but does not return it', () => {
    const body = Uint8Array.from([0x0a, 7, 0x0a, 3, 0x0a, 1, 0x61, 0x22, 0]);
    expect(decodeWriteRequest(body)).toMatchObject({ series: [], timeseries: 1, samples: 0, histograms: 1 });
  });

  it('decodes negative and large timestamps exactly', () => {
    const timestamps = [-1, -(2 ** 31), -(2 ** 32) - 1, 2 ** 53 - 1, -(2 ** 53) + 1, 0, 1_795_417_184_629];
    const series = [{ labels: { __name__: 't' }, timestamps, values: timestamps.map(() => 1) }];
    expect([...decodeWriteRequest(encodeWriteRequest(series)).series[0]!.timestamps]).toEqual(timestamps);
  });
});

describe('remote write label text', () => {
  it('keeps a byte-order mark at the start of a label value (the bytes sent are the bytes stored)', () => {
    const series = [
      { labels: { __name__: 'bom', v: '\uFEFFx' }, timestamps: [1], values: Float64Array.of(1) },
    ];
    expect(decodeRemoteWrite(encodeRemoteWrite(series)).series[0]!.labels).toEqual({
      __name__: 'bom',
      v: '\uFEFFx',
    });
  });
});

const labelName = fc.oneof(
  fc.constantFrom('__name__', 'job', 'instance', '__proto__', 'le'),
  fc.string({ minLength: 1 }),
);
const anyDouble = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(fromBits);
const seriesArbitrary = fc
  .tuple(
    fc.dictionary(labelName, fc.string({ unit: 'binary' }), { maxKeys: 6 }),
    fc.array(
      fc.tuple(
        fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        fc.oneof(anyDouble, fc.double()),
      ),
      {
        maxLength: 8,
      },
    ),
  )
  .map(([labels, samples]) => ({
    labels,
    timestamps: samples.map(([t]) => t),
    values: Float64Array.from(samples.map(([, v]) => v)),
  }));

describe('remote write round trip (fast-check)', () => {
  it('decode(encode(x)) gives x back: labels (empty values dropped), timestamps, value bits', () => {
    fc.assert(
      fc.property(fc.array(seriesArbitrary, { maxLength: 6 }), (input) => {
        const decoded = decodeRemoteWrite(encodeRemoteWrite(input));
        const expected = input.filter((s) => s.timestamps.length > 0);
        expect(decoded.timeseries).toBe(input.length);
        expect(decoded.series.length).toBe(expected.length);
        decoded.series.forEach((series, i) => {
          const want = expected[i]!;
          expect(series.labels).toEqual(
            Object.fromEntries(Object.entries(want.labels).filter(([, v]) => v !== '')),
          );
          expect(Object.keys(series.labels).sort()).toEqual(
            Object.keys(want.labels)
              .filter((k) => want.labels[k] !== '')
              .sort(),
          );
          expect([...series.timestamps]).toEqual(want.timestamps);
          expect(bitsOf(series.values)).toEqual(bitsOf(want.values));
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe('malformed remote-write bodies fail with a typed error naming what was wrong', () => {
  const one = encodeWriteRequest(GOLDEN_SERIES.slice(0, 1));

  it('fails on every truncation inside a series (all of them for a one-series body)', () => {
    expect(decodeWriteRequest(one.subarray(0, 0)).series).toEqual([]);
    for (let cut = 1; cut < one.length; cut++) {
      const error = failure(() => decodeWriteRequest(one.subarray(0, cut)));
      expect(error.reason, `cut at ${cut}`).toBe('bad_protobuf');
      expect(error.message).toMatch(/^protobuf: .* at byte \d+$/);
    }
  });

  it('fails on every truncation of the compressed body', () => {
    const body = encodeRemoteWrite(GOLDEN_SERIES);
    for (let cut = 0; cut < body.length; cut++) {
      expect(failure(() => decodeRemoteWrite(body.subarray(0, cut))).reason).toBe('bad_snappy');
    }
  });

  it.each([
    ['timeseries as a varint', [0x08, 1], 'WriteRequest.timeseries has wire type 0, expected 2 at byte 0'],
    ['a length past the end', [0x0a, 5, 0], 'TimeSeries declares 5 bytes, only 1 remain at byte 1'],
    [
      'a label past its series',
      [0x0a, 2, 0x0a, 5],
      'TimeSeries.labels declares 5 bytes, only 0 remain at byte 3',
    ],
    [
      'a sample value as a varint',
      [0x0a, 4, 0x12, 2, 0x08, 1],
      'Sample.value has wire type 0, expected 1 at byte 4',
    ],
    ['a truncated sample value', [0x0a, 6, 0x12, 4, 0x09, 0, 0, 0], 'truncated Sample.value at byte 5'],
    [
      'a timestamp as a double',
      [0x0a, 11, 0x12, 9, 0x11, 0, 0, 0, 0, 0, 0, 0, 0],
      'Sample.timestamp has wire type 1',
    ],
    ['a label name as a varint', [0x0a, 4, 0x0a, 2, 0x08, 1], 'Label.name has wire type 0, expected 2'],
    ['a group (wire type 3)', [0x7b], 'field 15 has wire type 3'],
    ['timeseries as a group', [0x0b], 'WriteRequest.timeseries has wire type 3, expected 2'],
    ['field number 0', [0x02, 0], 'field number 0 at byte 0'],
    ['an 11-byte varint', [0x78, ...new Array(10).fill(0xff), 1], 'varint longer than 10 bytes'],
    ['a truncated varint', [0x78, 0xff], 'truncated varint (field 15) at byte 2'],
    ['a truncated fixed64', [0x79, 1, 2], 'truncated fixed-width field 15 at byte 1'],
    ['a truncated fixed32', [0x7d, 1], 'truncated fixed-width field 15'],
    ['wire type 6', [0x7e], 'field 15 has wire type 6'],
  ])('%s', (_, body, message) => {
    const error = failure(() => decodeWriteRequest(Uint8Array.from(body)));
    expect(error.reason).toBe('bad_protobuf');
    expect(error.message).toContain(message);
  });

  it('refuses a label without a name, and a label name given twice', () => {
    const noName = failure(() => decodeWriteRequest(Uint8Array.from([0x0a, 5, 0x0a, 3, 0x12, 1, 0x76])));
    expect(noName).toMatchObject({
      reason: 'bad_labels',
      message: 'remote write: series 0 has a label with an empty name',
    });
    const label = [0x0a, 6, 0x0a, 1, 0x61, 0x12, 1, 0x76];
    const twice = failure(() => decodeWriteRequest(Uint8Array.from([0x0a, 16, ...label, ...label])));
    expect(twice).toMatchObject({
      reason: 'bad_labels',
      message: 'remote write: series 0 has the label "a" twice',
    });
  });

  it('refuses a body that decompresses past maxBytes as too_large', () => {
    const body = snappyCompress(new Uint8Array(10_000));
    expect(failure(() => decodeRemoteWrite(body, { maxBytes: 9_999 })).reason).toBe('too_large');
  });

  it('never throws anything but an IngestError, nor hangs, on random bytes or mutated bodies', () => {
    const valid = encodeWriteRequest(GOLDEN_SERIES);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc
            .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
              minLength: 1,
              maxLength: 4,
            })
            .map((edits) => {
              const copy = valid.slice();
              for (const [at, byte] of edits) copy[at] = byte;
              return copy;
            }),
        ),
        (body) => {
          try {
            const decoded = decodeWriteRequest(body);
            for (const s of decoded.series) expect(s.values.length).toBe(s.timestamps.length);
          } catch (error) {
            expect(error).toBeInstanceOf(IngestError);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('decodeRemoteWritePaced', () => {
  const filler = 'x'.repeat(3000);
  const body = (n: number) =>
    encodeRemoteWrite(
      Array.from({ length: n }, (_, i) => ({
        labels: { __name__: 'long_labels', path: `${i}-${filler}`, i: String(i) },
        timestamps: [1_700_000_000_000 + i, 1_700_000_001_000 + i],
        values: [i, -i],
      })),
    );

  it('decodes what decodeRemoteWrite does, across its pauses, and two at once', async () => {
    // 6 MB decompressed: several pauses in each half.
    const a = body(2_000);
    const b = body(1_500);
    const [pa, pb] = await Promise.all([decodeRemoteWritePaced(a), decodeRemoteWritePaced(b)]);
    expect(pa).toEqual(decodeRemoteWrite(a));
    expect(pb).toEqual(decodeRemoteWrite(b));
  });

  it('fails as decodeRemoteWrite does: too_large before decoding, bad_snappy on a truncated body', async () => {
    const b = body(10);
    await expect(decodeRemoteWritePaced(b, { maxBytes: 1000 })).rejects.toMatchObject({
      reason: 'too_large',
    });
    await expect(decodeRemoteWritePaced(b.subarray(0, b.length - 3))).rejects.toBeInstanceOf(IngestError);
  });

  it.runIf(canMeasureStretches)(
    'holds the event loop at most 50 ms at a time over 20,000 series of 3,000-character labels (60 MB decompressed)',
    async () => {
      const b = body(20_000);
      // Decoded in one go: 120-156 ms.
      const { result, cpuMs } = await longestStretchWhile(() =>
        decodeRemoteWritePaced(b, { maxBytes: 80 * 2 ** 20 }),
      );
      expect(result.series).toHaveLength(20_000);
      expect(result.series[19_999]!.labels.i).toBe('19999');
      expect(cpuMs).toBeLessThan(50);
    },
    60_000,
  );
});

describe('encodeWriteRequest refuses what it cannot encode', () => {
  it('a timestamp that is not an integer, and arrays of different lengths', () => {
    expect(() => encodeWriteRequest([{ labels: {}, timestamps: [1.5], values: [1] }])).toThrow(
      'encodeWriteRequest: series 0 sample 0: timestamp 1.5 is not an integer',
    );
    expect(() => encodeWriteRequest([{ labels: {}, timestamps: [1], values: [] }])).toThrow(
      'encodeWriteRequest: series 0 has 1 timestamps and 0 values',
    );
  });
});
