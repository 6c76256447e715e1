import { invalidOption } from '../base/errors.js';
import { type CountHandle, checkHost, counterOn, type MetricHost } from './metric-host.js';

export interface SequenceTrackerOptions {
  /** A session's scope or a registry. */
  readonly metrics: MetricHost;
  /** Sequence numbers run from 0 to modulus - 1, then wrap to 0. Default 2^32. */
  readonly modulus?: number;
  /** How many numbers behind the newest a packet may arrive and still fill its gap. Default 64. */
  readonly reorderWindow?: number;
  /** The largest jump ahead read as loss; a larger one is stray until confirmed as a restart. Default 3,000 (RFC 3550). */
  readonly maxDropout?: number;
  /** Metric name prefix. Default `stream`. */
  readonly prefix?: string;
}

/** What the tracker has seen so far; the same numbers go to the registry as counters. */
export interface SequenceStats {
  readonly received: number;
  /** Numbers never received, counted once they fall out of the reorder window. */
  readonly dropped: number;
  /** Runs of consecutive dropped numbers. */
  readonly gaps: number;
  readonly duplicates: number;
  /** Arrived after a higher number, inside the window, and filled their gap. */
  readonly reordered: number;
  /** Too far from the sequence to be placed: far behind the window, or further ahead than `maxDropout`. */
  readonly stray: number;
  /** The sender started over: two consecutive stray numbers. */
  readonly restarts: number;
  /** Numbers missing inside the window, that may still arrive. */
  readonly pending: number;
}

/**
 * Packet loss from sequence numbers, on the receiving side (the event-server seed's UDP listener).
 * Numbers are unwrapped modulo `modulus` (a step is read as the shortest way round), and the last
 * `reorderWindow` numbers are kept in a bitmap, as RTP receivers and IPsec replay windows do: a
 * packet arriving late inside the window fills its hole and counts as reordered, a second copy
 * counts as a duplicate, and a hole is counted as dropped only once it leaves the window (so
 * `dropped` lags by up to `reorderWindow` numbers; `pending` holds the holes still inside it).
 * As in RFC 3550 (A.1), a number far behind the window or more than `maxDropout` ahead is stray,
 * and a second stray number right after it means the sender started over: the losses of an outage
 * longer than `maxDropout` packets are then counted as one restart, not as drops.
 */
export class SequenceTracker {
  readonly modulus: number;
  readonly window: number;
  readonly maxDropout: number;
  readonly #seen: Uint8Array;
  /** The highest number received, unwrapped (it grows past the modulus). */
  #highest = Number.NaN;
  /** After a stray packet: the number that would confirm a restart. */
  #probe = Number.NaN;
  /** Whether the last number to leave the window was a hole, to count runs of them as one gap. */
  #inGap = false;
  readonly #counts = { received: 0, dropped: 0, gaps: 0, duplicates: 0, reordered: 0, stray: 0, restarts: 0 };
  readonly #received: CountHandle;
  readonly #droppedTotal: CountHandle;
  readonly #gapsTotal: CountHandle;
  readonly #duplicates: CountHandle;
  readonly #reordered: CountHandle;
  readonly #stray: CountHandle;
  readonly #restarts: CountHandle;

  constructor(options: SequenceTrackerOptions) {
    const prefix = checkHost(options?.metrics, options?.prefix ?? 'stream');
    this.window = options.reorderWindow ?? 64;
    if (!Number.isInteger(this.window) || this.window < 1 || this.window > 65_536) {
      throw invalidOption('reorderWindow', options.reorderWindow, 'an integer from 1 to 65,536');
    }
    this.maxDropout = options.maxDropout ?? 3000;
    if (!Number.isInteger(this.maxDropout) || this.maxDropout < 1) {
      throw invalidOption('maxDropout', options.maxDropout, 'an integer of at least 1');
    }
    this.modulus = options.modulus ?? 2 ** 32;
    const least = 2 * (this.maxDropout + this.window);
    if (!Number.isSafeInteger(this.modulus) || this.modulus < least) {
      throw invalidOption(
        'modulus',
        options.modulus,
        `a safe integer of at least 2 × (maxDropout + reorderWindow) = ${least}`,
      );
    }
    this.#seen = new Uint8Array(this.window);
    const host = options.metrics;
    const p = prefix;
    this.#received = counterOn(host, { name: `${p}_packets_received_total`, help: 'Packets received.' });
    this.#droppedTotal = counterOn(host, {
      name: `${p}_dropped_packets_total`,
      help: 'Packets that were not delivered: not sent, or missing from the received sequence.',
    });
    this.#gapsTotal = counterOn(host, {
      name: `${p}_sequence_gaps_total`,
      help: 'Runs of consecutive sequence numbers never received.',
    });
    this.#duplicates = counterOn(host, {
      name: `${p}_duplicate_packets_total`,
      help: 'Packets received twice.',
    });
    this.#reordered = counterOn(host, {
      name: `${p}_reordered_packets_total`,
      help: 'Packets received after a higher sequence number, within the reorder window.',
    });
    this.#stray = counterOn(host, {
      name: `${p}_stray_packets_total`,
      help: 'Packets too far from the sequence to be placed (far behind, or a jump past maxDropout).',
    });
    this.#restarts = counterOn(host, {
      name: `${p}_sequence_restarts_total`,
      help: 'Times the sender started its sequence over.',
    });
  }

  /** Accounts for one received packet. A number that is not an integer is ignored. */
  receive(sequence: number): void {
    if (!Number.isInteger(sequence)) return;
    const m = this.modulus;
    const seq = ((sequence % m) + m) % m;
    this.#count('received', this.#received);
    if (Number.isNaN(this.#highest)) {
      this.#start(seq);
      return;
    }
    let delta = (seq - (this.#highest % m)) % m;
    if (delta < 0) delta += m;
    if (delta > m / 2) delta -= m;
    if (delta > 0 && delta <= this.maxDropout) {
      this.#advance(delta);
      this.#probe = Number.NaN;
    } else if (delta <= 0 && -delta < this.window) {
      const slot = this.#slotOf(this.#highest + delta);
      if (this.#seen[slot] === 1 || delta === 0) this.#count('duplicates', this.#duplicates);
      else {
        this.#seen[slot] = 1;
        this.#count('reordered', this.#reordered);
      }
      this.#probe = Number.NaN;
    } else if (seq === this.#probe) {
      this.#count('restarts', this.#restarts);
      this.#start(seq);
    } else {
      this.#count('stray', this.#stray);
      this.#probe = (seq + 1) % m;
    }
  }

  stats(): SequenceStats {
    let pending = 0;
    if (!Number.isNaN(this.#highest)) for (const seen of this.#seen) if (seen === 0) pending++;
    return { ...this.#counts, pending };
  }

  /** Starts over at `seq`: nothing before it is known, so nothing before it counts as missing. */
  #start(seq: number): void {
    this.#highest = seq;
    this.#seen.fill(1);
    this.#probe = Number.NaN;
    this.#inGap = false;
  }

  /** Moves the window forward by `delta`: numbers leaving it unseen are dropped. */
  #advance(delta: number): void {
    const w = this.window;
    const sliding = Math.min(delta, w);
    for (let k = 1; k <= sliding; k++) {
      // The slot of highest + k is the one highest + k - w leaves.
      const slot = this.#slotOf(this.#highest + k);
      this.#leaves(this.#seen[slot] === 0);
      this.#seen[slot] = 0;
    }
    if (delta > w) this.#leaves(true, delta - w);
    this.#highest += delta;
    this.#seen[this.#slotOf(this.#highest)] = 1;
  }

  #leaves(hole: boolean, n = 1): void {
    if (!hole) {
      this.#inGap = false;
      return;
    }
    if (!this.#inGap) this.#count('gaps', this.#gapsTotal);
    this.#inGap = true;
    this.#counts.dropped += n;
    this.#droppedTotal.inc(n);
  }

  #count(key: Exclude<keyof SequenceStats, 'dropped' | 'pending'>, handle: CountHandle): void {
    this.#counts[key]++;
    handle.inc();
  }

  #slotOf(unwrapped: number): number {
    const w = this.window;
    return ((unwrapped % w) + w) % w;
  }
}
