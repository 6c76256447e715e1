import { describe, expect, it } from 'vitest';
import { recoveryStats } from '../src/recovery-stats.js';

const MIN = 60_000;
const at = (iso: string, plusMin = 0) => new Date(Date.parse(iso) + plusMin * MIN).toISOString();

describe('recoveryStats', () => {
  it('means the times to acknowledge and resolve per day opened and per alert name, leaving open ones out of the means', () => {
    const incidents = [
      // Day 1: acknowledged after 4 and 10 minutes, resolved after 30 and 50.
      {
        title: 'CheckoutDown',
        openedAt: at('2026-06-01T08:00:00Z'),
        acknowledgedAt: at('2026-06-01T08:00:00Z', 4),
        resolvedAt: at('2026-06-01T08:00:00Z', 30),
      },
      {
        title: 'DiskFull',
        openedAt: at('2026-06-01T22:00:00Z'),
        acknowledgedAt: at('2026-06-01T22:00:00Z', 10),
        resolvedAt: at('2026-06-01T22:00:00Z', 50),
      },
      // Day 3: never acknowledged, resolved after 20; and one still open.
      {
        title: 'CheckoutDown',
        openedAt: at('2026-06-03T01:00:00Z'),
        acknowledgedAt: null,
        resolvedAt: at('2026-06-03T01:00:00Z', 20),
      },
      { title: 'CheckoutDown', openedAt: at('2026-06-03T02:00:00Z'), acknowledgedAt: null, resolvedAt: null },
    ];
    const stats = recoveryStats(incidents);
    expect(stats.days).toEqual([
      { dayMs: Date.parse('2026-06-01T00:00:00Z'), incidents: 2, mttaMs: 7 * MIN, mttrMs: 40 * MIN },
      { dayMs: Date.parse('2026-06-02T00:00:00Z'), incidents: 0, mttaMs: null, mttrMs: null },
      { dayMs: Date.parse('2026-06-03T00:00:00Z'), incidents: 2, mttaMs: null, mttrMs: 20 * MIN },
    ]);
    expect(stats.byAlert).toEqual([
      { alertname: 'CheckoutDown', incidents: 3, mttaMs: 4 * MIN, mttrMs: 25 * MIN },
      { alertname: 'DiskFull', incidents: 1, mttaMs: 10 * MIN, mttrMs: 50 * MIN },
    ]);
  });
  it('has nothing to show without incidents', () => {
    expect(recoveryStats([])).toEqual({ days: [], byAlert: [] });
  });
});
