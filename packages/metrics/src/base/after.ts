import type { Clock } from './clock.js';

/**
 * Calls `fn` once, `ms` from now on `clock`; the returned function cancels it. The Clock offers only
 * `every`, so a one-shot is an interval that stops itself: with a ManualClock, backoff waits,
 * request timeouts and group timers then fire as a test advances time, and nothing sleeps on the
 * wall clock. A zero or negative delay runs on the next microtask (an interval of 0 would never let
 * a ManualClock move on).
 */
export function after(clock: Clock, ms: number, fn: () => void): () => void {
  let done = false;
  if (ms <= 0) {
    queueMicrotask(() => {
      if (done) return;
      done = true;
      fn();
    });
    return () => {
      done = true;
    };
  }
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

/** Resolves `ms` from now on `clock` (see `after`). */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => after(clock, ms, resolve));
}
