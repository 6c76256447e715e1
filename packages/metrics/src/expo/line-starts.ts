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
    return parts === undefined
      ? this.#whole(point.block)
      : this.ofParts(Point.head(parts), Point.leaf(parts));
  }

  /** The same from the two parts of a block: a leaf of null means `head` is the whole block. */
  ofParts(head: string, leaf: string | null): string {
    if (leaf === null) return this.#whole(head);
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
