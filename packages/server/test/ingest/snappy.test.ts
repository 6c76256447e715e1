import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IngestError } from '../../src/ingest/ingest-error.js';
import { snappyCompress, snappyDecodedLength, snappyDecompress } from '../../src/ingest/snappy.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const ascii = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

function failure(run: () => unknown): IngestError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IngestError);
    return error as IngestError;
  }
  throw new Error('expected an IngestError, nothing was thrown');
}

describe('snappyDecompress: golden blocks, one per element kind (format_description.txt)', () => {
  it('reads a literal with its length in the tag', () => {
    expect(text(snappyDecompress(bytes(3, 2 << 2, 0x61, 0x62, 0x63)))).toBe('abc');
  });

  it('reads literals whose length-1 follows in 1, 2, 3 and 4 bytes (tags 60 to 63)', () => {
    const payload = new Uint8Array(300).map((_, i) => i & 0xff);
    expect(snappyDecompress(Uint8Array.from([100, 60 << 2, 99, ...payload.subarray(0, 100)]))).toEqual(
      payload.subarray(0, 100),
    );
    for (const tag of [
      [61 << 2, 43, 1],
      [62 << 2, 43, 1, 0],
      [63 << 2, 43, 1, 0, 0],
    ]) {
      // 0xac 0x02 = 300; 43 + 256 = 299 = length - 1.
      expect(snappyDecompress(Uint8Array.from([0xac, 0x02, ...tag, ...payload]))).toEqual(payload);
    }
  });

  it('reads a copy with a 1-byte offset, overlapping its own output (a run)', () => {
    // "a", then copy offset 1 length 9: tag = (offset >> 8) << 5 | (9 - 4) << 2 | 1.
    expect(text(snappyDecompress(bytes(10, 0, 0x61, (5 << 2) | 1, 1)))).toBe('a'.repeat(10));
  });

  it('reads copies with 2-byte and 4-byte offsets', () => {
    // "abcd" then copy-2 offset 4 length 8, then copy-4 offset 12 length 4: "abcdabcdabcdabcd".
    const block = bytes(16, 3 << 2, 0x61, 0x62, 0x63, 0x64, (7 << 2) | 2, 4, 0, (3 << 2) | 3, 12, 0, 0, 0);
    expect(text(snappyDecompress(block))).toBe('abcd'.repeat(4));
  });

  it('reads a 1-byte-offset copy whose offset uses the tag high bits (offset 1 000)', () => {
    const head = new Uint8Array(1000).map((_, i) => (i * 7) & 0xff);
    const block = Uint8Array.from([
      ...[0xec, 0x07], // 1004
      61 << 2,
      999 & 0xff,
      999 >> 8,
      ...head,
      ((1000 >> 8) << 5) | (0 << 2) | 1,
      1000 & 0xff,
    ]);
    expect(snappyDecompress(block)).toEqual(Uint8Array.from([...head, ...head.subarray(0, 4)]));
  });

  it('reads an empty block', () => {
    expect(snappyDecompress(bytes(0))).toEqual(new Uint8Array(0));
  });
});

describe('snappyDecompress refuses corrupt input with a typed error', () => {
  it.each([
    ['an empty body', bytes(), 'truncated length header'],
    ['a length header that never ends', bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 'longer than 5 bytes'],
    ['a length over 2^32-1', bytes(0xff, 0xff, 0xff, 0xff, 0x1f), 'over 2^32-1'],
    ['a literal past the input', bytes(5, 4 << 2, 0x61), 'runs past the input'],
    ['a literal past the declared length', bytes(1, 1 << 2, 0x61, 0x62), 'past the declared length'],
    ['a truncated literal length', bytes(20, 61 << 2, 1), 'truncated literal length'],
    ['a copy with offset 0', bytes(5, 0, 0x61, (0 << 2) | 1, 0), 'copy offset 0'],
    ['a copy reaching before the output', bytes(5, 0, 0x61, (0 << 2) | 1, 2), 'copy offset 2'],
    ['a copy past the declared length', bytes(3, 0, 0x61, (0 << 2) | 1, 1), 'past the declared length'],
    ['a truncated copy-2', bytes(5, 0, 0x61, 2, 1), 'truncated copy'],
    ['a truncated copy-4', bytes(5, 0, 0x61, 3, 1, 0, 0), 'truncated copy'],
    ['fewer bytes than declared', bytes(3, 0, 0x61), '1 bytes decoded, the header declares 3'],
  ])('%s', (_, block, message) => {
    const error = failure(() => snappyDecompress(block));
    expect(error.reason).toBe('bad_snappy');
    expect(error.message).toContain(message);
  });

  it('refuses a declared length over maxBytes as too_large before allocating it', () => {
    const error = failure(() => snappyDecompress(bytes(0xff, 0xff, 0xff, 0xff, 0x0f), { maxBytes: 1 << 20 }));
    expect(error.reason).toBe('too_large');
    expect(error.message).toBe(
      'snappy: the block declares 4294967295 uncompressed bytes, more than the limit of 1048576',
    );
    expect(snappyDecodedLength(bytes(0xff, 0xff, 0xff, 0xff, 0x0f))).toEqual({
      length: 4294967295,
      headerBytes: 5,
    });
  });

  it('refuses a declared length the input could never expand to, even under maxBytes', () => {
    const error = failure(() =>
      snappyDecompress(bytes(0x80, 0x80, 0x80, 0x01, 0, 0x61), { maxBytes: 2 ** 32 }),
    );
    expect(error.reason).toBe('bad_snappy');
    expect(error.message).toContain('cannot expand');
  });

  it('fails on every truncation of a valid block, at the missing byte, never with another error', () => {
    const data = ascii('the quick brown fox jumps over the lazy dog; '.repeat(40));
    const block = snappyCompress(data);
    for (let cut = 0; cut < block.length; cut++) {
      expect(failure(() => snappyDecompress(block.subarray(0, cut))).reason).toBe('bad_snappy');
    }
  });

  it('returns the declared length or throws an IngestError for any bytes at all', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (block) => {
        try {
          const out = snappyDecompress(block, { maxBytes: 1 << 16 });
          expect(out.length).toBe(snappyDecodedLength(block).length);
        } catch (error) {
          expect(error).toBeInstanceOf(IngestError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('snappyCompress', () => {
  it('round-trips arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (data) => {
        expect(snappyDecompress(snappyCompress(data))).toEqual(data);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips repetitive data across 64 KiB blocks, with copies of every length and offset range', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 70 }), fc.integer({ min: 1, max: 300 })), {
          maxLength: 30,
        }),
        (runs) => {
          const data = ascii(runs.map(([piece, times]) => piece.repeat(times)).join(''));
          expect(snappyDecompress(snappyCompress(data), { maxBytes: data.length })).toEqual(data);
        },
      ),
      { numRuns: 100 },
    );
    const big = new Uint8Array(300_000).map((_, i) => (i % 1000 < 500 ? i % 7 : (i * 2654435761) >>> 24));
    expect(snappyDecompress(snappyCompress(big))).toEqual(big);
    // 100 runs of up to 630 KB each: past the default 5 s on a busy shared machine (seen at load 11).
  }, 60_000);

  it('compresses a remote-write-like payload', () => {
    const lines = Array.from(
      { length: 500 },
      (_, i) => `__name__http_requests_total job api instance 10.0.0.${i % 20}:9100 ${i}`,
    );
    const data = ascii(lines.join('\n'));
    const block = snappyCompress(data);
    expect(block.length).toBeLessThan(data.length / 4);
  });

  it('writes the length header as a varint', () => {
    expect([...snappyCompress(new Uint8Array(300)).subarray(0, 2)]).toEqual([0xac, 0x02]);
    expect([...snappyCompress(new Uint8Array(0))]).toEqual([0]);
  });
});
