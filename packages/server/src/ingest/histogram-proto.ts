import type { BucketSpan, CounterResetHint, NativeHistogram } from '../store/native-histogram.js';
import { I64, LEN, type ProtoReader, VARINT } from './proto-reader.js';

/**
 * The parts of a native histogram as protobuf carries them, in the exposition's `Histogram` and
 * remote write's `prompb.Histogram` alike (different field numbers, same contents), gathered while
 * a decoder reads the message; `build` makes the shared sample of them.
 */
export class HistogramParts {
  countInt = 0;
  countFloat: number | undefined;
  sum = 0;
  schema = 0;
  zeroThreshold = 0;
  zeroCountInt = 0;
  zeroCountFloat: number | undefined;
  readonly positiveSpans: BucketSpan[] = [];
  readonly negativeSpans: BucketSpan[] = [];
  readonly positiveDeltas: number[] = [];
  readonly negativeDeltas: number[] = [];
  readonly positiveCounts: number[] = [];
  readonly negativeCounts: number[] = [];
  counterResetHint: CounterResetHint = 'unknown';

  /**
   * An integer histogram unless float counts were sent (Prometheus's rule: any float count or
   * absolute bucket count makes it a float histogram). Not validated here: see validateNativeHistogram.
   */
  build(): NativeHistogram {
    const float =
      this.countFloat !== undefined ||
      this.zeroCountFloat !== undefined ||
      this.positiveCounts.length > 0 ||
      this.negativeCounts.length > 0;
    const shape = {
      schema: this.schema,
      zeroThreshold: this.zeroThreshold,
      sum: this.sum,
      positiveSpans: this.positiveSpans,
      negativeSpans: this.negativeSpans,
      counterResetHint: this.counterResetHint,
    };
    if (!float) {
      return {
        kind: 'int',
        ...shape,
        count: this.countInt,
        zeroCount: this.zeroCountInt,
        positiveDeltas: this.positiveDeltas,
        negativeDeltas: this.negativeDeltas,
      };
    }
    return {
      kind: 'float',
      ...shape,
      count: this.countFloat ?? this.countInt,
      zeroCount: this.zeroCountFloat ?? this.zeroCountInt,
      positiveCounts: this.positiveCounts,
      negativeCounts: this.negativeCounts,
    };
  }
}

/** `BucketSpan { sint32 offset = 1; uint32 length = 2; }`, the same message in both formats. */
export function readSpan(r: ProtoReader, end: number, into: BucketSpan[]): void {
  const length = r.length(end, 'BucketSpan');
  const spanEnd = r.pos + length;
  let offset = 0;
  let spanLength = 0;
  while (r.pos < spanEnd) {
    const at = r.pos;
    const key = r.varint(spanEnd, 'field key');
    const field = key >>> 3;
    if (field === 1 && (key & 7) === VARINT) offset = unzigzag(r.varint(spanEnd, 'BucketSpan.offset'));
    else if (field === 2 && (key & 7) === VARINT) spanLength = r.varint(spanEnd, 'BucketSpan.length');
    else if (field === 0) throw r.malformed('field number 0', at);
    else r.skip(key & 7, spanEnd, field);
  }
  into.push({ offset, length: spanLength });
}

/** A `repeated sint64`, packed (one LEN field) or not (one varint per element): parsers must take both. */
export function readSint64s(
  r: ProtoReader,
  wireType: number,
  end: number,
  what: string,
  into: number[],
): void {
  if (wireType === VARINT) {
    into.push(unzigzag(r.varint(end, what)));
    return;
  }
  expect(r, wireType, LEN, what);
  const length = r.length(end, what);
  const listEnd = r.pos + length;
  while (r.pos < listEnd) into.push(unzigzag(r.varint(listEnd, what)));
}

/** A `repeated double`, packed or not. */
export function readDoubles(
  r: ProtoReader,
  wireType: number,
  end: number,
  what: string,
  into: number[],
): void {
  if (wireType === I64) {
    into.push(readDouble(r, end, what));
    return;
  }
  expect(r, wireType, LEN, what);
  const length = r.length(end, what);
  if (length % 8 !== 0) throw r.malformed(`${what} is ${length} bytes, not a multiple of 8`, r.pos);
  const listEnd = r.pos + length;
  while (r.pos < listEnd) into.push(readDouble(r, listEnd, what));
}

export function readDouble(r: ProtoReader, end: number, what: string): number {
  if (r.pos + 8 > end) throw r.malformed(`truncated ${what}`, r.pos);
  const value = r.view.getFloat64(r.pos, true);
  r.pos += 8;
  return value;
}

export function expect(r: ProtoReader, got: number, wanted: number, what: string): void {
  if (got !== wanted) throw r.malformed(`${what} has wire type ${got}, expected ${wanted}`, r.pos);
}

/** A zigzag varint (`sint32`/`sint64`) back to its signed value; exact below 2^53. */
export function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}
