import { type CompiledMatcher, compileMatcher, matchesAll } from '../matchers/label-matcher.js';
import { pacedSort } from './paced-sort.js';
import type { Pacer } from './pacer.js';
import { RESOLUTIONS } from './rollup-stream.js';
import { SeriesState } from './series-state.js';
import type { LabelMatcher, SeriesLabels } from './series-store.js';
import type { Statements } from './sqlite-schema.js';

/** Why a label set has no series: not a valid label set, or one series too many. */
export const INVALID = 4;
export const SERIES_LIMIT = 5;
export const MEMORY_LIMIT = 6;

/**
 * Label index rows read at once, a label's values with their series: a few milliseconds of SQLite
 * (300,000 rows took 720 ms in pages of 1,024, about as long as in one statement). The rows of a page
 * are tested with pauses in between, so the page bounds only the statement.
 */
const VALUE_PAGE = 1024;
/** Series ids of one label value read at once: integers, cheaper than values. */
const ID_PAGE = 4096;

/**
 * Characters a matcher tests for one unit of a Pacer's work: testing a value costs in proportion to
 * its length, and 256 values of 3,000 characters under a regex held the event loop 100 ms between
 * two looks at the clock.
 */
const CHARS_PER_UNIT = 16;
const testUnits = (chars: number) => 1 + Math.floor(chars / CHARS_PER_UNIT);

/** Series ids kept in the postings cache at most (4 bytes each). */
const POSTINGS_KEPT = 1_000_000;

/**
 * What a series is estimated to take in memory: its canonical key and the labels parsed from it
 * (one byte a character each, V8's one-byte strings) and about 1,000 bytes of objects and map
 * entries around them. Measured with node --expose-gc, heap after minus before over
 * SqliteStore.append: 1,100 bytes a series with 50-character keys (50,000 series), 7,100 with
 * 3,040-character keys (10,000 series).
 */
export function seriesBytes(key: string): number {
  return 1000 + 2 * key.length;
}

/**
 * Every series of the store, in memory: by id, by canonical label set, and by the label objects
 * ingest hands over. Matchers are answered from the label index in SQLite (`labels`), plus the
 * series created since the last flush, which are only in memory until then.
 */
export class SeriesIndex {
  readonly #st: Statements;
  readonly #maxSeries: number;
  readonly #maxBytes: number;
  #bytes = 0;
  readonly #byId = new Map<number, SeriesState>();
  readonly #byKey = new Map<string, SeriesState>();
  readonly #bySpelling = new Map<number, SeriesState | SeriesState[]>();
  #nextId = 1;
  /**
   * Set when start-up left series of the database out, for want of room: no series is created while
   * it is, since one of those may have the same labels (a second row for one label set).
   */
  #closed: string | undefined;
  /**
   * Series created and not yet in the database, in the order they were created, from `#freshFrom`
   * on: a flush writes them a slice at a time, oldest first (`flushed`).
   */
  #fresh: SeriesState[] = [];
  #freshFrom = 0;
  /**
   * The label index's series ids by `name\0value`, as last read from SQLite: rules ask for the same
   * selectors at every evaluation, and reading their ids again cost about as much as reading their
   * samples. Only a flush (new series in the index) and retention (series deleted) change the
   * index, and both empty this; least recently used first out past POSTINGS_KEPT ids.
   */
  readonly #postings = new Map<string, Uint32Array>();
  #postingsIds = 0;
  /** Bumped whenever the label index changes, so a read that paused across a change is not kept. */
  #generation = 0;

  constructor(st: Statements, maxSeries: number, maxBytes: number) {
    this.#st = st;
    this.#maxSeries = maxSeries;
    this.#maxBytes = maxBytes;
  }

  /**
   * A flush wrote series to the database: the fresh ones among them (now `persisted`) leave the fresh
   * list, whose oldest come first. Only new series change the label index, and so the postings.
   */
  flushed(): void {
    const from = this.#freshFrom;
    let at = from;
    while (at < this.#fresh.length && this.#fresh[at]!.persisted) at++;
    if (at === from) return;
    // A new array rather than a shorter one: a match that paused holds the one it started with.
    if (at === this.#fresh.length) {
      this.#fresh = [];
      this.#freshFrom = 0;
    } else {
      this.#freshFrom = at;
    }
    this.#indexChanged();
  }

  #indexChanged(): void {
    this.#generation++;
    this.#postings.clear();
    this.#postingsIds = 0;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** What the series in memory take: their labels (`seriesBytes`) and native histogram heads. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Whether `bytes` more fit the budget. */
  fits(bytes: number): boolean {
    return this.#bytes + bytes <= this.#maxBytes;
  }

  /** Counts what a series' state grew (or, negative, shrank) by: a native histogram head. */
  adjust(bytes: number): void {
    this.#bytes += bytes;
  }

  /**
   * Refuses every new series from now on, as `memory_limit`: start-up did not load all the series
   * of the database (`why` says so), so a label set that looks new may be one of those.
   */
  closeToNewSeries(why: string): void {
    this.#closed = why;
  }

  /** Why no series is created, when start-up left some out. */
  get closedToNewSeries(): string | undefined {
    return this.#closed;
  }

  /** Ids are never reused, not even those of series start-up left out. */
  reserveIds(above: number): void {
    if (above >= this.#nextId) this.#nextId = above + 1;
  }

  all(): IterableIterator<SeriesState> {
    return this.#byId.values();
  }

  get(id: number): SeriesState | undefined {
    return this.#byId.get(id);
  }

  /** Adds a series read from the database. */
  restore(s: SeriesState): void {
    this.#byId.set(s.id, s);
    this.#byKey.set(s.key, s);
    this.#bytes += seriesBytes(s.key);
    if (s.id >= this.#nextId) this.#nextId = s.id + 1;
  }

  /**
   * The series for a label set, created if new. A known series is found by a 32-bit FNV-1a hash of
   * the labels as spelled (names and values in the object's own order; no string is built, which
   * measured about 6 times faster than joining them into a map key) and confirmed by comparing the
   * values, so a colliding hash never files samples under the wrong series. Only an unseen spelling
   * pays for sorting names and dropping empty values (an empty value means "no such label", as in
   * Prometheus); it is then remembered under its hash.
   */
  resolve(labels: SeriesLabels): SeriesState | number {
    if (labels === null || typeof labels !== 'object') return INVALID;
    const hash = spellingHash(labels);
    const known = this.#bySpelling.get(hash);
    if (known !== undefined) {
      if (!Array.isArray(known)) {
        if (!known.forgotten && known.matches(labels)) return known;
      } else {
        for (const s of known) if (!s.forgotten && s.matches(labels)) return s;
      }
    }
    if (Array.isArray(labels)) return INVALID;
    const canonical: Record<string, string> = Object.create(null);
    let any = false;
    for (const name of Object.keys(labels).sort()) {
      const value = labels[name];
      if (typeof value !== 'string' || name === '') return INVALID;
      if (value === '') continue;
      canonical[name] = value;
      any = true;
    }
    if (!any) return INVALID;
    const key = JSON.stringify(canonical);
    let s = this.#byKey.get(key);
    if (s === undefined) {
      if (this.#byId.size >= this.#maxSeries) return SERIES_LIMIT;
      if (this.#closed !== undefined) return MEMORY_LIMIT;
      const bytes = seriesBytes(key);
      if (this.#bytes + bytes > this.#maxBytes) return MEMORY_LIMIT;
      this.#bytes += bytes;
      s = new SeriesState(
        this.#nextId++,
        key,
        false,
        RESOLUTIONS.map(() => Number.NEGATIVE_INFINITY),
      );
      this.#byKey.set(key, s);
      this.#byId.set(s.id, s);
      this.#fresh.push(s);
    }
    if (known === undefined) this.#bySpelling.set(hash, s);
    else if (Array.isArray(known)) known.push(s);
    else this.#bySpelling.set(hash, known.forgotten ? s : [known, s]);
    return s;
  }

  /**
   * Series matching any of the matcher lists (all series for none) for which `inRange` holds, in
   * Prometheus's order of label sets. Paced by `pacer`: over a million label values (a regex the
   * index cannot narrow by literal values) the work takes seconds, which health checks and ingest
   * must not wait for.
   */
  async match(
    lists: readonly (readonly LabelMatcher[])[],
    inRange: (s: SeriesState) => boolean,
    pacer: Pacer,
  ): Promise<SeriesState[]> {
    const found = new Set<SeriesState>();
    for (const matchers of lists.length > 0 ? lists : [[]]) {
      const compiled = matchers.map((m) => compileMatcher(m));
      for (const s of await this.#candidates(compiled, pacer)) {
        if (inRange(s) && matchesAll(compiled, s.labels)) found.add(s);
        if (pacer.due(testUnits(s.key.length))) await pacer.pause();
      }
    }
    const alive: SeriesState[] = [];
    for (const s of found) {
      // One forgotten by retention while the match paused is no longer there to read.
      if (this.#byId.get(s.id) === s) alive.push(s);
      if (pacer.due()) await pacer.pause();
    }
    // Each series' label names and values taken once, not at each comparison: a report's reads
    // sort 8,000 series each, and the names alone were a tenth of their time.
    const named = alive.map((s) => {
      const names = Object.keys(s.labels);
      return { s, names, values: names.map((n) => s.labels[n]!) };
    });
    const sorted = await pacedSort(named, compareNamed, pacer);
    return sorted.map((x) => x.s);
  }

  /**
   * Drops series the database no longer has. Their spellings stay until `sweepForgotten`, which pays
   * for a look at every spelling; `resolve` passes them by meanwhile.
   */
  forget(gone: readonly SeriesState[]): void {
    if (gone.length === 0) return;
    this.#indexChanged();
    for (const s of gone) {
      s.forgotten = true;
      if (this.#byId.delete(s.id)) this.#bytes -= seriesBytes(s.key);
      this.#byKey.delete(s.key);
    }
  }

  /** Drops the spellings of forgotten series, paced: one look per spelling. */
  async sweepForgotten(pacer: Pacer): Promise<void> {
    for (const [hash, entry] of this.#bySpelling) {
      if (pacer.due()) await pacer.pause();
      if (!Array.isArray(entry)) {
        if (entry.forgotten) this.#bySpelling.delete(hash);
        continue;
      }
      const alive = entry.filter((s) => !s.forgotten);
      if (alive.length === 0) this.#bySpelling.delete(hash);
      else if (alive.length < entry.length)
        this.#bySpelling.set(hash, alive.length === 1 ? alive[0]! : alive);
    }
  }

  /**
   * A superset of the series `compiled` matches, from the label index: a matcher that cannot match
   * a missing label narrows the search to the series that have it (`=` and literal alternations by
   * exact value); series not flushed yet are not in the index and are tested directly. The index is
   * read a page at a time (a flush may write between two pages: the series it moves out of `fresh`
   * are still in the array taken at the start).
   */
  async #candidates(compiled: readonly CompiledMatcher[], pacer: Pacer): Promise<Iterable<SeriesState>> {
    const narrow =
      compiled.find((m) => !m.matchesEmpty && m.literals !== undefined) ??
      compiled.find((m) => !m.matchesEmpty);
    if (narrow === undefined) return this.#byId.values();
    const fresh = this.#fresh;
    const freshFrom = this.#freshFrom;
    const out: SeriesState[] = [];
    const add = (id: number) => {
      const s = this.#byId.get(id);
      if (s !== undefined) out.push(s);
    };
    if (narrow.literals !== undefined) {
      for (const value of narrow.literals) {
        // 52,500 ids of one metric name looked up at once held the event loop for 15-20 ms.
        const ids = await this.#idsOf(narrow.name, value, pacer);
        for (let i = 0; i < ids.length; i++) {
          add(ids[i]!);
          if (pacer.due()) await pacer.pause();
        }
      }
    } else {
      let last: string | undefined;
      let pass = false;
      let after: [string, number] = ['', 0];
      for (;;) {
        const page = this.#st.idsByNamePage.all(narrow.name, after[0], after[1], VALUE_PAGE) as [
          string,
          number,
        ][];
        for (const [value, id] of page) {
          let units = 1;
          if (value !== last) {
            last = value;
            pass = narrow.test(value);
            units = testUnits(value.length);
          }
          if (pass) add(id);
          if (pacer.due(units)) await pacer.pause();
        }
        if (page.length < VALUE_PAGE) break;
        after = page[page.length - 1]!;
      }
    }
    for (let i = freshFrom; i < fresh.length; i++) {
      const s = fresh[i]!;
      const value = s.labels[narrow.name] ?? '';
      if (narrow.test(value)) out.push(s);
      if (pacer.due(testUnits(value.length))) await pacer.pause();
    }
    return out;
  }

  /** The ids of the series with label `name="value"` in the index, from the postings cache or SQLite. */
  async #idsOf(name: string, value: string, pacer: Pacer): Promise<Uint32Array> {
    const key = `${name}\u0000${value}`;
    const kept = this.#postings.get(key);
    if (kept !== undefined) {
      this.#postings.delete(key);
      this.#postings.set(key, kept);
      return kept;
    }
    const generation = this.#generation;
    const all: number[] = [];
    for (let after = 0; ; ) {
      const ids = this.#st.idsByValuePage.all(name, value, after, ID_PAGE) as number[];
      for (const id of ids) all.push(id);
      if (pacer.due(ids.length + 1)) await pacer.pause();
      if (ids.length < ID_PAGE) break;
      after = ids[ids.length - 1]!;
    }
    const ids = Uint32Array.from(all);
    if (generation === this.#generation && ids.length <= POSTINGS_KEPT) {
      this.#postings.set(key, ids);
      this.#postingsIds += ids.length;
      for (const [old, oldIds] of this.#postings) {
        if (this.#postingsIds <= POSTINGS_KEPT) break;
        this.#postings.delete(old);
        this.#postingsIds -= oldIds.length;
      }
    }
    return ids;
  }
}

interface Named {
  /** Object.keys of the labels, and their values in that order. */
  readonly names: readonly string[];
  readonly values: readonly string[];
}

/** labels.Compare in Prometheus: name by name, then value by value, then the shorter set first. */
function compareNamed(a: Named, b: Named): number {
  const an = a.names;
  const bn = b.names;
  for (let i = 0; i < an.length && i < bn.length; i++) {
    const x = an[i]!;
    const y = bn[i]!;
    if (x !== y) return x < y ? -1 : 1;
    const v = a.values[i]!;
    const w = b.values[i]!;
    if (v !== w) return v < w ? -1 : 1;
  }
  return an.length - bn.length;
}

/** FNV-1a over names and values in their own order; -1 for a label set with a non-string value. */
function spellingHash(labels: SeriesLabels): number {
  let x = 0x811c9dc5 | 0;
  for (const name in labels) {
    const value = labels[name];
    if (typeof value !== 'string') return -1;
    for (let i = 0; i < name.length; i++) x = Math.imul(x ^ name.charCodeAt(i), 0x01000193);
    x = Math.imul(x ^ 0xffff, 0x01000193);
    for (let i = 0; i < value.length; i++) x = Math.imul(x ^ value.charCodeAt(i), 0x01000193);
    x = Math.imul(x ^ 0xfffe, 0x01000193);
  }
  return x;
}
