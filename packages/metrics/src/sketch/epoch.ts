import type { Clock } from '../base/clock.js';

/**
 * A counter of elapsed slots, `floor(now / slotMs)`, advanced by a timer instead of a clock read per
 * observation: a windowed insert then costs one field read (research/percentiles.md: rotating from a
 * process-wide epoch keeps a windowed insert near 7 ns, where a Date.now() alone costs tens of ns).
 * The timer runs four times a slot, so a slot starts at most a quarter of a slot late; reads call
 * `refresh()` and are exact.
 */
export class Epoch {
  current: number;
  readonly slotMs: number;
  readonly #clock: Clock;

  constructor(clock: Clock, slotMs: number) {
    this.#clock = clock;
    this.slotMs = slotMs;
    this.current = Math.floor(clock.now() / slotMs);
    clock.every(Math.max(1, slotMs / 4), () => this.refresh());
  }

  refresh(): number {
    this.current = Math.floor(this.#clock.now() / this.slotMs);
    return this.current;
  }
}

/** One Epoch per clock and slot length, shared by every windowed histogram that uses them. */
const shared = new WeakMap<Clock, Map<number, Epoch>>();

export function epochFor(clock: Clock, slotMs: number): Epoch {
  let byLength = shared.get(clock);
  if (!byLength) shared.set(clock, (byLength = new Map()));
  let epoch = byLength.get(slotMs);
  if (!epoch) byLength.set(slotMs, (epoch = new Epoch(clock, slotMs)));
  return epoch;
}
