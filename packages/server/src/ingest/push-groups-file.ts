import { closeSync, existsSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import type { Clock } from '@vigil/metrics';
import { background } from '../errors/background-tasks.js';
import { readFileIfPresent, writeFileDurably } from '../store/durable-file.js';
import type { PushGroups, SavedGroup } from './push-groups.js';

export interface PushGroupsFileOptions {
  /** `<data>/pushgateway.jsonl`. */
  readonly path: string;
  /**
   * `<data>/pushgateway.json`, the one-document file of earlier versions: read when `path` does not
   * exist yet, removed once `path` has been written.
   */
  readonly legacyPath?: string;
  readonly groups: PushGroups;
  readonly clock: Clock;
  /** How often a changed set of groups is written. */
  readonly intervalMs: number;
}

const FORMAT = 2;
const LEGACY_FORMAT = 1;
/** Writes and reads go in chunks of about this size: one system call each, not one per group. */
const WRITE_CHUNK_BYTES = 1024 * 1024;

/**
 * The Pushgateway's `--persistence.file`: pushed groups survive a restart. The file is JSON Lines: a
 * header line `{"format":2}`, then one line per group. It is written when the groups changed, every
 * `intervalMs` and on shutdown, atomically (a temporary file, fsync, rename, fsync of the directory),
 * so a crash leaves the previous complete file or the new one, never half of one; a `kill -9` loses
 * at most the pushes of the last interval.
 *
 * Groups are serialised and read one at a time, never as one string: V8 cannot make a string longer
 * than about 512 MiB, and the earlier single-document file made the save throw ("Invalid string
 * length") once the groups together held more (issue 13). A group itself is bounded by
 * `limits.pushGroupBytes`.
 *
 * JSON cannot hold NaN or ±Inf, which pushed values may be: they are written as `{"$": "NaN"}`
 * (no label name can be `$`). A file that cannot be read back is moved aside, not deleted, and
 * start-up goes on without it.
 */
export class PushGroupsFile {
  readonly #options: PushGroupsFileOptions;
  /** The groups' version last written or read; nothing to write while it is current. */
  #savedVersion: number;
  /** The legacy file was read: it goes once the new file has been written. */
  #migrating = false;
  #stop: (() => void) | undefined;

  constructor(options: PushGroupsFileOptions) {
    this.#options = options;
    this.#savedVersion = options.groups.version;
  }

  /** Restores the saved groups; returns how many, or the error that made the file unusable. */
  load(): { restored: number } | { error: string; movedTo: string } {
    const { path, legacyPath, groups } = this.#options;
    let saved: SavedGroup[] | undefined;
    let from = path;
    try {
      saved = readLines(path);
      if (saved === undefined && legacyPath !== undefined) {
        from = legacyPath;
        saved = readLegacy(legacyPath);
      }
    } catch (error) {
      if (!(error instanceof UnreadableError)) throw error;
      // Kept for whoever wants to look at it; the next save would otherwise overwrite it.
      const movedTo = `${from}.unreadable-${this.#options.clock.now()}`;
      renameSync(from, movedTo);
      return { error: error.message, movedTo };
    }
    // A crash between writing the new file and removing the old one leaves both: the new one counts.
    this.#migrating = legacyPath !== undefined && existsSync(legacyPath);
    if (saved === undefined) return { restored: 0 };
    groups.restore(saved);
    // Read from the legacy file: written anew at the first save even if nothing is pushed.
    this.#savedVersion = from === legacyPath ? Number.NaN : groups.version;
    return { restored: saved.length };
  }

  start(): void {
    this.#stop = this.#options.clock.every(this.#options.intervalMs, () =>
      background('saving pushgateway.jsonl', () => this.save()),
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
    const { path, legacyPath, groups } = this.#options;
    if (groups.version === this.#savedVersion) return;
    const version = groups.version;
    writeFileDurably(path, lines(groups));
    this.#savedVersion = version;
    if (this.#migrating && legacyPath !== undefined) {
      rmSync(legacyPath, { force: true });
      this.#migrating = false;
    }
  }

  /** Stops the timer and writes what changed since the last write. */
  close(): void {
    this.#stop?.();
    this.save();
  }
}

/** The file's text in chunks of about WRITE_CHUNK_BYTES, each group serialised on its own. */
function* lines(groups: PushGroups): Generator<string> {
  let pending: string[] = [`{"format":${FORMAT}}\n`];
  let pendingBytes = 0;
  for (const group of groups.saved()) {
    const line = `${JSON.stringify(group, encodeNonFinite)}\n`;
    pending.push(line);
    pendingBytes += line.length;
    if (pendingBytes >= WRITE_CHUNK_BYTES) {
      yield pending.join('');
      pending = [];
      pendingBytes = 0;
    }
  }
  if (pending.length > 0) yield pending.join('');
}

class UnreadableError extends Error {}

function encodeNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { $: String(value) } : value;
}

function decodeNonFinite(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (typeof v.$ === 'string' && Object.keys(v).length === 1) return Number(v.$);
  }
  return value;
}

/** The groups of a JSON Lines file, read a chunk at a time; undefined when there is no file. */
function readLines(path: string): SavedGroup[] | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const groups: SavedGroup[] = [];
  let line = 0;
  const take = (bytes: Buffer) => {
    line++;
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'), decodeNonFinite);
    } catch (error) {
      throw new UnreadableError(`line ${line}: ${(error as Error).message}`);
    }
    if (line === 1) {
      if ((value as { format?: unknown } | null)?.format !== FORMAT)
        throw new UnreadableError(`line 1: expected {"format":${FORMAT}}`);
      return;
    }
    groups.push(checkGroup(value, `line ${line}`));
  };
  try {
    const chunk = Buffer.allocUnsafe(WRITE_CHUNK_BYTES);
    let partial: Buffer[] = [];
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl !== -1 && nl < read; nl = chunk.indexOf(10, start)) {
        take(Buffer.concat([...partial, chunk.subarray(start, nl)]));
        partial = [];
        start = nl + 1;
      }
      if (start < read) partial.push(Buffer.from(chunk.subarray(start, read)));
    }
    // Every line ends with a newline: a last one without is a file cut short.
    if (partial.length > 0) throw new UnreadableError(`line ${line + 1}: cut short`);
    if (line === 0) throw new UnreadableError('the file is empty');
  } finally {
    closeSync(fd);
  }
  return groups;
}

/** The groups of the single-document file of earlier versions; undefined when there is none. */
function readLegacy(path: string): SavedGroup[] | undefined {
  const text = readFileIfPresent(path);
  if (text === undefined) return undefined;
  let document: { format?: unknown; groups?: unknown };
  try {
    document = JSON.parse(text, decodeNonFinite);
  } catch (error) {
    throw new UnreadableError((error as Error).message);
  }
  if (document?.format !== LEGACY_FORMAT) throw new UnreadableError(`expected "format": ${LEGACY_FORMAT}`);
  if (!Array.isArray(document.groups)) throw new UnreadableError('expected "groups" to be an array');
  return document.groups.map((g, i) => checkGroup(g, `group ${i}`));
}

function checkGroup(value: unknown, where: string): SavedGroup {
  const group = value as Partial<SavedGroup> | null;
  if (
    !group ||
    typeof group.labels !== 'object' ||
    typeof group.labels?.job !== 'string' ||
    !Array.isArray(group.families) ||
    typeof group.pushedAtMs !== 'number'
  )
    throw new UnreadableError(`${where}: expected {labels: {job, ...}, families: [...], pushedAtMs}`);
  for (const family of group.families) {
    if (typeof family?.name !== 'string' || !Array.isArray(family.samples))
      throw new UnreadableError(`${where}: expected each family to have a name and samples`);
  }
  return group as SavedGroup;
}
