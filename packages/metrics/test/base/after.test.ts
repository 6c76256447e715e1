import { describe, expect, it } from 'vitest';
import { after, sleep } from '../../src/base/after.js';
import { ManualClock } from '../../src/base/clock.js';

describe('after', () => {
  it('fires once when the clock crosses the delay, and not after being cancelled', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    after(clock, 100, () => fired.push(clock.now()));
    const cancel = after(clock, 150, () => fired.push(-1));
    clock.advance(99);
    expect(fired).toEqual([]);
    cancel();
    clock.advance(500);
    expect(fired).toEqual([100]);
  });

  it('runs a zero or negative delay on the next microtask without the clock moving', async () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    after(clock, 0, () => fired.push('zero'));
    after(clock, -5, () => fired.push('negative'));
    after(clock, 0, () => fired.push('cancelled'))();
    expect(fired).toEqual([]);
    await Promise.resolve();
    expect(fired).toEqual(['zero', 'negative']);
  });

  it('sleep resolves when the clock reaches the delay', async () => {
    const clock = new ManualClock(0);
    let done = false;
    const slept = sleep(clock, 1000).then(() => {
      done = true;
    });
    clock.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await slept;
    expect(done).toBe(true);
  });
});
