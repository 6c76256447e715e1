import { describe, expect, it } from 'vitest';
import { decodeWriteRequest } from '../../src/ingest/remote-write.js';

/** Protobuf by hand: a field key, then a varint or a length-delimited UTF-8 string. */
function field(number: number, value: number | string): number[] {
  if (typeof value === 'number') return [(number << 3) | 0, value];
  const bytes = [...new TextEncoder().encode(value)];
  return [(number << 3) | 2, bytes.length, ...bytes];
}

function metadata(type: number, name: string, help: string, unit = ''): number[] {
  const body = [...field(1, type), ...field(2, name), ...field(4, help), ...(unit ? field(5, unit) : [])];
  return [(3 << 3) | 2, body.length, ...body];
}

describe('remote-write metadata', () => {
  it('reads WriteRequest.metadata: type, family name, help and unit, as Prometheus sends them', () => {
    const bytes = Uint8Array.from([
      ...metadata(1, 'http_requests_total', 'Requests served.'),
      ...metadata(3, 'latency_seconds', 'Latency.', 'seconds'),
      ...metadata(0, 'odd', ''),
      ...metadata(42, 'future_type', 'A type this version does not know.'),
    ]);
    const decoded = decodeWriteRequest(bytes);
    expect(decoded.metadata).toBe(4);
    expect(decoded.series).toEqual([]);
    expect(decoded.families).toEqual([
      { name: 'http_requests_total', type: 'counter', help: 'Requests served.', unit: '' },
      { name: 'latency_seconds', type: 'histogram', help: 'Latency.', unit: 'seconds' },
      { name: 'odd', type: 'unknown', help: '', unit: '' },
      { name: 'future_type', type: 'unknown', help: 'A type this version does not know.', unit: '' },
    ]);
  });
});
