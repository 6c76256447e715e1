import type { ScopeSnapshot } from '../core/snapshot.js';
import type { Link } from './link.js';
import type { MergedFamily } from './merged-family.js';
import type { AnswerMessage, HelloMessage, WireMetric } from './messages.js';
import { SeriesSet } from './series-set.js';

/**
 * `starting`: added, its `ClusterWorker` has not said hello yet; `ok`: answered the last scrape in
 * time; `late`: did not (its last answer is merged instead); `gone`: exited or closed its channel.
 */
export type ClusterWorkerState = 'starting' | 'ok' | 'late' | 'gone';

/** What the primary knows of one worker: its channel, its state and its last answer, decoded. */
export class Member {
  readonly link: Link;
  state: ClusterWorkerState = 'starting';
  pid: number | undefined;
  threadId: number | undefined;
  /** Unix ms of the last answer applied, and of the exit. */
  answeredAt: number | undefined;
  goneAt = 0;
  error: string | undefined;
  /** Id of the last scrape this worker answered. */
  answered = -1;
  startTime = 0;
  scopeLabel = '';
  scopes: readonly ScopeSnapshot[] = [];
  sets = new Map<string, SeriesSet>();
  #incarnation = '';
  #seq = 0;
  readonly #waiters = new Map<number, () => void>();

  constructor(link: Link) {
    this.link = link;
  }

  /** `have` for the next scrape: the answer whose series order the worker may continue. */
  get have(): string {
    return this.#seq === 0 ? '' : `${this.#incarnation}:${this.#seq}`;
  }

  hello(message: HelloMessage): void {
    this.#restartedAs(message.incarnation);
    this.pid = message.pid;
    this.threadId = message.threadId;
    if (this.state === 'starting') this.state = 'ok';
  }

  /** Sends scrape `id`; `done` runs once, when the answer is applied or the worker is gone. */
  scrape(id: number, done: () => void): void {
    this.#waiters.set(id, done);
    if (!this.link.send({ vigil: 'scrape', id, have: this.have, varint: true })) this.#settle(id);
  }

  /**
   * Applies an answer. An error, or an answer that continues a series order the primary does not
   * hold, leaves the previous answer in place; after the latter the next scrape asks for every series.
   */
  apply(answer: AnswerMessage, now: number, familyOf: (wire: WireMetric) => MergedFamily | undefined): void {
    this.#restartedAs(answer.incarnation);
    try {
      if (answer.error !== undefined) {
        this.error = answer.error;
        return;
      }
      // Checked before anything is applied: an answer is merged whole or not at all.
      const continues = (wire: WireMetric) => wire.keep <= (this.sets.get(wire.name)?.size ?? 0);
      if ((answer.base !== -1 && answer.base !== this.#seq) || !answer.metrics.every(continues)) {
        this.#seq = 0;
        return;
      }
      const next = new Map<string, SeriesSet>();
      for (const wire of answer.metrics) {
        const family = familyOf(wire);
        if (!family) continue;
        const old = this.sets.get(wire.name);
        const prefix = family.rule === 'worker' ? `worker="${this.link.id}"` : undefined;
        const keyOf =
          prefix === undefined ? undefined : (b: string) => (b === '' ? prefix : `${prefix},${b}`);
        // A family outlives the sets that point to it, so `old`, when there, is of this family.
        const set = new SeriesSet(family, wire, old, keyOf);
        if (old && family.type !== 'gauge') retireResets(old, set, wire.keep);
        next.set(wire.name, set);
      }
      this.sets = next;
      this.#seq = answer.seq;
      this.error = undefined;
      this.answered = Math.max(this.answered, answer.id);
      this.answeredAt = now;
      this.startTime = answer.startTime;
      this.scopeLabel = answer.scopeLabel;
      this.scopes = answer.scopes;
    } finally {
      this.#settle(answer.id);
    }
  }

  /** The worker exited or closed its channel: its counters and histograms are kept, its gauges dropped. */
  gone(now: number): void {
    if (this.state === 'gone') return;
    this.state = 'gone';
    this.goneAt = now;
    this.#retireAll();
    this.scopes = [];
    this.link.close();
    for (const id of [...this.#waiters.keys()]) this.#settle(id);
  }

  #settle(id: number): void {
    const done = this.#waiters.get(id);
    this.#waiters.delete(id);
    done?.();
  }

  /** A new incarnation on the same channel started from zero: what the old one counted is kept. */
  #restartedAs(incarnation: string): void {
    if (incarnation === this.#incarnation) return;
    this.#retireAll();
    this.#incarnation = incarnation;
    this.#seq = 0;
  }

  #retireAll(): void {
    for (const set of this.sets.values()) {
      if (set.family.type === 'gauge') continue;
      for (let i = 0; i < set.size; i++) set.family.retire(set, i);
    }
    this.sets = new Map();
  }
}

/**
 * A counter that went down, or a histogram whose count did, was reset in the worker
 * (`resetCounters()`, or the series removed and made again): its old value is retired so that the
 * merged series does not go down. Series that kept their position are compared in place; the
 * others by key, which only a worker that removed series needs.
 */
function retireResets(old: SeriesSet, next: SeriesSet, keep: number): void {
  const family = next.family;
  if (family.type === 'counter') {
    const [before, after] = [old.values, next.values];
    for (let i = 0; i < keep; i++) if (after[i]! < before[i]!) family.retire(old, i);
  } else {
    for (let i = 0; i < keep; i++) if (next.wasReset(old, i, i)) family.retire(old, i);
  }
  if (keep >= old.size || keep >= next.size) return;
  const before = new Map<string, number>();
  for (let i = keep; i < old.size; i++) before.set(old.keys[i]!, i);
  for (let j = keep; j < next.size; j++) {
    const i = before.get(next.keys[j]!);
    if (i !== undefined && next.wasReset(old, i, j)) family.retire(old, i);
  }
}
