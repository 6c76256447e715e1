import { escapeLabelValue } from '../base/escape.js';
import type { DropReason } from './drops.js';

/** What a label value may be given as; anything but a string is converted once, when its series is created. */
export type LabelValue = string | number | boolean | bigint | null | undefined;
export type LabelObject = Readonly<Record<string, LabelValue>>;

type Node = Map<string, Node | number>;

/** What `LabelIndex.blocks()` returns: every series' id and label block, in `forEach` order. */
export interface LayoutBlocks {
  readonly ids: Int32Array;
  readonly heads: readonly string[];
  readonly leaves: readonly (string | null)[];
}

/** Sentinel for "no such series". */
export const NONE = -1;

/** Source of `LabelIndex.layout`: one sequence for every index, so no two layouts share a number. */
let layouts = 0;

/**
 * Finds the series id of a label set with one Map lookup per declared label, in declaration order:
 * no sort, no JSON, no string built per call (prom-client sorts and joins on every `inc`; OpenTelemetry
 * sorts and JSON-stringifies). Ids are small integers that index the metric's value arrays, and are
 * reused after a series is removed.
 */
export class LabelIndex {
  readonly names: readonly string[];
  readonly #root: Node = new Map();
  readonly #cap: number;
  readonly #onCreate: (id: number) => void;
  readonly #onDrop: (reason: DropReason) => void;
  /** Ids of removed series, reused before new ones. */
  readonly #free: number[] = [];
  #next = 0;
  #size = 0;
  #overflow = NONE;
  /** The one series of a metric without labels, which can be neither removed nor refused. */
  #singleId = NONE;
  #warnedUnknown = false;
  /**
   * Changes whenever a series is created or removed, so the order `forEach` walks in changed: a
   * reader that saw the same layout before can skip comparing label blocks (cluster/snapshot-encoder.ts).
   */
  layout = ++layouts;
  #ids: { readonly layout: number; readonly ids: Int32Array } | undefined;
  #blocks: (LayoutBlocks & { readonly layout: number }) | undefined;

  constructor(
    names: readonly string[],
    cap: number,
    onCreate: (id: number) => void,
    onDrop: (reason: DropReason) => void,
  ) {
    this.names = names;
    this.#cap = cap;
    this.#onCreate = onCreate;
    this.#onDrop = onDrop;
    const miss = (labels: LabelObject | undefined) => this.#create(labels);
    this.lookup =
      names.length === 0
        ? () => (this.#singleId === NONE ? this.#single() : this.#singleId)
        : compileLookup(names, this.#root, miss);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Id of the series `labels` names, created on first use. Compiled per metric (see `compileLookup`):
   * the property reads are then monomorphic on the caller's object literal, which measured 15 ns
   * against 36 ns for a loop over the names (bench/counter-inc-labels.js).
   */
  readonly lookup: (labels: LabelObject | undefined) => number;

  /** Id of the series with these values, in declaration order; created on first use. */
  lookupValues(values: readonly LabelValue[]): number {
    if (values.length !== this.names.length) {
      this.#onDrop('label_count');
      return this.#overflowId();
    }
    if (values.length === 0) return this.#single();
    let node: Node | number | undefined = this.#root;
    for (let i = 0; i < values.length; i++) {
      let value = values[i];
      if (typeof value !== 'string') value = normalise(value);
      node = (node as Node).get(value);
      if (node === undefined) return this.#insert(values.map(normalise));
    }
    return node as number;
  }

  #single(): number {
    if (this.#singleId === NONE) this.#singleId = this.#insert([]);
    return this.#singleId;
  }

  /** The slow path of `lookup`: labels missing from the object count as empty; creates the series if new. */
  #create(labels: LabelObject | undefined): number {
    const names = this.names;
    const values = names.map((name) => normalise(labels?.[name]));
    let node: Node | number | undefined = this.#root;
    for (const value of values) node = node instanceof Map ? node.get(value) : undefined;
    if (typeof node === 'number') return node;
    if (labels && !this.#warnedUnknown) {
      for (const key in labels) {
        if (!names.includes(key)) {
          this.#warnedUnknown = true;
          this.#onDrop('unknown_label');
          break;
        }
      }
    }
    return this.#insert(values);
  }

  #insert(values: readonly string[]): number {
    if (this.#size >= this.#cap) {
      this.#onDrop('cardinality');
      return this.#overflowId();
    }
    const id = this.#allocate();
    this.#size++;
    if (values.length === 0) {
      this.#root.set('', id);
      return id;
    }
    let node = this.#root;
    for (let i = 0; i < values.length - 1; i++) {
      let next = node.get(values[i]!) as Node | undefined;
      if (!next) node.set(values[i]!, (next = new Map()));
      node = next;
    }
    node.set(values[values.length - 1]!, id);
    return id;
  }

  #allocate(): number {
    this.layout = ++layouts;
    const id = this.#free.pop() ?? this.#next++;
    this.#onCreate(id);
    return id;
  }

  #overflowId(): number {
    if (this.#overflow === NONE) this.#overflow = this.#allocate();
    return this.#overflow;
  }

  /** Removes every series whose leading values equal `prefix`; returns the freed ids. */
  remove(prefix: readonly LabelValue[]): number[] {
    const values = prefix.map(normalise);
    if (values.length === 0 || values.length > this.names.length) return [];
    let parent = this.#root;
    for (let i = 0; i < values.length - 1; i++) {
      const next = parent.get(values[i]!);
      if (!(next instanceof Map)) return [];
      parent = next;
    }
    const last = values[values.length - 1]!;
    const target = parent.get(last);
    if (target === undefined) return [];
    parent.delete(last);
    const freed: number[] = [];
    collect(target, freed);
    this.layout = ++layouts;
    this.#free.push(...freed);
    this.#size -= freed.length;
    return freed;
  }

  /**
   * Calls `fn` with each live series: its id and its label values in declaration order, and, when
   * `withBlocks`, its escaped label block (snapshot.ts `block`) in two parts: `head`, shared by the
   * series under one inner node (`a="x",b="`), and `leaf`, the last value escaped, so that the
   * block is `head + leaf + '"'`; or `leaf` null when `head` is the whole block (no labels, an empty
   * last value, the overflow series). Inner nodes' blocks are built here, once per snapshot, rather
   * than kept per series: keeping them cost ~96 of 152 bytes a counter series
   * (bench/memory-counter.js), and a leaf's block is not built at all (points.ts). `values` is
   * reused from call to call: copy it to keep it. Map.forEach rather than for-of, which allocates an
   * entry array per series.
   */
  forEach(
    fn: (id: number, values: readonly string[], head: string, leaf: string | null) => void,
    prefix?: readonly string[],
    withBlocks = false,
  ): void {
    const path: string[] = [];
    const blocks: string[] = [''];
    // The head of the children of the node at each depth, built when the first child needs it.
    const heads: (string | undefined)[] = [];
    const names = this.names;
    // `name="` and `,name="` per depth, so a block grows by one concatenation per label.
    const opens = names.map((name) => `${name}="`);
    const joins = names.map((name) => `,${name}="`);
    const walk = (child: Node | number, value: string) => {
      const depth = path.length;
      if (prefix && depth < prefix.length && value !== prefix[depth]) return;
      path.push(value);
      if (typeof child === 'number') {
        if (!withBlocks) fn(child, path, '', null);
        else if (value === '') fn(child, path, blocks[depth]!, null);
        else fn(child, path, (heads[depth] ??= headOf(blocks[depth]!, depth)), escapeLabelValue(value));
      } else {
        if (withBlocks) {
          const before = blocks[depth]!;
          blocks[depth + 1] = value === '' ? before : headOf(before, depth) + escapeLabelValue(value) + '"';
          heads[depth + 1] = undefined;
        }
        child.forEach(walk);
      }
      path.pop();
    };
    const headOf = (before: string, depth: number) =>
      before === '' ? opens[depth]! : before + joins[depth]!;
    if (names.length === 0) {
      if (this.#singleId !== NONE) fn(this.#singleId, path, '', null);
    } else {
      this.#root.forEach(walk);
    }
    if (this.#overflow !== NONE && !prefix) fn(this.#overflow, OVERFLOW, OVERFLOW_BLOCK, null);
  }

  /**
   * The ids `forEach` visits, in its order. Kept until the layout changes: a `ClusterWorker` reads
   * its values through them at every scrape, ~2 ns a series against ~20 for the walk.
   */
  ids(): Int32Array {
    if (this.#ids?.layout !== this.layout) {
      const ids: number[] = [];
      this.forEach((id) => {
        ids.push(id);
      });
      this.#ids = { layout: this.layout, ids: Int32Array.from(ids) };
    }
    return this.#ids.ids;
  }

  /**
   * The series `forEach` visits, in its order, with their label blocks in the two parts `forEach`
   * gives (`leaves[i]` null when `heads[i]` is the whole block). Kept until the layout changes, as
   * `ids()`: a counter snapshot then walks no map and escapes no value, which was a third of a
   * 100,000-series exposition (bench/exposition.js). What a registry holds for it once scraped: an
   * id and two array slots a series (20 bytes), and the escaped value of a value that needs escaping.
   */
  blocks(): LayoutBlocks {
    if (this.#blocks?.layout !== this.layout) {
      const ids: number[] = [];
      const heads: string[] = [];
      const leaves: (string | null)[] = [];
      this.forEach(
        (id, _, head, leaf) => {
          ids.push(id);
          heads.push(head);
          leaves.push(leaf);
        },
        undefined,
        true,
      );
      this.#blocks = { layout: this.layout, ids: Int32Array.from(ids), heads, leaves };
    }
    return this.#blocks;
  }

  /** True when `id` is the series that holds what the cap turned away. */
  isOverflow(id: number): boolean {
    return id === this.#overflow;
  }
}

/**
 * Builds `(labels) => id` for these label names with `new Function`, as pino and fast-json-stringify
 * precompile their hot paths: `labels["method"]` written out is a monomorphic load, where
 * `labels[names[i]]` in a loop is a megamorphic keyed load. The names were validated as
 * [a-zA-Z_][a-zA-Z0-9_]* and are quoted with JSON.stringify, so nothing else reaches the source.
 * Where code generation is forbidden (a CSP, --disallow-code-generation-from-strings), the loop is used.
 */
function compileLookup(
  names: readonly string[],
  root: Node,
  miss: (labels: LabelObject | undefined) => number,
): (labels: LabelObject | undefined) => number {
  let body = 'if (labels === undefined) return miss(labels);\nlet node = root;\n';
  names.forEach((name, i) => {
    body += `let v${i} = labels[${JSON.stringify(name)}]; if (typeof v${i} !== 'string') v${i} = normalise(v${i});\n`;
    body += `node = node.get(v${i}); if (node === undefined) return miss(labels);\n`;
  });
  body += 'return node;';
  try {
    return new Function('root', 'normalise', 'miss', `return function lookup(labels) {\n${body}\n}`)(
      root,
      normalise,
      miss,
    );
  } catch {
    return (labels) => {
      let node: Node | number | undefined = root;
      for (const name of names) {
        node = (node as Node).get(normalise(labels?.[name]));
        if (node === undefined) return miss(labels);
      }
      return node as number;
    };
  }
}

/** The overflow series has no declared label values; its one label is `vigil_overflow`. */
export const OVERFLOW: readonly string[] = [];
const OVERFLOW_BLOCK = 'vigil_overflow="true"';

function collect(node: Node | number, out: number[]): void {
  if (typeof node === 'number') out.push(node);
  else for (const child of node.values()) collect(child, out);
}

export function normalise(value: LabelValue): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return String(value);
}
