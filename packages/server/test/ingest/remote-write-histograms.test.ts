import { describe, expect, it } from 'vitest';
import { IngestError } from '../../src/ingest/ingest-error.js';
import { decodeWriteRequest } from '../../src/ingest/remote-write.js';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const zigzag = (n: number) => varint(n >= 0 ? 2 * n : -2 * n - 1);
const len = (field: number, body: number[]) => [...varint((field << 3) | 2), ...varint(body.length), ...body];
const double = (field: number, v: number) => [(field << 3) | 1, ...new Uint8Array(Float64Array.of(v).buffer)];
const uint = (field: number, v: number) => [field << 3, ...varint(v)];
const sint = (field: number, v: number) => [field << 3, ...zigzag(v)];
const label = (name: string, value: string) =>
  len(1, [...len(1, [...Buffer.from(name)]), ...len(2, [...Buffer.from(value)])]);
const span = (offset: number, length: number) => [...sint(1, offset), ...uint(2, length)];

/** prompb.Histogram fields (types.proto): an integer histogram with packed deltas. */
function intHistogram(h: {
  count: number;
  sum: number;
  schema: number;
  zero: number;
  spans: number[][];
  deltas: number[];
  hint?: number;
  t: number;
}) {
  return [
    ...uint(1, h.count),
    ...double(3, h.sum),
    ...sint(4, h.schema),
    ...double(5, 0.001),
    ...uint(6, h.zero),
    ...h.spans.flatMap(([o, l]) => len(11, span(o!, l!))),
    ...len(12, h.deltas.flatMap(zigzag)),
    ...uint(14, h.hint ?? 0),
    ...uint(15, h.t),
  ];
}

function request(...series: number[][]): Uint8Array {
  return Uint8Array.from(series.flatMap((s) => len(1, s)));
}

describe('remote write native histograms', () => {
  it('reads integer and float histograms with their labels, times and reset hints', () => {
    const int = intHistogram({
      count: 6,
      sum: 12.5,
      schema: 3,
      zero: 1,
      spans: [
        [-2, 2],
        [1, 1],
      ],
      deltas: [2, -1, 1],
      hint: 2,
      t: 1_700_000_000_000,
    });
    const float = [
      ...double(2, 4.5),
      ...double(3, 9),
      ...sint(4, 0),
      ...double(7, 0.5),
      ...len(11, span(1, 2)),
      // Unpacked repeated doubles: parsers must read both forms.
      ...double(13, 1.5),
      ...double(13, 2.5),
      ...uint(15, 1_700_000_015_000),
    ];
    const decoded = decodeWriteRequest(
      request(
        [...label('__name__', 'rpc_seconds'), ...label('job', 'api'), ...len(4, int), ...len(4, float)],
        [...label('__name__', 'up'), ...len(2, [...double(1, 1), ...uint(2, 1_700_000_000_000)])],
      ),
    );
    expect(decoded.histograms).toBe(2);
    expect(decoded.series.map((s) => s.labels.__name__)).toEqual(['up']);
    expect(decoded.histogramSeries).toHaveLength(1);
    const [series] = decoded.histogramSeries;
    expect(series!.labels).toEqual({ __name__: 'rpc_seconds', job: 'api' });
    expect(Array.from(series!.timestamps)).toEqual([1_700_000_000_000, 1_700_000_015_000]);
    expect(series!.histograms[0]).toEqual({
      kind: 'int',
      schema: 3,
      zeroThreshold: 0.001,
      zeroCount: 1,
      count: 6,
      sum: 12.5,
      positiveSpans: [
        { offset: -2, length: 2 },
        { offset: 1, length: 1 },
      ],
      negativeSpans: [],
      positiveDeltas: [2, -1, 1],
      negativeDeltas: [],
      counterResetHint: 'not_reset',
    });
    expect(series!.histograms[1]).toMatchObject({
      kind: 'float',
      count: 4.5,
      zeroCount: 0.5,
      positiveCounts: [1.5, 2.5],
      counterResetHint: 'unknown',
    });
  });

  it('refuses a request holding a histogram that breaks the model, naming the series and the fault', () => {
    const cases: [number[], RegExp][] = [
      [
        intHistogram({ count: 3, sum: 1, schema: 3, zero: 0, spans: [[0, 2]], deltas: [2, -3], t: 1 }),
        /series 1: .*positive bucket 1 has a negative count/,
      ],
      [
        intHistogram({ count: 2, sum: 1, schema: 3, zero: 0, spans: [[0, 3]], deltas: [2], t: 1 }),
        /series 1: .*spans cover 3 buckets but 1/,
      ],
      [
        intHistogram({ count: 2, sum: 1, schema: 12, zero: 0, spans: [[0, 1]], deltas: [2], t: 1 }),
        /series 1: .*schema 12 is out of range/,
      ],
      [[...double(2, Number.NaN), ...double(3, 1)], /series 1: .*count NaN/],
    ];
    for (const [histogram, message] of cases) {
      let error: unknown;
      try {
        decodeWriteRequest(
          request([...label('__name__', 'ok')], [...label('__name__', 'h'), ...len(4, histogram)]),
        );
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(IngestError);
      expect((error as IngestError).reason).toBe('bad_histogram');
      expect((error as Error).message).toMatch(message);
    }
  });
});
