import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/base/backoff.js';

const DEFAULTS = { initialDelayMs: 100, maxDelayMs: 1_000, jitter: 0.2 };

describe('Backoff', () => {
  it('doubles from the first wait up to the cap, spread by the jitter', () => {
    const at = (r: number) => new Backoff({ random: () => r }, DEFAULTS);
    expect([1, 2, 3, 4].map((n) => at(0.5).delayMs(n))).toEqual([100, 200, 400, 800]);
    expect([1, 2, 3].map((n) => at(0).delayMs(n))).toEqual([80, 160, 320]);
    expect(at(0.999_999).delayMs(5)).toBe(1_000);
    expect(at(0.5).delayMs(40)).toBe(1_000);
  });

  it('waits at least a peer’s Retry-After, never past the cap', () => {
    const backoff = new Backoff({ jitter: 0 }, DEFAULTS);
    expect(backoff.delayMs(1, 700)).toBe(700);
    expect(backoff.delayMs(1, 10)).toBe(100);
    expect(backoff.delayMs(1, 60_000)).toBe(1_000);
  });

  it('names the option that is wrong', () => {
    expect(() => new Backoff({ maxDelayMs: 0 }, DEFAULTS, 'delivery')).toThrow(/delivery\.maxDelayMs: got 0/);
    expect(() => new Backoff({ jitter: 2 }, DEFAULTS)).toThrow(/retry\.jitter: got 2/);
    expect(() => new Backoff({ multiplier: 0.5 }, DEFAULTS)).toThrow(/retry\.multiplier/);
  });
});
