import { describe, expect, it } from 'vitest';
import { yRange } from '../src/panels/y-range.js';

describe('yRange', () => {
  it('starts at zero with a tenth of headroom for values that are never negative', () => {
    const [low, high] = yRange(0.2, 1.2, 's');
    expect(low).toBe(0);
    expect(high).toBeCloseTo(1.32, 12);
  });
  it('puts an all-zero ratio under 0-100%, not ±10000%', () => {
    expect(yRange(0, 0, 'ratio')).toEqual([0, 1]);
    expect(yRange(0, 0, 'percent')).toEqual([0, 100]);
  });
  it('keeps negative values and flat lines in view', () => {
    expect(yRange(-1, 1, 'short').map((v) => Number(v.toFixed(9)))).toEqual([-1.2, 1.2]);
    expect(yRange(5, 5, 'short')).toEqual([0, 5.5]);
    expect(yRange(null, null, 'short')).toEqual([0, 1]);
  });
});
