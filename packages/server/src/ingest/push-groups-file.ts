import { readFileSync, renameSync } from 'node:fs';
import type { Clock } from '@vigil/metrics';
import { background } from '../errors/background-tasks.js';
import { writeFileDurably } from '../store/durable-file.js';
import type { PushGroups, SavedGroup } from './push-groups.js';

export interface PushGroupsFileOptions {
  /** `<data>/pushgateway.json`. */
  readonly path: string;
  readonly groups: PushGroups;
  readonly clock: Clock;
  /** How often a changed set of groups is written. */
  readonly intervalMs: number;
}

const FORMAT = 1;

/**
 * The Pushgateway's `--persistence.file`: pushed groups survive a restart. The file is written
 * when the groups changed, every `intervalMs` and on shutdown, atomically (a temporary file,
 * fsync, rename, fsync of the directory), so a crash leaves the previous complete file or the new
 * one, never half of one; a `kill -9` loses at most the pushes of the last interval.
 *
 * JSON cannot hold NaN or ±Inf, which pushed values may be: they are written as `{"$": "NaN"}`
 * (no label name can be `$`). A file that cannot be read back is moved aside, not deleted, and
 * start-up goes on without it.
 */
export class PushGroupsFile {
  readonly #options: PushGroupsFileOptions;
  /** The groups' version last written or read; nothing to write while it is current. */
  #savedVersion: number;
  #stop: (() => void) | undefined;

  constructor(options: PushGroupsFileOptions) {
    this.#options = options;
    this.#savedVersion = options.groups.version;
  }

  /** Restores the saved groups; returns how many, or the error that made the file unusable. */
  load(): { restored: number } | { error: string; movedTo: string } {
    const { path, groups, clock } = this.#options;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { restored: 0 };
      throw error;
    }
    let saved: SavedGroup[];
    try {
      saved = parseSaved(text);
    } catch (error) {
      // Kept for whoever wants to look at it; the next save would otherwise overwrite it.
      const movedTo = `${path}.unreadable-${clock.now()}`;
      renameSync(path, movedTo);
      return { error: (error as Error).message, movedTo };
    }
    groups.restore(saved);
    this.#savedVersion = groups.version;
    return { restored: saved.length };
  }

  start(): void {
    this.#stop = this.#options.clock.every(this.#options.intervalMs, () =>
      background('saving pushgateway.json', () => this.save()),
    );
  }

  /**
   * Writes the groups if they changed since the last write. While that fails (a full disk), pushes
   * are refused with 503 and the groups in memory wait for the next try.
   */
  save(): void {
    try {
      this.#write();
      this.#options.groups.unsaved = undefined;
    } catch (error) {
      this.#options.groups.unsaved = `${this.#options.path} cannot be written: ${(error as Error).message}`;
      throw error;
    }
  }

  #write(): void {
    const { path, groups } = this.#options;
    if (groups.version === this.#savedVersion) return;
    const version = groups.version;
    const text = JSON.stringify({ format: FORMAT, groups: groups.saved() }, (_key, value) =>
      typeof value === 'number' && !Number.isFinite(value) ? { $: String(value) } : value,
    );
    writeFileDurably(path, text);
    this.#savedVersion = version;
  }

  /** Stops the timer and writes what changed since the last write. */
  close(): void {
    this.#stop?.();
    this.save();
  }
}

function parseSaved(text: string): SavedGroup[] {
  const document = JSON.parse(text, (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const v = value as Record<string, unknown>;
      if (typeof v.$ === 'string' && Object.keys(v).length === 1) return Number(v.$);
    }
    return value;
  }) as { format?: unknown; groups?: unknown };
  if (document?.format !== FORMAT) throw new Error(`expected "format": ${FORMAT}`);
  if (!Array.isArray(document.groups)) throw new Error('expected "groups" to be an array');
  for (const [i, g] of document.groups.entries()) {
    const group = g as Partial<SavedGroup> | null;
    if (
      !group ||
      typeof group.labels !== 'object' ||
      typeof group.labels?.job !== 'string' ||
      !Array.isArray(group.families) ||
      typeof group.pushedAtMs !== 'number'
    )
      throw new Error(`group ${i}: expected {labels: {job, ...}, families: [...], pushedAtMs}`);
    for (const family of group.families) {
      if (typeof family?.name !== 'string' || !Array.isArray(family.samples))
        throw new Error(`group ${i}: expected each family to have a name and samples`);
    }
  }
  return document.groups as SavedGroup[];
}
