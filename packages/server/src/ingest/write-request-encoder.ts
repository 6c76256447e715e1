import type { SeriesSamples } from '../store/series-store.js';
import {
  LABEL_NAME,
  LABEL_VALUE,
  SAMPLE_TIMESTAMP,
  SAMPLE_VALUE,
  SERIES_LABELS,
  SERIES_SAMPLES,
  WRITE_REQUEST_TIMESERIES,
} from './prompb.js';
import { I64, LEN, VARINT } from './proto-reader.js';

const utf8Encoder = new TextEncoder();

/**
 * The protobuf of a WriteRequest, labels sorted by name as the spec requires. Values are written
 * with DataView.setFloat64, which keeps a NaN's bits (V8 quiets a NaN only when it is stored in a
 * plain Array), so keep them in a Float64Array up to here. Timestamps must be integers (Unix ms).
 */
export function encodeWriteRequest(series: readonly SeriesSamples[]): Uint8Array {
  // Per series: its sorted label strings, each followed by its UTF-8 length.
  const labels: (string | number)[][] = new Array(series.length);
  const seriesSizes = new Array<number>(series.length);
  let total = 0;
  for (let s = 0; s < series.length; s++) {
    const { timestamps, values } = series[s]!;
    if (timestamps.length !== values.length) {
      throw new RangeError(
        `encodeWriteRequest: series ${s} has ${timestamps.length} timestamps and ${values.length} values`,
      );
    }
    const pairs: (string | number)[] = [];
    let size = 0;
    for (const name of Object.keys(series[s]!.labels).sort()) {
      const value = series[s]!.labels[name]!;
      const nameBytes = utf8Length(name);
      const valueBytes = utf8Length(value);
      pairs.push(name, nameBytes, value, valueBytes);
      size += fieldSize(fieldSize(nameBytes) + fieldSize(valueBytes));
    }
    labels[s] = pairs;
    for (let i = 0; i < timestamps.length; i++) {
      const t = timestamps[i]!;
      if (!Number.isSafeInteger(t)) {
        throw new RangeError(`encodeWriteRequest: series ${s} sample ${i}: timestamp ${t} is not an integer`);
      }
      size += fieldSize(9 + 1 + varint64Size(t));
    }
    seriesSizes[s] = size;
    total += fieldSize(size);
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let o = 0;
  for (let s = 0; s < series.length; s++) {
    const { timestamps, values } = series[s]!;
    out[o++] = (WRITE_REQUEST_TIMESERIES << 3) | LEN;
    o = writeVarint(out, o, seriesSizes[s]!);
    const pairs = labels[s]!;
    for (let p = 0; p < pairs.length; p += 4) {
      const nameBytes = pairs[p + 1] as number;
      const valueBytes = pairs[p + 3] as number;
      out[o++] = (SERIES_LABELS << 3) | LEN;
      o = writeVarint(out, o, fieldSize(nameBytes) + fieldSize(valueBytes));
      o = writeString(out, o, LABEL_NAME, pairs[p] as string, nameBytes);
      o = writeString(out, o, LABEL_VALUE, pairs[p + 2] as string, valueBytes);
    }
    for (let i = 0; i < timestamps.length; i++) {
      const t = timestamps[i]!;
      out[o++] = (SERIES_SAMPLES << 3) | LEN;
      o = writeVarint(out, o, 9 + 1 + varint64Size(t));
      out[o++] = (SAMPLE_VALUE << 3) | I64;
      view.setFloat64(o, values[i]!, true);
      o += 8;
      out[o++] = (SAMPLE_TIMESTAMP << 3) | VARINT;
      o = writeVarint64(out, o, t);
    }
  }
  return out;
}

/** What TextEncoder would write: a lone surrogate becomes U+FFFD, 3 bytes. */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (
      c >= 0xd800 &&
      c <= 0xdbff &&
      i + 1 < text.length &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}

function writeString(out: Uint8Array, o: number, field: number, text: string, bytes: number): number {
  out[o++] = (field << 3) | LEN;
  o = writeVarint(out, o, bytes);
  if (bytes === text.length) {
    for (let i = 0; i < bytes; i++) out[o + i] = text.charCodeAt(i);
  } else {
    utf8Encoder.encodeInto(text, out.subarray(o, o + bytes));
  }
  return o + bytes;
}

function fieldSize(length: number): number {
  return 1 + varint64Size(length) + length;
}

function writeVarint(out: Uint8Array, o: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[o++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[o++] = v;
  return o;
}

/** Ten bytes for a negative value: its 64-bit two's complement, as Go's proto.Marshal writes it. */
function writeVarint64(out: Uint8Array, o: number, value: number): number {
  if (value >= 0) return writeVarint(out, o, value);
  let lo = value >>> 0;
  let hi = Math.floor(value / 4294967296) >>> 0;
  while (hi !== 0 || lo > 0x7f) {
    out[o++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  out[o++] = lo;
  return o;
}

function varint64Size(value: number): number {
  if (value < 0) return 10;
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) size++;
  return size;
}
