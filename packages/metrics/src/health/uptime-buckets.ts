const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Up and down counts over a window, and the summed response time of the up results. */
export interface UptimeWindow {
  readonly up: number;
  readonly down: number;
  readonly upMs: number;
}

/** A ring of time slots in typed arrays; a slot whose stamp is stale is cleared on reuse. */
class Tier {
  readonly #slotMs: number;
  readonly #stamp: Float64Array;
  readonly #up: Uint32Array;
  readonly #down: Uint32Array;
  readonly #upMs: Float64Array;

  constructor(slots: number, slotMs: number) {
    this.#slotMs = slotMs;
    this.#stamp = new Float64Array(slots).fill(-1);
    this.#up = new Uint32Array(slots);
    this.#down = new Uint32Array(slots);
    this.#upMs = new Float64Array(slots);
  }

  record(now: number, ok: boolean, ms: number): void {
    const stamp = Math.floor(now / this.#slotMs);
    const i = stamp % this.#stamp.length;
    if (this.#stamp[i] !== stamp) {
      this.#stamp[i] = stamp;
      this.#up[i] = 0;
      this.#down[i] = 0;
      this.#upMs[i] = 0;
    }
    if (ok) {
      this.#up[i]! += 1;
      this.#upMs[i]! += ms;
    } else this.#down[i]! += 1;
  }

  /** The slots of the last `slots × slotMs`, the current (partial) one included. */
  sum(now: number): UptimeWindow {
    const current = Math.floor(now / this.#slotMs);
    const oldest = current - this.#stamp.length + 1;
    let up = 0;
    let down = 0;
    let upMs = 0;
    for (let i = 0; i < this.#stamp.length; i++) {
      const stamp = this.#stamp[i]!;
      if (stamp < oldest || stamp > current) continue;
      up += this.#up[i]!;
      down += this.#down[i]!;
      upMs += this.#upMs[i]!;
    }
    return { up, down, upMs };
  }
}

/**
 * Uptime over 24 hours from per-minute slots and over 30 days from per-hour slots, as Uptime Kuma's
 * `stat_minutely` / `stat_hourly` tables: 1,440 + 720 slots, about 52 KB per check whatever the
 * check interval, where keeping every result of a 10 s check for 30 days would take 259,200.
 */
export class UptimeBuckets {
  readonly #minutes = new Tier(1440, MINUTE_MS);
  readonly #hours = new Tier(720, HOUR_MS);

  record(now: number, ok: boolean, responseTimeMs: number): void {
    this.#minutes.record(now, ok, responseTimeMs);
    this.#hours.record(now, ok, responseTimeMs);
  }

  /** The last 24 hours, to the minute. */
  day(now: number): UptimeWindow {
    return this.#minutes.sum(now);
  }

  /** The last 30 days, to the hour. */
  month(now: number): UptimeWindow {
    return this.#hours.sum(now);
  }
}
