import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sparklinePng } from '../../src/reports/sparkline-png.js';

/** The RGBA pixels of a PNG sparklinePng wrote (one IDAT, unfiltered rows). */
function decode(png: Buffer): { width: number; height: number; alpha: (x: number, y: number) => number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idatLength = png.readUInt32BE(33);
  expect(png.subarray(37, 41).toString('ascii')).toBe('IDAT');
  const rows = inflateSync(png.subarray(41, 41 + idatLength));
  return { width, height, alpha: (x, y) => rows[y * (width * 4 + 1) + 1 + x * 4 + 3]! };
}

describe('sparklinePng', () => {
  it('draws a rising line from the bottom left to the top right', () => {
    const { width, height, alpha } = decode(sparklinePng([0, 1, 2, 3]));
    expect([width, height]).toEqual([120, 28]);
    expect(alpha(0, 26)).toBe(255);
    expect(alpha(119, 0)).toBe(255);
    expect(alpha(119, 26)).toBe(0);
    expect(alpha(0, 0)).toBe(0);
  });

  it('breaks the line where a value is missing, and draws nothing without values', () => {
    const { alpha } = decode(sparklinePng([1, Number.NaN, Number.NaN, 1]));
    // A flat line sits in the middle; the gap between the first and last points stays empty.
    expect(alpha(0, 14)).toBe(255);
    expect(alpha(60, 14)).toBe(0);
    expect(alpha(119, 14)).toBe(255);
    const empty = decode(sparklinePng([Number.NaN, Number.NaN]));
    let drawn = 0;
    for (let x = 0; x < 120; x++) for (let y = 0; y < 28; y++) drawn += empty.alpha(x, y);
    expect(drawn).toBe(0);
  });
});
