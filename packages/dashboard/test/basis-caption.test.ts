import { describe, expect, it } from 'vitest';
import { basisCaption } from '../src/basis-caption.js';
import { formatDuration } from '../src/format-duration.js';

describe('formatDuration', () => {
  it('says a length of time in its two largest units, rounded down', () => {
    expect(formatDuration(45_900)).toBe('45 s');
    expect(formatDuration(14 * 60_000 + 59_000)).toBe('14 min');
    expect(formatDuration((2 * 60 + 14) * 60_000)).toBe('2 h 14 min');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatDuration(86_400_000)).toBe('24 h');
    expect(formatDuration((3 * 24 + 4) * 3_600_000)).toBe('3 d 4 h');
    expect(formatDuration(-5)).toBe('0 s');
  });
});

describe('basisCaption', () => {
  const month = { expr: 'x', window: '1d', enough: '1h' };
  it('says how much data a projection stands on until its window is full', () => {
    expect(basisCaption((2 * 60 + 14) * 60 + 30, month)).toEqual({
      text: 'based on the last 2 h 14 min of data',
      enough: true,
    });
    expect(basisCaption(86_400, month)).toEqual({ text: 'based on the last 24 h', enough: true });
    // The basis is found to within a step of the subquery: 30 s short of a day is a full day.
    expect(basisCaption(86_370, month).text).toBe('based on the last 24 h');
  });

  it('flags a figure with less history than the panel asks for, or none', () => {
    expect(basisCaption(600, month)).toEqual({ text: 'not enough history: 10 min of data', enough: false });
    expect(basisCaption(null, month)).toEqual({ text: 'not enough history: no data yet', enough: false });
    expect(basisCaption(Number.NaN, month).enough).toBe(false);
  });
});
