import { beforeAll, describe, expect, it } from 'vitest';
import { formatTime, formatTimeText, formatTimeTicks, setUtc } from '../src/format-time.js';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('format-time', () => {
  beforeAll(() => setUtc(true));

  it('writes a point in time in full, in the locale, marked UTC', () => {
    expect(formatTime(Date.parse('2026-12-07T14:18:05Z'), 'en-GB')).toBe('7 Dec 2026, 14:18:05 UTC');
    expect(formatTimeText('2026-12-07T14:18:05.123Z', 'en-GB')).toBe('7 Dec 2026, 14:18:05 UTC');
    expect(formatTimeText('not a time', 'en-GB')).toBe('not a time');
  });

  it('gives hour ticks the date only under the first tick of each day', () => {
    const ticks = [
      '2026-12-07T22:00:00Z',
      '2026-12-07T23:00:00Z',
      '2026-12-08T00:00:00Z',
      '2026-12-08T01:00:00Z',
    ];
    expect(formatTimeTicks(ticks.map(at), 3600, 'en-GB')).toEqual([
      '22:00\n7 Dec',
      '23:00',
      '00:00\n8 Dec',
      '01:00',
    ]);
  });

  it('shows seconds only when ticks are less than a minute apart, and no year below a month', () => {
    expect(formatTimeTicks([at('2026-12-07T10:00:00Z'), at('2026-12-07T10:00:30Z')], 30, 'en-GB')).toEqual([
      '10:00:00\n7 Dec',
      '10:00:30',
    ]);
    expect(
      formatTimeTicks([at('2026-12-06T00:00:00Z'), at('2026-12-07T00:00:00Z')], 86_400, 'en-GB'),
    ).toEqual(['6 Dec', '7 Dec']);
    const labels = formatTimeTicks(
      [at('2026-12-01T00:00:00Z'), at('2027-01-01T00:00:00Z')],
      31 * 86_400,
      'en-GB',
    );
    expect(labels).toEqual(['Dec 2026', 'Jan 2027']);
  });
});
