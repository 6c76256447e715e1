import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { Registry } from '../../src/core/registry.js';
import { PROTOBUF_CONTENT_TYPE } from '../../src/expo/content-types.js';
import { exposeFrom } from '../../src/expo/exposition.js';
import { toPrometheusText } from '../../src/expo/prometheus-text.js';
import { toProtobuf } from '../../src/expo/protobuf-exposition.js';

type Field = { field: number; value: number | Uint8Array };

/** A generic protobuf reader for the checks: fields of one message, LEN fields as bytes. */
function fields(bytes: Uint8Array): Field[] {
  const out: Field[] = [];
  let at = 0;
  const varint = () => {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[at++]!;
      n += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return n;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const type = key & 7;
    if (type === 0) out.push({ field: key >>> 3, value: varint() });
    else if (type === 1) {
      out.push({
        field: key >>> 3,
        value: new DataView(bytes.buffer, bytes.byteOffset + at, 8).getFloat64(0, true),
      });
      at += 8;
    } else if (type === 2) {
      const n = varint();
      out.push({ field: key >>> 3, value: bytes.subarray(at, at + n) });
      at += n;
    } else throw new Error(`wire type ${type}`);
  }
  return out;
}

/** The delimited messages of a body. */
function delimited(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[at++]!;
      n += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) break;
    }
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

const text = (v: Field['value']) => new TextDecoder().decode(v as Uint8Array);

describe('protobuf exposition', () => {
  it('is what a scraper gets when it asks for it, and the text format otherwise', async () => {
    const registry = new Registry();
    registry.counter({ name: 'a_total', help: 'A.' }).inc();
    const accept =
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.8,*/*;q=0.1';
    const proto = await exposeFrom(registry, accept);
    expect(proto.contentType).toBe(PROTOBUF_CONTENT_TYPE);
    expect(proto.body).toBeInstanceOf(Uint8Array);
    expect(typeof (await exposeFrom(registry, '*/*')).body).toBe('string');
  });

  it('frames each family with its length, whatever its size, and nests metrics, labels and values', async () => {
    const registry = new Registry();
    const c = registry.counter({ name: 'requests_total', help: 'Requests.', labelNames: ['path'] });
    // Enough series for the family to need a three-byte length, and a label longer than 127 bytes.
    for (let i = 0; i < 2000; i++) c.inc({ path: `/p/${i}` }, i);
    c.inc({ path: 'x'.repeat(300) }, 7);
    registry.gauge({ name: 'g', help: '' }).set(2.5);
    const messages = delimited(toProtobuf(await registry.snapshot()));
    expect(messages).toHaveLength(3); // and vigil_dropped_total
    const family = fields(messages[0]!);
    expect(text(family.find((f) => f.field === 1)!.value)).toBe('requests_total');
    expect(text(family.find((f) => f.field === 2)!.value)).toBe('Requests.');
    expect(family.find((f) => f.field === 3)!.value).toBe(0);
    const metrics = family.filter((f) => f.field === 4).map((f) => fields(f.value as Uint8Array));
    expect(metrics).toHaveLength(2001);
    const last = metrics[2000]!;
    const label = fields(last.find((f) => f.field === 1)!.value as Uint8Array);
    expect(text(label[0]!.value)).toBe('path');
    expect(text(label[1]!.value)).toBe('x'.repeat(300));
    expect(fields(last.find((f) => f.field === 3)!.value as Uint8Array)[0]).toEqual({ field: 1, value: 7 });
    const gauge = fields(messages[1]!);
    expect(gauge.find((f) => f.field === 3)!.value).toBe(1);
    expect(
      fields(fields(gauge.find((f) => f.field === 4)!.value as Uint8Array)[0]!.value as Uint8Array),
    ).toEqual([{ field: 1, value: 2.5 }]);
  });

  it('writes label values as they are, escapes undone and any Unicode as UTF-8, first, last or empty', async () => {
    const registry = new Registry();
    const c = registry.counter({ name: 'c_total', help: '', labelNames: ['a', 'b'] });
    const values = ['plain', 'quote " back \\ slash\nline', 'café ☕ 𝄞', 'mixed é then "quoted"', ''];
    // Every value first and last, each first value's series sharing their head (core/points.ts).
    const expected: Record<string, string>[] = [];
    for (const a of values) {
      for (const b of values) {
        c.inc({ a, b });
        expected.push({ ...(a !== '' && { a }), ...(b !== '' && { b }) });
      }
    }
    const [family] = delimited(toProtobuf(await registry.snapshot()));
    const seen = fields(family!)
      .filter((f) => f.field === 4)
      .map((m) => {
        const pairs = fields(m.value as Uint8Array)
          .filter((f) => f.field === 1)
          .map((l) => fields(l.value as Uint8Array).map((f) => text(f.value)));
        return Object.fromEntries(pairs);
      });
    expect(seen).toEqual(expected);
  });

  it("writes a counter's creation time (or last reset) as its created_timestamp, and none for a gauge", async () => {
    const clock = new ManualClock(1_700_000_000_250);
    const registry = new Registry({ clock });
    const c = registry.counter({ name: 'c_total', help: '' });
    c.inc();
    registry.gauge({ name: 'g', help: '' }).set(1);
    const created = async () => {
      const [counter, gauge] = delimited(toProtobuf(await registry.snapshot()));
      const value = (family: Uint8Array) =>
        fields(
          fields(fields(family).find((f) => f.field === 4)!.value as Uint8Array).find((f) => f.field !== 1)!
            .value as Uint8Array,
        );
      const timestamp = value(counter!).find((f) => f.field === 3);
      expect(value(gauge!).filter((f) => f.field !== 1)).toEqual([]);
      return timestamp && fields(timestamp.value as Uint8Array).map((f) => f.value);
    };
    expect(await created()).toEqual([1_700_000_000, 250_000_000]);
    clock.advance(5_000);
    registry.reset();
    expect(await created()).toEqual([1_700_000_005, 250_000_000]);
  });

  it('marks every histogram native by a zero threshold above 0, even one without a bucket outside the zero bucket', async () => {
    const registry = new Registry();
    registry.histogram({ name: 'h_seconds', help: 'H.' }).observe(0);
    const [family] = delimited(toProtobuf(await registry.snapshot({ native: true })));
    const metric = fields(fields(family!).find((f) => f.field === 4)!.value as Uint8Array);
    const histogram = fields(metric.find((f) => f.field === 7)!.value as Uint8Array);
    expect(histogram.find((f) => f.field === 5)!.value).toBe(12); // zigzag(6)
    expect(histogram.find((f) => f.field === 6)!.value).toBeGreaterThan(0);
    expect(histogram.find((f) => f.field === 7)!.value).toBe(1);
    expect(histogram.filter((f) => f.field === 12)).toEqual([]);
    expect(histogram.filter((f) => f.field === 3)).toHaveLength(11); // the classic buckets
  });

  it('writes only the +Inf bucket, _sum and _count in text when the classic buckets are off', async () => {
    const registry = new Registry();
    registry.histogram({ name: 'h_seconds', help: 'H.', classic: false }).observe(0.2);
    expect(toPrometheusText(await registry.snapshot())).toMatch(
      /^# HELP h_seconds H.\n# TYPE h_seconds histogram\nh_seconds_bucket\{le="\+Inf"\} 1\nh_seconds_sum 0.2\nh_seconds_count 1\n#/,
    );
  });

  it('names the option and the value when a histogram option is wrong', () => {
    const registry = new Registry();
    expect(() => registry.histogram({ name: 'a', help: '', native: { bucketLimit: 0 } })).toThrow(
      /a: native/,
    );
    expect(() => registry.histogram({ name: 'b', help: '', classic: 'no' as unknown as boolean })).toThrow(
      /b: classic/,
    );
  });
});
