import type { ParsedFamily } from '@vigil/metrics';
import { ServerError } from '../errors/server-error.js';
import { type SeriesLabels, type SeriesSamples, staleNaN } from '../store/series-store.js';
import { StoreUnwritableError } from '../store/store-unwritable-error.js';
import { expositionSamples } from './exposition-samples.js';

/** A grouping key from a Pushgateway path: `job/<job>{/<label>/<value>}`, values optionally `@base64`. */
export function parseGroupingKey(path: string): SeriesLabels {
  const parts = path.split('/');
  if (parts[0] !== 'job' && parts[0] !== 'job@base64')
    throw badKey('the path must start with /metrics/job/<job>');
  if (parts.length % 2 !== 0) throw badKey('the grouping key needs a value for every label');
  const labels: Record<string, string> = {};
  for (let i = 0; i < parts.length; i += 2) {
    let name = parts[i]!;
    let value = decodeValue(parts[i + 1]!);
    if (name.endsWith('@base64')) {
      name = name.slice(0, -'@base64'.length);
      value = Buffer.from(value.replace(/=+$/, ''), 'base64url').toString('utf8');
    }
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) || name.startsWith('__'))
      throw badKey(`"${name}" is not a valid label name`);
    if (name in labels) throw badKey(`label "${name}" appears twice in the grouping key`);
    labels[name] = value;
  }
  if (!labels.job) throw badKey('the job name must not be empty');
  return labels;
}

function decodeValue(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    throw new ServerError('VIGIL_INGEST_BAD_GROUPING_KEY', `"${text}" is not valid percent-encoding`, {
      cause: error,
    });
  }
}

const badKey = (message: string) => new ServerError('VIGIL_INGEST_BAD_GROUPING_KEY', message);

interface Group {
  readonly labels: SeriesLabels;
  /** Metric family name to its parsed family, as last pushed. */
  readonly families: Map<string, ParsedFamily>;
  pushedAtMs: number;
  /** What the group holds, as `push` measures it. */
  bytes: number;
}

/** A group as push-groups-file.ts keeps it on disk. */
export interface SavedGroup {
  readonly labels: SeriesLabels;
  readonly families: readonly ParsedFamily[];
  readonly pushedAtMs: number;
}

/**
 * Pushgateway semantics on top of the store. A pushed group is stored at once and then sampled again
 * at every scrape interval, as Prometheus would scrape a Pushgateway, so a value pushed by a nightly
 * job stays visible until it is replaced or deleted. PUT replaces the whole group, POST only the
 * families it names, DELETE removes the group; the series that disappear get a staleness marker, so
 * queries stop showing them at once instead of five minutes later.
 */
export class PushGroups {
  readonly #groups = new Map<string, Group>();
  readonly #maxGroups: number;
  readonly #maxGroupBytes: number;
  readonly #maxBytes: number;
  /** Every group's bytes together. */
  #bytes = 0;
  #version = 0;

  /**
   * `maxGroupBytes`: the most one group may hold (default 4 MiB), counting the labels of its series
   * (the group's labels included in each), 16 bytes a sample, and its families' HELP, UNIT and
   * exemplar labels: all of it stays in memory and is written to `pushgateway.jsonl`.
   */
  constructor(maxGroups = 10_000, maxGroupBytes = 4 * 1024 * 1024, maxBytes = Number.POSITIVE_INFINITY) {
    this.#maxGroups = maxGroups;
    this.#maxGroupBytes = maxGroupBytes;
    this.#maxBytes = maxBytes;
  }

  /** Every group's bytes together; at most `maxBytes` (the Pushgateway's share of memory.limit). */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#groups.size;
  }

  /** Counts pushes and deletes, so that a saver writes only when something changed. */
  get version(): number {
    return this.#version;
  }

  /**
   * Why the groups cannot be saved (push-groups-file.ts reports it), or undefined: while they cannot,
   * pushes and deletes are refused, since a restart would lose them after they were acknowledged.
   */
  unsaved: string | undefined;

  #assertSaving(): void {
    if (this.unsaved !== undefined) throw new StoreUnwritableError(this.unsaved);
  }

  /** Every group as it stands, one at a time, to save. */
  *saved(): Generator<SavedGroup> {
    for (const g of this.#groups.values())
      yield { labels: g.labels, families: [...g.families.values()], pushedAtMs: g.pushedAtMs };
  }

  /** Puts saved groups back (at start-up, before any push), keeping the cap. */
  restore(groups: readonly SavedGroup[]): void {
    // Acknowledged before the restart: kept even past maxBytes, which then refuses new pushes.
    for (const g of groups.slice(0, this.#maxGroups - this.#groups.size)) {
      const group: Group = {
        labels: g.labels,
        families: new Map(g.families.map((f) => [f.name, f])),
        pushedAtMs: g.pushedAtMs,
        bytes: 0,
      };
      group.bytes = sizeOf(this.#samples(group, g.pushedAtMs)) + textBytes(group.families.values());
      this.#bytes += group.bytes;
      this.#groups.set(keyOf(g.labels), group);
    }
  }

  /** Records a push; returns what to store now (the new samples, and staleness markers for dropped series). */
  push(
    labels: SeriesLabels,
    families: readonly ParsedFamily[],
    replaceAll: boolean,
    nowMs: number,
  ): SeriesSamples[] {
    this.#assertSaving();
    const key = keyOf(labels);
    let group = this.#groups.get(key);
    if (!group) {
      if (this.#groups.size >= this.#maxGroups)
        throw new ServerError(
          'VIGIL_INGEST_TOO_MANY_GROUPS',
          `too many push groups (the limit is ${this.#maxGroups})`,
        );
      group = { labels, families: new Map(), pushedAtMs: nowMs, bytes: 0 };
    }
    const before = this.#samples(group, nowMs);
    const updated: Group = {
      labels: group.labels,
      families: new Map(replaceAll ? [] : group.families),
      pushedAtMs: nowMs,
      bytes: 0,
    };
    for (const family of families) updated.families.set(family.name, family);
    const after = this.#samples(updated, nowMs);
    const bytes = sizeOf(after) + textBytes(updated.families.values());
    if (bytes > this.#maxGroupBytes)
      throw new ServerError(
        'VIGIL_INGEST_GROUP_TOO_LARGE',
        `the push would make group ${key} ${bytes} bytes, more than the ${this.#maxGroupBytes} a group may hold (limits.pushGroupBytes); the group is unchanged`,
      );
    const total = this.#bytes - group.bytes + bytes;
    if (total > this.#maxBytes)
      throw new ServerError(
        'VIGIL_INGEST_PUSHGATEWAY_FULL',
        `the push would make the Pushgateway groups ${total} bytes together, more than their ${this.#maxBytes}-byte share of memory.limit; delete groups or raise memory.limit; the group is unchanged`,
      );
    updated.bytes = bytes;
    this.#bytes = total;
    this.#groups.set(key, updated);
    this.#version++;
    return [...after, ...staleFor(before, after, nowMs)];
  }

  /** Deletes a group; returns the staleness markers for its series (nothing when there was no such group). */
  delete(labels: SeriesLabels, nowMs: number): SeriesSamples[] {
    this.#assertSaving();
    const key = keyOf(labels);
    const group = this.#groups.get(key);
    if (!group) return [];
    this.#groups.delete(key);
    this.#bytes -= group.bytes;
    this.#version++;
    return staleFor(this.#samples(group, nowMs), [], nowMs);
  }

  /** Every group's current values at `nowMs`, for the periodic re-sampling. */
  sample(nowMs: number): SeriesSamples[] {
    const out: SeriesSamples[] = [];
    for (const group of this.#groups.values()) out.push(...this.#samples(group, nowMs));
    return out;
  }

  #samples(group: Group, nowMs: number): SeriesSamples[] {
    const samples = expositionSamples([...group.families.values()], {
      nowMs,
      honorTimestamps: false,
      extraLabels: group.labels,
    });
    samples.push({
      labels: { ...group.labels, __name__: 'push_time_seconds' },
      timestamps: [nowMs],
      values: Float64Array.of(group.pushedAtMs / 1000),
    });
    return samples;
  }
}

/** What a group's series take: their label names and values, and 16 bytes a sample. */
function sizeOf(samples: readonly SeriesSamples[]): number {
  let bytes = 0;
  for (const { labels, timestamps } of samples) {
    for (const name in labels) bytes += name.length + labels[name]!.length;
    bytes += 16 * timestamps.length;
  }
  return bytes;
}

/** What the families hold besides their series: names, HELP and UNIT text, exemplars' labels. */
function textBytes(families: Iterable<ParsedFamily>): number {
  let bytes = 0;
  for (const { name, help, unit, samples } of families) {
    bytes += name.length + help.length + unit.length;
    for (const { exemplar } of samples) {
      if (exemplar === undefined) continue;
      for (const label in exemplar.labels) bytes += label.length + exemplar.labels[label]!.length;
    }
  }
  return bytes;
}

function staleFor(
  before: readonly SeriesSamples[],
  after: readonly SeriesSamples[],
  nowMs: number,
): SeriesSamples[] {
  const kept = new Set(after.map((s) => keyOf(s.labels)));
  return before
    .filter((s) => !kept.has(keyOf(s.labels)))
    .map((s) => ({ labels: s.labels, timestamps: [nowMs], values: Float64Array.of(staleNaN()) }));
}

function keyOf(labels: SeriesLabels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
