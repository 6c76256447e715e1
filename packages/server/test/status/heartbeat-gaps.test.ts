import { describe, expect, it } from 'vitest';
import { missedSpans, usualGap } from '../../src/status/heartbeat-gaps.js';

describe('missedSpans', () => {
  it('counts from twice the usual gap at each heartbeat, as usualGap gives it there, on irregular heartbeats', async () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let trial = 0; trial < 200; trial++) {
      const times: number[] = [];
      let t = 0;
      for (let i = 1 + Math.floor(rand() * 60); i > 0; i--) {
        t += rand() < 0.1 ? Math.floor(rand() * 5e6) : 60_000 + Math.floor(rand() * 3) * 1000;
        times.push(t);
      }
      const end = t + Math.floor(rand() * 1e6);
      const want = times.flatMap((at, i) => {
        const gapMs = usualGap(times.slice(0, i + 1));
        const to = Math.min(times[i + 1] ?? end, end);
        return gapMs !== undefined && to > at + 2 * gapMs ? [{ from: at + 2 * gapMs, to, gapMs }] : [];
      });
      expect(await missedSpans(times, end)).toEqual(want);
      // From a point in them: the spans of all of them that end after it.
      const after = Math.floor(rand() * end);
      expect([after, await missedSpans(times, end, { after })]).toEqual([
        after,
        want.filter((s) => s.to > after),
      ]);
    }
  });

  it('has none before the second heartbeat, and one to the end after a stop', async () => {
    expect(await missedSpans([0], 10 * 60_000)).toEqual([]);
    expect(await missedSpans([0, 60_000, 120_000], 600_000)).toEqual([
      { from: 240_000, to: 600_000, gapMs: 60_000 },
    ]);
  });
});
