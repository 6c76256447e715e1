import type { Clock } from '../base/clock.js';

/**
 * Calls `fn` once, `ms` from now on `clock`; the returned function cancels it. The Clock offers only
 * `every`, so a one-shot is an interval that stops itself: with a ManualClock, backoff waits and
 * request timeouts then fire as a test advances time, and nothing sleeps on the wall clock.
 */
export function after(clock: Clock, ms: number, fn: () => void): () => void {
  let done = false;
  const stop = clock.every(ms, () => {
    stop();
    if (done) return;
    done = true;
    fn();
  });
  return () => {
    done = true;
    stop();
  };
}
