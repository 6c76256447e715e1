import { type BucketSpan, COUNTER_RESET_HINTS, type NativeHistogram } from '../store/native-histogram.js';
import type { SeriesHistograms, SeriesSamples } from '../store/series-store.js';
import {
  HISTOGRAM_COUNT_FLOAT,
  HISTOGRAM_COUNT_INT,
  HISTOGRAM_NEGATIVE_COUNTS,
  HISTOGRAM_NEGATIVE_DELTAS,
  HISTOGRAM_NEGATIVE_SPANS,
  HISTOGRAM_POSITIVE_COUNTS,
  HISTOGRAM_POSITIVE_DELTAS,
  HISTOGRAM_POSITIVE_SPANS,
  HISTOGRAM_RESET_HINT,
  HISTOGRAM_SCHEMA,
  HISTOGRAM_SUM,
  HISTOGRAM_TIMESTAMP,
  HISTOGRAM_ZERO_COUNT_FLOAT,
  HISTOGRAM_ZERO_COUNT_INT,
  HISTOGRAM_ZERO_THRESHOLD,
  LABEL_NAME,
  LABEL_VALUE,
  SAMPLE_TIMESTAMP,
  SAMPLE_VALUE,
  SERIES_HISTOGRAMS,
  SERIES_LABELS,
  SERIES_SAMPLES,
  WRITE_REQUEST_TIMESERIES,
} from './prompb.js';
import { I64, LEN, VARINT } from './proto-reader.js';

const utf8Encoder = new TextEncoder();

/**
 * The protobuf of a WriteRequest, labels sorted by name as the spec requires: a TimeSeries per entry
 * of `series` with its float samples, then one per entry of `histograms` with its native histogram
 * samples (`TimeSeries.histograms`, as Prometheus sends them). Values are written with
 * DataView.setFloat64, which keeps a NaN's bits (V8 quiets a NaN only when it is stored in a plain
 * Array), so keep them in a Float64Array up to here. Timestamps must be integers (Unix ms).
 */
export function encodeWriteRequest(
  series: readonly SeriesSamples[],
  histograms: readonly SeriesHistograms[] = [],
): Uint8Array {
  const count = series.length + histograms.length;
  // Per TimeSeries: its sorted label strings, each followed by its UTF-8 length.
  const labels: (string | number)[][] = new Array(count);
  const seriesSizes = new Array<number>(count);
  // Per histogram TimeSeries: its encoded Histogram messages.
  const encoded: Uint8Array[][] = new Array(histograms.length);
  let total = 0;
  for (let s = 0; s < count; s++) {
    const floats = s < series.length ? series[s]! : undefined;
    const { timestamps, labels: names } = floats ?? histograms[s - series.length]!;
    const samples = floats ? floats.values.length : histograms[s - series.length]!.histograms.length;
    if (timestamps.length !== samples) {
      throw new RangeError(
        `encodeWriteRequest: series ${s} has ${timestamps.length} timestamps and ${samples} ${floats ? 'values' : 'histograms'}`,
      );
    }
    const pairs: (string | number)[] = [];
    let size = 0;
    for (const name of Object.keys(names).sort()) {
      const value = names[name]!;
      const nameBytes = utf8Length(name);
      const valueBytes = utf8Length(value);
      pairs.push(name, nameBytes, value, valueBytes);
      size += fieldSize(fieldSize(nameBytes) + fieldSize(valueBytes));
    }
    labels[s] = pairs;
    const messages: Uint8Array[] = [];
    for (let i = 0; i < timestamps.length; i++) {
      const t = timestamps[i]!;
      if (!Number.isSafeInteger(t)) {
        throw new RangeError(`encodeWriteRequest: series ${s} sample ${i}: timestamp ${t} is not an integer`);
      }
      if (floats) size += fieldSize(9 + 1 + varint64Size(t));
      else {
        const message = encodeHistogram(histograms[s - series.length]!.histograms[i]!, t);
        messages.push(message);
        size += fieldSize(message.length);
      }
    }
    if (!floats) encoded[s - series.length] = messages;
    seriesSizes[s] = size;
    total += fieldSize(size);
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let o = 0;
  for (let s = 0; s < count; s++) {
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
    if (s >= series.length) {
      for (const message of encoded[s - series.length]!) {
        out[o++] = (SERIES_HISTOGRAMS << 3) | LEN;
        o = writeVarint(out, o, message.length);
        out.set(message, o);
        o += message.length;
      }
      continue;
    }
    const { timestamps, values } = series[s]!;
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

/**
 * One `prompb.Histogram`: an integer histogram with its deltas, a float one with its counts, as
 * remote write 1.0 carries them (the fields decodeWriteRequest reads back).
 */
function encodeHistogram(h: NativeHistogram, timestampMs: number): Uint8Array {
  const w = new BytesWriter();
  const int = h.kind === 'int';
  if (int) w.varintField(HISTOGRAM_COUNT_INT, h.count);
  else w.doubleField(HISTOGRAM_COUNT_FLOAT, h.count);
  w.doubleField(HISTOGRAM_SUM, h.sum);
  w.zigzagField(HISTOGRAM_SCHEMA, h.schema);
  w.doubleField(HISTOGRAM_ZERO_THRESHOLD, h.zeroThreshold);
  if (int) w.varintField(HISTOGRAM_ZERO_COUNT_INT, h.zeroCount);
  else w.doubleField(HISTOGRAM_ZERO_COUNT_FLOAT, h.zeroCount);
  for (const span of h.negativeSpans) w.span(HISTOGRAM_NEGATIVE_SPANS, span);
  if (int) w.packedZigzag(HISTOGRAM_NEGATIVE_DELTAS, h.negativeDeltas);
  else w.packedDoubles(HISTOGRAM_NEGATIVE_COUNTS, h.negativeCounts);
  for (const span of h.positiveSpans) w.span(HISTOGRAM_POSITIVE_SPANS, span);
  if (int) w.packedZigzag(HISTOGRAM_POSITIVE_DELTAS, h.positiveDeltas);
  else w.packedDoubles(HISTOGRAM_POSITIVE_COUNTS, h.positiveCounts);
  w.varintField(HISTOGRAM_RESET_HINT, COUNTER_RESET_HINTS.indexOf(h.counterResetHint));
  w.varintField(HISTOGRAM_TIMESTAMP, timestampMs);
  return w.finish();
}

const VARINT_SCRATCH = new Uint8Array(10);

/** A growing byte buffer for the few small messages that are not worth sizing up front. */
class BytesWriter {
  #bytes = new Uint8Array(64);
  #at = 0;
  readonly #scratch = new DataView(new ArrayBuffer(8));

  #byte(b: number): void {
    if (this.#at === this.#bytes.length) {
      const grown = new Uint8Array(this.#bytes.length * 2);
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    this.#bytes[this.#at++] = b;
  }

  #varint(value: number): void {
    const end = writeVarint64(VARINT_SCRATCH, 0, value);
    for (let i = 0; i < end; i++) this.#byte(VARINT_SCRATCH[i]!);
  }

  #tag(field: number, wire: number): void {
    this.#varint((field << 3) | wire);
  }

  varintField(field: number, value: number): void {
    if (value === 0) return;
    this.#tag(field, VARINT);
    this.#varint(value);
  }

  zigzagField(field: number, value: number): void {
    if (value === 0) return;
    this.#tag(field, VARINT);
    this.#varint(zigzag(value));
  }

  doubleField(field: number, value: number): void {
    if (value === 0 && !Object.is(value, -0)) return;
    this.#tag(field, I64);
    this.#double(value);
  }

  #double(value: number): void {
    this.#scratch.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.#byte(this.#scratch.getUint8(i));
  }

  span(field: number, span: BucketSpan): void {
    const inner = new BytesWriter();
    inner.zigzagField(1, span.offset);
    inner.varintField(2, span.length);
    this.#nested(field, inner.finish());
  }

  packedZigzag(field: number, values: readonly number[]): void {
    if (values.length === 0) return;
    const inner = new BytesWriter();
    for (const v of values) inner.#varint(zigzag(v));
    this.#nested(field, inner.finish());
  }

  packedDoubles(field: number, values: readonly number[]): void {
    if (values.length === 0) return;
    const inner = new BytesWriter();
    for (const v of values) inner.#double(v);
    this.#nested(field, inner.finish());
  }

  #nested(field: number, bytes: Uint8Array): void {
    this.#tag(field, LEN);
    this.#varint(bytes.length);
    for (const b of bytes) this.#byte(b);
  }

  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#at);
  }
}

/** sint64's zigzag, exact below 2^52 (counts and deltas are far below). */
function zigzag(n: number): number {
  return n >= 0 ? 2 * n : -2 * n - 1;
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
