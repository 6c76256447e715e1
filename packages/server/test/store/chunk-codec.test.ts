import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitReader, BitWriter } from '../../src/store/bit-stream.js';
import { ChunkEncoder, decodeChunk } from '../../src/store/chunk-codec.js';
import { SampleBuffer } from '../../src/store/sample-buffer.js';

const MAX_T = 2 ** 50;

function bitsOf(values: Float64Array): bigint[] {
  return [...new BigUint64Array(values.buffer, values.byteOffset, values.length)];
}

function floatsOf(bits: readonly bigint[]): Float64Array {
  return new Float64Array(new BigUint64Array(bits).buffer);
}

function encode(timestamps: readonly number[], values: Float64Array): ChunkEncoder {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const hiIndex = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
  const chunk = new ChunkEncoder(timestamps[0] ?? 0);
  for (let i = 0; i < timestamps.length; i++) {
    chunk.append(timestamps[i]!, values[i]!, words[2 * i + hiIndex]!, words[2 * i + 1 - hiIndex]!);
  }
  return chunk;
}

function roundTrip(timestamps: readonly number[], values: Float64Array) {
  const chunk = encode(timestamps, values);
  const out = new SampleBuffer(1);
  decodeChunk(chunk.writer.finish(), chunk.minT, chunk.count, out);
  return { chunk, out };
}

/** Ascending distinct timestamps: a start and positive steps, with steady runs mixed in. */
const timestampsArb = fc
  .tuple(
    fc.integer({ min: -MAX_T / 2, max: MAX_T / 2 }),
    fc.array(
      fc.oneof(
        fc.constant(15_000),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 14_990, max: 15_010 }),
      ),
      { maxLength: 300 },
    ),
  )
  .map(([start, steps]) => {
    const out = [start];
    for (const step of steps) {
      const next = out[out.length - 1]! + step;
      if (next > MAX_T / 2 + 2 ** 41) break;
      out.push(next);
    }
    return out;
  });

/** Any 64-bit pattern, biased towards the ones codecs get wrong: integers, NaN payloads, ±0, ±Inf. */
const valueBitsArb = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.constantFrom(
    0x7ff0000000000002n, // staleness marker
    0x7ff8000000000000n, // canonical NaN
    0xfff8000000000001n, // negative NaN with a payload
    0x7ff0000000000000n, // +Inf
    0xfff0000000000000n, // -Inf
    0x8000000000000000n, // -0
    0n,
  ),
  fc
    .oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -(2 ** 30), max: 2 ** 30 }))
    .map((n) => new BigUint64Array(new Float64Array([n]).buffer)[0]!),
  fc
    .constantFrom(2 ** 50, -(2 ** 50), 2 ** 50 + 2, 2 ** 53, 0.1, 1.5)
    .map((n) => new BigUint64Array(new Float64Array([n]).buffer)[0]!),
);

describe('chunk codec', () => {
  it('round-trips any ascending timestamps and any 64-bit value pattern exactly', () => {
    fc.assert(
      fc.property(timestampsArb, fc.array(valueBitsArb, { minLength: 301, maxLength: 301 }), (ts, bits) => {
        const values = floatsOf(bits.slice(0, ts.length));
        const { out } = roundTrip(ts, values);
        expect(out.length).toBe(ts.length);
        expect([...out.timestamps.subarray(0, out.length)]).toEqual(ts);
        expect(bitsOf(out.values.subarray(0, out.length))).toEqual(bits.slice(0, ts.length));
      }),
      { numRuns: 400 },
    );
  });

  it('round-trips counters that walk up and gauges that walk both ways', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -(2 ** 20), max: 2 ** 20 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: -(2 ** 49), max: 2 ** 49 }),
        (steps, start) => {
          const values = new Float64Array(steps.length);
          let v = start;
          steps.forEach((s, i) => {
            v += s;
            values[i] = v;
          });
          const ts = steps.map((_, i) => 1_700_000_000_000 + i * 15_000);
          const { out } = roundTrip(ts, values);
          expect(bitsOf(out.values.subarray(0, out.length))).toEqual(bitsOf(values));
        },
      ),
    );
  });

  it('filters by time and stops decoding past the end', () => {
    const ts = [10, 20, 30, 40, 50];
    const { chunk } = roundTrip(ts, new Float64Array([1, 2, 3, 4, 5]));
    const out = new SampleBuffer(1);
    const decoded = decodeChunk(chunk.writer.finish(), chunk.minT, chunk.count, out, 20, 35);
    expect([...out.timestamps.subarray(0, out.length)]).toEqual([20, 30]);
    expect([...out.values.subarray(0, out.length)]).toEqual([2, 3]);
    expect(decoded).toBe(4);
  });

  it('spends the bits the worked examples in timestamp-codec.ts and value-codec.ts say', () => {
    const steady = encode(
      [0, 15_000, 30_000, 45_003, 60_000],
      new Float64Array([1000, 1013, 1025, 1040, 1040]),
    );
    // timestamps 45 bits + values 52 bits
    expect(steady.writer.bitLength).toBe(45 + 52);
    const gauge = encode([0, 15_000, 30_000, 45_000], new Float64Array([0.5, 0.75, 0.75, 0.625]));
    // timestamps: 1 + 25 + 1 + 1; values: 65 + 14 + 1 + 15
    expect(gauge.writer.bitLength).toBe(28 + 95);
  });

  it('keeps a scrape of steady counters near a byte per sample', () => {
    const n = 240;
    const ts = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const values = new Float64Array(n);
    let v = 123_456;
    for (let i = 0; i < n; i++) values[i] = v += 5 + (i % 7);
    const chunk = encode(ts, values);
    expect(chunk.writer.finish().length / n).toBeLessThan(1);
  });
});

describe('bit stream', () => {
  it('reads back fields of every width at every alignment', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 32 }), fc.nat({ max: 0xffffffff })), { maxLength: 50 }),
        (fields) => {
          const w = new BitWriter(1);
          for (const [n, v] of fields) w.write(v, n);
          const r = new BitReader(w.finish());
          for (const [n, v] of fields) expect(r.read(n)).toBe(n === 32 ? v : v % 2 ** n);
        },
      ),
    );
  });
});
