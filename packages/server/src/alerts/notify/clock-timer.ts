import type { Clock } from '@vigil/metrics';

/**
 * Calls `fn` once, `ms` from now on `clock`; the returned function cancels it. The Clock offers only
 * `every`, so a one-shot is an interval that stops itself, and with a ManualClock group timers,
 * timeouts and backoffs fire as a test advances time. A zero delay runs on the next microtask.
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

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => after(clock, ms, resolve));
}
