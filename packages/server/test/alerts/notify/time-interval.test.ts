import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseNotifyConfig } from '../../../src/alerts/notify/notify-config.js';
import { inTimeIntervals } from '../../../src/alerts/notify/time-interval.js';

function intervals(periods: string) {
  return parseNotifyConfig(
    parse(
      `route: {receiver: r}\nreceivers: [{name: r}]\ntime_intervals:\n  - name: t\n    time_intervals:\n${periods}`,
    ),
    'test.yml',
  ).timeIntervals;
}

const at = (iso: string) => Date.parse(iso);

describe('time intervals', () => {
  it('combines weekdays, negative days of month, months and years, in the location', () => {
    const t = intervals(
      `      - weekdays: ['monday:friday']\n        days_of_month: ['-7:-1']\n        months: ['june', '12']\n        years: ['2026']\n        location: America/New_York\n`,
    );
    // Friday 26 June 2026 is in the last 7 days of June; 03:00 UTC is still Thursday 25 in New York.
    expect(inTimeIntervals(t, ['t'], at('2026-06-26T15:00:00Z'))).toBe(true);
    expect(inTimeIntervals(t, ['t'], at('2026-06-27T15:00:00Z'))).toBe(false); // Saturday
    expect(inTimeIntervals(t, ['t'], at('2026-06-24T03:00:00Z'))).toBe(false); // 23 June in New York
    expect(inTimeIntervals(t, ['t'], at('2026-12-31T15:00:00Z'))).toBe(true);
    expect(inTimeIntervals(t, ['t'], at('2027-06-30T15:00:00Z'))).toBe(false);
  });

  it('refuses bad ranges naming the key path and the value', () => {
    expect(() => intervals(`      - weekdays: ['funday']\n`)).toThrow(
      'test.yml: time_intervals[0].time_intervals[0].weekdays[0]: got "funday", expected a value or an inclusive range such as monday:friday',
    );
    expect(() => intervals(`      - times: [{start_time: '18:00', end_time: '09:00'}]\n`)).toThrow(
      /times\[0\]: got 18:00-09:00/,
    );
    expect(() => intervals(`      - location: Mars/Olympus\n`)).toThrow(
      /location: got "Mars\/Olympus", expected an IANA time zone/,
    );
  });
});
