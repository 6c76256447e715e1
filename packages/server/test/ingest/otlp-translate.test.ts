import { ManualClock } from '@vigil/metrics';
import { describe, expect, it } from 'vitest';
import { DeltaToCumulative } from '../../src/ingest/delta-to-cumulative.js';
import { translateOtlp } from '../../src/ingest/otlp.js';
import { decodeOtlpProto } from '../../src/ingest/otlp-proto.js';

/** Protobuf by hand: an ExportMetricsServiceRequest with one gauge of the given points. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
const len = (field: number, bytes: number[]) => [
  ...varint((field << 3) | 2),
  ...varint(bytes.length),
  ...bytes,
];
const text = (s: string) => [...Buffer.from(s, 'utf8')];
const keyValue = (k: string, v: string) => [...len(1, text(k)), ...len(2, len(1, text(v)))];
function fixed64(field: number, n: bigint): number[] {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return [(field << 3) | 1, ...b];
}
function double(field: number, v: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [(field << 3) | 1, ...b];
}
function request(points: { attributes: [string, string][]; ns: bigint; value: number }[]): Uint8Array {
  const dataPoints = points.map((p) => [
    ...p.attributes.flatMap(([k, v]) => len(7, keyValue(k, v))),
    ...fixed64(3, p.ns),
    ...double(4, p.value),
  ]);
  const metric = [
    ...len(1, text('g')),
    ...len(
      5,
      dataPoints.flatMap((d) => len(1, d)),
    ),
  ];
  const resource = len(1, keyValue('service.name', 'svc'));
  return Uint8Array.from(len(1, [...len(1, resource), ...len(2, len(2, metric))]));
}

const delta = () => new DeltaToCumulative({ clock: new ManualClock(0), maxBytes: 1 << 20, idleMs: 600_000 });

describe('OTLP protobuf to samples', () => {
  it('turns time_unix_nano into whole milliseconds exactly, also past 2^53 ns', () => {
    const cases = [
      1_767_571_620_123_456_789n,
      1_767_571_620_999_999_999n,
      4_294_967_296_000_000n,
      4_294_967_295_999_999n,
      18_446_744_073_709_551_615n,
      0n,
      999_999n,
    ];
    const translated = translateOtlp(
      decodeOtlpProto(request(cases.map((ns, i) => ({ attributes: [['i', String(i)]], ns, value: i })))),
      delta(),
    );
    expect(translated.series.map((s) => s.timestamps[0])).toEqual(cases.map((ns) => Number(ns / 1_000_000n)));
  });

  it('joins attributes whose keys sanitize to one label name with ";" in key order, whatever order they came in', () => {
    const attributes: [string, string][] = [
      ['a_b', 'underscore'],
      ['a.b', 'dot'],
      ['a-b', 'dash'],
      ['zone', 'eu'],
    ];
    const labels = (list: [string, string][]) =>
      translateOtlp(decodeOtlpProto(request([{ attributes: list, ns: 1_000_000n, value: 1 }])), delta())
        .series[0]!.labels;
    const expected = { a_b: 'dash;dot;underscore', zone: 'eu', job: 'svc', __name__: 'g' };
    expect(labels(attributes)).toEqual(expected);
    expect(labels([...attributes].reverse())).toEqual(expected);
    // Without a collision the attributes are labels as they are, the same across requests.
    const plain: [string, string][] = [
      ['http.route', '/a'],
      ['__proto__', 'kept'],
    ];
    const first = labels(plain);
    // JSON.parse makes `__proto__` an own property, as a label must be.
    expect(first).toEqual(JSON.parse('{"http_route":"/a","__proto__":"kept","job":"svc","__name__":"g"}'));
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
    expect(labels(plain)).toEqual(first);
  });
});
