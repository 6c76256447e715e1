import type { FloatHistogram } from '../query/float-histogram.js';
import { formatApiValue, formatValue } from '../query/format-value.js';
import type { QueryResult } from '../query/query-result.js';

/**
 * A query's answer in Prometheus's success envelope, with its `warnings` and `infos`, as JSON bytes: points as `[seconds, "value"]`,
 * values as Prometheus writes them (formatApiValue; a scalar formatValue), byte for byte what JSON.stringify would write
 * for those points. Written digit by digit from the numbers: a 30-day panel is 8,641 points, and
 * formatting each timestamp and value through strings cost more than the query's own evaluation.
 */
export function queryJson(data: QueryResult): Buffer {
  const out = new JsonBytes();
  for (const _ of write(data, out));
  return out.finish();
}

/**
 * `queryJson` handing the event loop back between series every YIELD_BYTES written: a 16 MB answer
 * (5,250 series of 3,000-character labels) written at once held it for 90 ms.
 */
export async function queryJsonPaced(data: QueryResult): Promise<Buffer> {
  const out = new JsonBytes();
  for (const _ of write(data, out)) await new Promise<void>((resolve) => setImmediate(resolve));
  return out.finish();
}

/** Writes the answer to `out`, yielding between series once YIELD_BYTES were written since the last yield. */
function* write(data: QueryResult, out: JsonBytes): Generator<void, void, undefined> {
  let yielded = 0;
  out.ascii(`{"status":"success","data":{"resultType":"${data.resultType}","result":`);
  switch (data.resultType) {
    case 'scalar':
      // Prometheus writes a scalar with promql.Scalar's own MarshalJSON: the 'f' form whatever its size.
      out.byte(LEFT_BRACKET);
      writeSeconds(out, data.timeMs);
      out.ascii(`,"${formatValue(data.value)}"]`);
      break;
    case 'string':
      out.byte(LEFT_BRACKET);
      writeSeconds(out, data.timeMs);
      out.byte(COMMA);
      out.text(JSON.stringify(data.value));
      out.byte(RIGHT_BRACKET);
      break;
    case 'vector':
      out.byte(LEFT_BRACKET);
      for (const [k, s] of data.result.entries()) {
        if (out.length - yielded >= YIELD_BYTES) {
          yield;
          yielded = out.length;
        }
        out.ascii(k === 0 ? '{"metric":' : ',{"metric":');
        out.text(JSON.stringify(s.metric));
        if (s.histogram) {
          out.ascii(',"histogram":');
          writeHistogramPoint(out, data.timeMs, s.histogram);
        } else {
          out.ascii(',"value":');
          writePoint(out, data.timeMs, s.value);
        }
        out.ascii('}');
      }
      out.byte(RIGHT_BRACKET);
      break;
    case 'matrix':
      out.byte(LEFT_BRACKET);
      for (const [k, s] of data.result.entries()) {
        if (out.length - yielded >= YIELD_BYTES) {
          yield;
          yielded = out.length;
        }
        out.ascii(k === 0 ? '{"metric":' : ',{"metric":');
        out.text(JSON.stringify(s.metric));
        const { timesMs, values, histograms } = s;
        // As Prometheus: "values" for the float points, "histograms" for the histogram points, each only when there are some.
        if (timesMs.length > 0 || !histograms) {
          out.ascii(',"values":[');
          for (let i = 0; i < timesMs.length; i++) writePoint(out, timesMs[i]!, values[i]!, i > 0);
          out.ascii(']');
        }
        if (histograms) {
          out.ascii(',"histograms":[');
          for (let i = 0; i < histograms.timesMs.length; i++) {
            if (i > 0) out.ascii(',');
            writeHistogramPoint(out, histograms.timesMs[i]!, histograms.values[i]!);
          }
          out.ascii(']');
        }
        out.ascii('}');
      }
      out.byte(RIGHT_BRACKET);
      break;
  }
  out.ascii('}');
  // As Prometheus: each list only when it has something.
  if (data.warnings?.length) out.text(`,"warnings":${JSON.stringify(data.warnings)}`);
  if (data.infos?.length) out.text(`,"infos":${JSON.stringify(data.infos)}`);
  out.ascii('}');
}

/**
 * `[seconds,{"count":"c","sum":"s","buckets":[[rule,"lower","upper","count"],...]}]` as Prometheus's
 * API writes a native histogram: numbers as strings, only buckets that hold observations, no
 * "buckets" member when none does.
 */
function writeHistogramPoint(out: JsonBytes, timeMs: number, h: FloatHistogram): void {
  out.reserve(POINT_BYTES);
  out.byte(LEFT_BRACKET);
  writeSeconds(out, timeMs);
  out.ascii(`,{"count":"${formatApiValue(h.count)}","sum":"${formatApiValue(h.sum)}"`);
  const buckets = h.buckets();
  if (buckets.length > 0) {
    out.ascii(',"buckets":[');
    buckets.forEach((b, i) => {
      out.ascii(
        `${i > 0 ? ',' : ''}[${b.boundaryRule},"${formatApiValue(b.lower)}","${formatApiValue(b.upper)}","${formatApiValue(b.count)}"]`,
      );
    });
    out.ascii(']');
  }
  out.ascii('}]');
}

/** `[seconds,"value"]`, after a comma if `comma`. */
function writePoint(out: JsonBytes, timeMs: number, value: number, comma = false): void {
  out.reserve(POINT_BYTES);
  if (comma) out.byte(COMMA);
  out.byte(LEFT_BRACKET);
  writeSeconds(out, timeMs);
  out.byte(COMMA);
  out.byte(QUOTE);
  writeValue(out, value);
  out.byte(QUOTE);
  out.byte(RIGHT_BRACKET);
}

/** Bytes of an answer written between two looks at whether the event loop is due (about 6 ms). */
const YIELD_BYTES = 1 << 20;

const LEFT_BRACKET = 0x5b;
const RIGHT_BRACKET = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const MINUS = 0x2d;
const POINT = 0x2e;
const ZERO = 0x30;

/** Bytes appended to a buffer that doubles when full. */
class JsonBytes {
  #bytes = Buffer.allocUnsafe(64 * 1024);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Room for `n` more bytes: `byte` and the digit writers do not check. */
  reserve(n: number): void {
    if (this.#length + n <= this.#bytes.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#length + n));
    this.#bytes.copy(next, 0, 0, this.#length);
    this.#bytes = next;
  }

  byte(b: number): void {
    this.#bytes[this.#length++] = b;
  }

  /**
   * A string known to be ASCII (the envelope's fixed text, a fallback number). Leaves room for the
   * rest of a point after it: a point's own reservation may be used up by a long fallback value.
   */
  ascii(s: string): void {
    this.reserve(s.length + POINT_BYTES);
    this.#length += this.#bytes.write(s, this.#length, 'latin1');
  }

  /** Any text, as UTF-8 (label names and values). */
  text(s: string): void {
    this.reserve(Buffer.byteLength(s) + POINT_BYTES);
    this.#length += this.#bytes.write(s, this.#length, 'utf8');
  }

  /** The digits of an integer 0 <= n < 10^15. */
  integer(n: number): void {
    if (n < 2 ** 31) {
      this.padded(n, digitCount(n));
    } else {
      // Two parts below 2^31, so that the digit loops stay in small-integer arithmetic.
      const high = Math.floor(n / 1e8);
      this.padded(high, digitCount(high));
      this.padded(n - high * 1e8, 8);
    }
  }

  /** Exactly `width` digits of 0 <= n < 2^31, zeros in front. */
  padded(n: number, width: number): void {
    const bytes = this.#bytes;
    let at = this.#length + width;
    this.#length = at;
    for (let i = 0; i < width; i++) {
      bytes[--at] = ZERO + (n % 10);
      n = (n / 10) | 0;
    }
  }

  finish(): Buffer {
    return this.#bytes.subarray(0, this.#length);
  }
}

function digitCount(n: number): number {
  let count = 1;
  while (n >= 10) {
    n = (n / 10) | 0;
    count++;
  }
  return count;
}

const POWERS = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/** Below 10^15 a decimal has at most 15 significant digits, and no two such decimals are the same double. */
const EXACT_DIGITS = 1e15;
/** The most bytes one point takes on the fast paths: two numbers of 15 digits, signs, points, punctuation. */
const POINT_BYTES = 48;

/** A timestamp in ms as the seconds JSON.stringify writes for `ms / 1000`. */
function writeSeconds(out: JsonBytes, ms: number): void {
  if (!Number.isInteger(ms) || ms >= EXACT_DIGITS || ms <= -EXACT_DIGITS) {
    out.ascii(JSON.stringify(ms / 1000));
    return;
  }
  if (ms < 0) out.byte(MINUS);
  const abs = ms < 0 ? -ms : ms;
  const seconds = Math.floor(abs / 1000);
  const millis = abs - seconds * 1000;
  out.integer(seconds);
  if (millis === 0) return;
  out.byte(POINT);
  if (millis % 100 === 0) out.padded(millis / 100, 1);
  else if (millis % 10 === 0) out.padded(millis / 10, 2);
  else out.padded(millis, 3);
}

/**
 * A value as formatApiValue writes it. A value that is a decimal of at most 15 significant digits
 * and 9 places, and not below 1e-6 (Prometheus's exponent form), is written from that decimal: it is
 * the only decimal of that length that reads back as the value, so it is the shortest one; anything
 * else goes through formatApiValue.
 */
function writeValue(out: JsonBytes, v: number): void {
  for (let scale = 0; scale < POWERS.length; scale++) {
    const p = POWERS[scale]!;
    const m = Math.round(v * p);
    if (m / p !== v) continue;
    if (m >= EXACT_DIGITS || m <= -EXACT_DIGITS || (m === 0 && 1 / v < 0)) break;
    if (m !== 0 && v < 1e-6 && v > -1e-6) break;
    if (m < 0) out.byte(MINUS);
    const abs = m < 0 ? -m : m;
    const whole = Math.floor(abs / p);
    out.integer(whole);
    if (scale > 0) {
      out.byte(POINT);
      out.padded(abs - whole * p, scale);
    }
    return;
  }
  out.ascii(formatApiValue(v));
}
