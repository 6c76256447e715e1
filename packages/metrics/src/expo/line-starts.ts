import { Point } from '../core/points.js';

/**
 * The start of a sample line, up to its value: `name{labels} `, or `name ` without labels. A
 * series' label block comes in two parts (core/points.ts): `name{` and the head shared by its
 * siblings are joined once per head, so a line adds only the escaped last value to them.
 */
export class LineStarts {
  readonly #name: string;
  #head: string | undefined;
  /** `name{head`, for `#head`. */
  #start = '';

  constructor(name: string) {
    this.#name = name;
  }

  of(point: { readonly block: string }): string {
    const parts = Point.partsOf(point);
    if (parts === undefined) return this.#whole(point.block);
    const leaf = Point.leaf(parts);
    if (leaf === null) return this.#whole(Point.head(parts));
    const head = Point.head(parts);
    if (head !== this.#head) {
      this.#head = head;
      this.#start = `${this.#name}{${head}`;
    }
    return `${this.#start}${leaf}"} `;
  }

  #whole(block: string): string {
    return block === '' ? `${this.#name} ` : `${this.#name}{${block}} `;
  }
}
