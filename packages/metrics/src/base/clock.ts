/**
 * Time as the library sees it. Injected everywhere that windows, TTLs or timers matter, so tests
 * advance time instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` every `ms` milliseconds until the returned function is called. Never keeps the process alive. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** A clock that moves only when told to; its timers fire as `advance` crosses their deadlines. */
export class ManualClock implements Clock {
  #now: number;
  #timers = new Set<{ ms: number; next: number; fn: () => void }>();

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  every(ms: number, fn: () => void): () => void {
    const timer = { ms, next: this.#now + ms, fn };
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let due: { ms: number; next: number; fn: () => void } | undefined;
      for (const t of this.#timers) if (t.next <= target && (!due || t.next < due.next)) due = t;
      if (!due) break;
      this.#now = due.next;
      due.next += due.ms;
      due.fn();
    }
    this.#now = target;
  }
}
