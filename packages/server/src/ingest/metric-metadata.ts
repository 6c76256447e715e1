import type { ParsedFamily } from '@vigil/metrics';

/** One entry of Prometheus's `/api/v1/metadata`: `type` is `unknown` for untyped families. */
export interface MetadataEntry {
  readonly type: string;
  readonly help: string;
  readonly unit: string;
}

export interface MetadataQuery {
  /** Only this metric family. */
  readonly metric?: string;
  /** Most metric families returned. */
  readonly limit?: number;
  /** Most entries per family. */
  readonly limitPerMetric?: number;
}

export interface MetricMetadataOptions {
  /** Most families kept; families seen later are not recorded. Default 100,000. */
  readonly maxFamilies?: number;
  /** Most distinct (type, help, unit) entries kept per family. Default 10. */
  readonly maxEntriesPerFamily?: number;
}

/**
 * TYPE, HELP and UNIT of the metric families that ingest has read (scrapes, pushed exposition text,
 * the metadata of remote-write requests),
 * for `/api/v1/metadata`. The store keeps samples only, so this lives in memory: it starts empty
 * after a restart and fills again at the next scrape or push. Like Prometheus, a family exposed
 * with different help by two targets has two entries.
 */
export class MetricMetadata {
  readonly #families = new Map<string, Map<string, MetadataEntry>>();
  readonly #maxFamilies: number;
  readonly #maxEntries: number;

  constructor(options: MetricMetadataOptions = {}) {
    this.#maxFamilies = options.maxFamilies ?? 100_000;
    this.#maxEntries = options.maxEntriesPerFamily ?? 10;
  }

  record(families: readonly ParsedFamily[]): void {
    for (const family of families) {
      const type = family.type === 'untyped' ? 'unknown' : family.type;
      this.#add(family.name, { type, help: family.help, unit: family.unit });
    }
  }

  #add(name: string, entry: MetadataEntry): void {
    let entries = this.#families.get(name);
    if (!entries) {
      if (this.#families.size >= this.#maxFamilies) return;
      entries = new Map();
      this.#families.set(name, entries);
    }
    const key = `${entry.type}\x00${entry.help}\x00${entry.unit}`;
    if (entries.has(key) || entries.size >= this.#maxEntries) return;
    entries.set(key, entry);
  }

  /** Entries as remote write carries them (WriteRequest.metadata). */
  recordEntries(entries: readonly (MetadataEntry & { readonly name: string })[]): void {
    for (const { name, type, help, unit } of entries) this.#add(name, { type, help, unit });
  }

  /** The API's `data`: family name → entries, in name order. */
  query(q: MetadataQuery = {}): Record<string, MetadataEntry[]> {
    const names = q.metric === undefined ? [...this.#families.keys()].sort() : [q.metric];
    const out: Record<string, MetadataEntry[]> = {};
    let count = 0;
    for (const name of names) {
      if (q.limit !== undefined && count >= q.limit) break;
      const entries = this.#families.get(name);
      if (!entries) continue;
      const list = [...entries.values()];
      out[name] = q.limitPerMetric === undefined ? list : list.slice(0, q.limitPerMetric);
      count++;
    }
    return out;
  }
}
