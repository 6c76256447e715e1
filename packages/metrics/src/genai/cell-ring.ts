/** A ring of cells, one per `slotMs` of time; a cell is created on first use and cleared when reused. */
export class CellRing<T extends { reset(): void }> {
  readonly #slotMs: number;
  readonly #cells: Array<T | undefined>;
  readonly #stamps: number[];
  readonly #make: () => T;

  constructor(slots: number, slotMs: number, make: () => T) {
    this.#slotMs = slotMs;
    this.#cells = new Array<T | undefined>(slots);
    this.#stamps = new Array<number>(slots).fill(-1);
    this.#make = make;
  }

  /** The cell of the slot `now` falls in. */
  at(now: number): T {
    const stamp = Math.floor(now / this.#slotMs);
    const i = stamp % this.#cells.length;
    let cell = this.#cells[i];
    if (!cell) this.#cells[i] = cell = this.#make();
    else if (this.#stamps[i] !== stamp) cell.reset();
    this.#stamps[i] = stamp;
    return cell;
  }

  /**
   * Calls `fn` for each cell of the `count` slots that end with the one `now` falls in, skipping
   * `skip` slots back from it first; `age` is 0 for the newest slot asked for.
   */
  forEach(now: number, count: number, fn: (cell: T, age: number) => void, skip = 0): void {
    const newest = Math.floor(now / this.#slotMs) - skip;
    for (let i = 0; i < this.#cells.length; i++) {
      const cell = this.#cells[i];
      const age = newest - this.#stamps[i]!;
      if (cell && age >= 0 && age < count) fn(cell, age);
    }
  }
}
