/** Longest stretch of a read before other work (health checks, ingest) gets the event loop. */
const SLICE_MS = 10;
/** Units of work (values tested, rows read, series compared) between two looks at the clock. */
const UNITS_PER_LOOK = 256;

/**
 * Paces a long synchronous read so that it hands the event loop back every SLICE_MS: the loop asks
 * `due()` at every unit of work, which looks at the clock only every UNITS_PER_LOOK units, and
 * awaits `pause()` when it says so. After each pause `check` runs, and may throw to end the read
 * (the store closed meanwhile, the query's deadline passed).
 */
export class Pacer {
  readonly #check: () => void;
  readonly #sliceMs: number;
  #units = 0;
  #sliceStart = performance.now();

  /** `sliceMs`: a longer stretch for work that pays for each pause (a flush commits at each). */
  constructor(check: () => void, sliceMs = SLICE_MS) {
    this.#check = check;
    this.#sliceMs = sliceMs;
  }

  /** Counts `units` of work done; whether it is time to pause. */
  due(units = 1): boolean {
    this.#units += units;
    if (this.#units < UNITS_PER_LOOK) return false;
    this.#units = 0;
    return performance.now() - this.#sliceStart >= this.#sliceMs;
  }

  /** Lets the event loop run what waits (a macrotask later), then runs the check. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#sliceStart = performance.now();
    this.#units = 0;
    this.#check();
  }
}
