import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Counter } from '../../src/core/counter.js';
import { Registry } from '../../src/core/registry.js';
import { SequenceTracker, type SequenceTrackerOptions } from '../../src/streaming/sequence-tracker.js';

function setup(options: Partial<SequenceTrackerOptions> = {}) {
  const registry = new Registry();
  const tracker = new SequenceTracker({ metrics: registry, ...options });
  const counter = (name: string) => (registry.getMetric(name) as Counter).get();
  const feed = (...seqs: number[]) => {
    for (const s of seqs) tracker.receive(s);
    return tracker.stats();
  };
  return { tracker, counter, feed };
}

describe('SequenceTracker', () => {
  it('counts received packets, and a run of missing numbers as one gap once it leaves the window', () => {
    const { feed, counter } = setup({ reorderWindow: 4 });
    expect(feed(0, 1, 2, 5, 6)).toMatchObject({ received: 5, dropped: 0, gaps: 0, pending: 2 });
    expect(feed(7, 8, 9)).toMatchObject({ dropped: 2, gaps: 1, pending: 0 });
    expect(feed(11, 13, 14, 15, 16, 17)).toMatchObject({ dropped: 2 + 2, gaps: 3 });
    expect(counter('stream_packets_received_total')).toBe(14);
    expect(counter('stream_dropped_packets_total')).toBe(4);
    expect(counter('stream_sequence_gaps_total')).toBe(3);
  });

  it('counts a jump past the whole window as dropped at once', () => {
    const { feed } = setup({ reorderWindow: 4 });
    expect(feed(0, 100)).toMatchObject({ dropped: 96, gaps: 1, pending: 3 });
    expect(feed(104)).toMatchObject({ dropped: 99, gaps: 1, pending: 3 });
  });

  it('fills a gap with a packet reordered within the window; a second copy is a duplicate', () => {
    const { feed, counter } = setup({ reorderWindow: 8 });
    expect(feed(0, 1, 3, 4, 2, 2, 4, 10, 9, 8, 7, 6, 5)).toMatchObject({
      received: 13,
      dropped: 0,
      gaps: 0,
      reordered: 6,
      duplicates: 2,
      pending: 0,
    });
    expect(counter('stream_reordered_packets_total')).toBe(6);
    expect(counter('stream_duplicate_packets_total')).toBe(2);
  });

  it('wraps around the modulus without counting a loss', () => {
    const { feed } = setup({ modulus: 256, maxDropout: 100, reorderWindow: 8 });
    expect(feed(253, 254, 255, 0, 1, 2)).toMatchObject({ received: 6, dropped: 0, gaps: 0 });
    expect(feed(255, 4, 3)).toMatchObject({ duplicates: 1, reordered: 1, dropped: 0 });
    expect(feed(200, 201)).toMatchObject({ stray: 1, restarts: 1, dropped: 0 });
    expect(feed(202, 210)).toMatchObject({ dropped: 0, pending: 7 });
  });

  it('reads a number far behind as stray, and two in a row as a restart of the sender', () => {
    const { feed, counter } = setup({ reorderWindow: 16 });
    feed(1000, 1001, 1002);
    expect(feed(5)).toMatchObject({ stray: 1, restarts: 0 });
    expect(feed(1003)).toMatchObject({ stray: 1, restarts: 0, dropped: 0 });
    expect(feed(0, 1, 2, 3)).toMatchObject({ stray: 2, restarts: 1, dropped: 0, received: 9 });
    expect(counter('stream_sequence_restarts_total')).toBe(1);
    expect(counter('stream_stray_packets_total')).toBe(2);
  });

  it('treats a jump ahead past maxDropout as stray until the next number confirms it', () => {
    const { feed } = setup({ maxDropout: 50, reorderWindow: 8 });
    expect(feed(0, 1, 500)).toMatchObject({ stray: 1, dropped: 0 });
    expect(feed(2, 3)).toMatchObject({ stray: 1, restarts: 0, dropped: 0 });
    expect(feed(600, 601, 602)).toMatchObject({ stray: 1 + 1, restarts: 1, dropped: 0 });
  });

  it('ignores numbers that are not integers', () => {
    const { feed } = setup();
    expect(feed(Number.NaN, 1.5, 0)).toMatchObject({ received: 1 });
  });

  it('accounts for every number exactly once under reordering within the window (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.integer({ min: 0, max: 299 }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 80 }),
        (length, start, lost, swaps) => {
          const window = 8;
          const modulus = 1024;
          const lostSet = new Set(lost.filter((i) => i > 0 && i < length - window));
          const order = Array.from({ length }, (_, i) => i).filter((i) => !lostSet.has(i));
          // Swaps of disjoint pairs (stride 4, distance at most 3) move a packet back by at most 3
          // places: within the window. Overlapping swaps would chain and carry one packet further.
          for (let k = 0; k < swaps.length; k++) {
            const i = k * 4;
            const j = i + swaps[k]!;
            if (j < order.length && order[i]! > 0 && order[j]! > 0)
              [order[i], order[j]] = [order[j]!, order[i]!];
          }
          const { feed } = setup({ modulus, maxDropout: 200, reorderWindow: window });
          const stats = feed(...order.map((i) => (start + i) % modulus));
          expect(stats.received).toBe(order.length);
          expect(stats.duplicates + stats.stray + stats.restarts).toBe(0);
          expect(stats.dropped + stats.pending).toBe(lostSet.size);
        },
      ),
    );
  });

  it('refuses bad options by name', () => {
    const metrics = new Registry();
    expect(() => new SequenceTracker({ metrics, reorderWindow: 0 })).toThrow('reorderWindow: got 0');
    expect(() => new SequenceTracker({ metrics, modulus: 100 })).toThrow(
      'modulus: got 100, expected a safe integer of at least 2 × (maxDropout + reorderWindow) = 6128',
    );
    expect(() => new SequenceTracker({ metrics, maxDropout: 0 })).toThrow('maxDropout: got 0');
  });
});
