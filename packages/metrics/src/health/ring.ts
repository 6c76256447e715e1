/** The last `capacity` items pushed; older ones are overwritten, so memory stays fixed. */
export class Ring<T> {
  readonly #items: Array<T | undefined>;
  #next = 0;
  #size = 0;

  /** `capacity` is a validated integer of at least 1. */
  constructor(capacity: number) {
    this.#items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.#items.length;
    if (this.#size < this.#items.length) this.#size++;
  }

  /** Oldest first. */
  toArray(): T[] {
    const n = this.#items.length;
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#items[(this.#next - this.#size + i + n) % n] as T);
    return out;
  }
}
