import { randomUUID } from 'node:crypto';
import { ServerError } from '../../errors/server-error.js';
import { type CompiledMatcher, matchesAll } from '../../matchers/label-matcher.js';
import { alertmanagerMatcher } from '../../matchers/matcher-syntax.js';
import { readFileIfPresent, writeFileDurably } from '../../store/durable-file.js';
import type { SeriesLabels } from '../../store/series-store.js';
import type { Silencer } from '../alert.js';

export type SilenceState = 'active' | 'pending' | 'expired';

/** What happened to a silence: made, changed in place, or ended by hand. */
export type SilenceChange = 'created' | 'updated' | 'expired';

export interface Silence {
  readonly id: string;
  readonly matchers: readonly CompiledMatcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
  readonly updatedAt: number;
}

/** What a client posts: Alertmanager's postableSilence, times in Unix ms. */
export interface SilenceInput {
  readonly id?: string | undefined;
  readonly matchers: readonly CompiledMatcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** A silence that cannot be stored as asked; `notFound` for an update or expiry of an unknown id. */
export class SilenceError extends ServerError {
  constructor(message: string, notFound = false) {
    super(notFound ? 'VIGIL_SILENCE_NOT_FOUND' : 'VIGIL_BAD_SILENCE', message);
    this.name = 'SilenceError';
  }
}

export interface SilencesOptions {
  readonly now: () => number;
  /** The snapshot file; none keeps silences in memory only. */
  readonly file?: string | undefined;
  /** How long an expired silence stays listed. Default 120 h, Alertmanager's `--data.retention`. */
  readonly retentionMs?: number;
  /** Told of every change made through `set` and `expire`, after it was saved. */
  readonly onChange?: ((silence: Silence, change: SilenceChange) => void) | undefined;
}

/**
 * Silences with Alertmanager's rules: a silence is pending before `startsAt`, active until `endsAt`,
 * then expired and kept for the retention; an update that keeps the matchers changes a pending or
 * active silence in place, any other update expires it and creates a new one. Every change is
 * written to a snapshot file (a temporary file renamed over the old one, so a crash leaves either
 * the old or the new set, never half of one).
 */
export class Silences implements Silencer {
  readonly #silences = new Map<string, Silence>();
  readonly #now: () => number;
  readonly #file: string | undefined;
  readonly #retentionMs: number;
  readonly #onChange: SilencesOptions['onChange'];

  constructor(options: SilencesOptions) {
    this.#now = options.now;
    this.#file = options.file;
    this.#onChange = options.onChange;
    this.#retentionMs = options.retentionMs ?? 120 * 3_600_000;
    if (this.#file) this.#load(this.#file);
  }

  state(s: Silence, now = this.#now()): SilenceState {
    if (s.endsAt <= now) return 'expired';
    return s.startsAt > now ? 'pending' : 'active';
  }

  list(): Silence[] {
    return [...this.#silences.values()];
  }

  get(id: string): Silence | undefined {
    return this.#silences.get(id);
  }

  /** Creates or updates; returns the id of the silence now in force (new when the update could not be in place). */
  set(input: SilenceInput): string {
    const now = this.#now();
    validate(input, now);
    const prev = input.id === undefined ? undefined : this.#silences.get(input.id);
    if (input.id !== undefined && !prev) throw new SilenceError(`silence ${input.id} not found`, true);
    if (prev && canUpdate(prev, input, this.state(prev, now), now)) {
      const updated = { ...prev, ...fields(input), updatedAt: now };
      this.#silences.set(prev.id, updated);
      this.#save();
      this.#onChange?.(updated, 'updated');
      return prev.id;
    }
    const replaced = prev && this.state(prev, now) !== 'expired' ? this.#expireAt(prev, now) : undefined;
    const id = randomUUID();
    const startsAt = Math.max(input.startsAt, now);
    const created = { id, ...fields(input), startsAt, updatedAt: now };
    this.#silences.set(id, created);
    this.#save();
    if (replaced) this.#onChange?.(replaced, 'expired');
    this.#onChange?.(created, 'created');
    return id;
  }

  expire(id: string): void {
    const s = this.#silences.get(id);
    if (!s) throw new SilenceError(`silence ${id} not found`, true);
    const now = this.#now();
    if (this.state(s, now) === 'expired') throw new SilenceError(`silence ${id} is already expired`);
    const expired = this.#expireAt(s, now);
    this.#save();
    this.#onChange?.(expired, 'expired');
  }

  silencedBy(labels: SeriesLabels): readonly string[] {
    const now = this.#now();
    const ids: string[] = [];
    for (const s of this.#silences.values()) {
      if (s.startsAt <= now && s.endsAt > now && matchesAll(s.matchers, labels)) ids.push(s.id);
    }
    return ids;
  }

  /** Drops silences expired for longer than the retention. */
  gc(): void {
    const limit = this.#now() - this.#retentionMs;
    let changed = false;
    for (const [id, s] of this.#silences) {
      if (s.endsAt < limit) {
        this.#silences.delete(id);
        changed = true;
      }
    }
    if (changed) this.#save();
  }

  #expireAt(s: Silence, now: number): Silence {
    const expired = { ...s, startsAt: Math.min(s.startsAt, now), endsAt: now, updatedAt: now };
    this.#silences.set(s.id, expired);
    return expired;
  }

  #save(): void {
    if (!this.#file) return;
    const data = this.list().map((s) => ({
      ...s,
      matchers: s.matchers.map((m) => ({ name: m.name, type: m.type, value: m.value })),
    }));
    writeFileDurably(this.#file, JSON.stringify({ version: 1, silences: data }));
  }

  #load(file: string): void {
    const text = readFileIfPresent(file);
    if (text === undefined) return;
    // A broken file stops start-up with its name: silently dropping it would unmute what it silenced.
    try {
      const data = JSON.parse(text) as {
        silences: Array<Omit<Silence, 'matchers'> & { matchers: CompiledMatcher[] }>;
      };
      for (const s of data.silences) {
        this.#silences.set(s.id, {
          ...s,
          matchers: s.matchers.map((m) => alertmanagerMatcher(m.name, m.type, m.value)),
        });
      }
    } catch (error) {
      throw new Error(`${file}: cannot read the saved silences: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

function fields(input: SilenceInput) {
  return {
    matchers: input.matchers,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    createdBy: input.createdBy,
    comment: input.comment,
  };
}

function validate(input: SilenceInput, now: number): void {
  if (input.matchers.length === 0) throw new SilenceError('matchers: at least one matcher is required');
  if (input.matchers.every((m) => matchesAll([m], {})))
    throw new SilenceError(
      'matchers: at least one matcher must not match the empty string, or the silence would mute every alert',
    );
  if (!(input.endsAt > input.startsAt)) throw new SilenceError('endsAt: must be after startsAt');
  if (input.endsAt <= now) throw new SilenceError('endsAt: must be in the future');
  if (!input.createdBy) throw new SilenceError('createdBy: missing; say who creates the silence');
  if (!input.comment) throw new SilenceError('comment: missing; say why the silence exists');
}

/** Alertmanager's `canUpdate`: same matchers, and no change to a start that is already past. */
function canUpdate(prev: Silence, next: SilenceInput, state: SilenceState, now: number): boolean {
  const key = (ms: readonly CompiledMatcher[]) =>
    ms
      .map((m) => `${m.name}${m.type}${m.value}`)
      .sort()
      .join('\u0000');
  if (key(prev.matchers) !== key(next.matchers)) return false;
  if (state === 'expired') return false;
  if (state === 'pending') return next.startsAt >= now;
  return next.startsAt === prev.startsAt;
}
