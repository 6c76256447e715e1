import { describe, expect, it } from 'vitest';
import { formatTicks, formatValue, unitOfQuery } from '../src/format-value.js';

describe('formatValue', () => {
  it('writes durations in the unit their size reads best in', () => {
    expect(formatValue(0.000_25, 's')).toBe('250 µs');
    expect(formatValue(0.012_41, 's')).toBe('12.4 ms');
    expect(formatValue(2.5, 's')).toBe('2.50 s');
    expect(formatValue(600, 's')).toBe('10.0 min');
    expect(formatValue(850, 'ms')).toBe('850 ms');
    expect(formatValue(1500, 'ms')).toBe('1.50 s');
  });

  it('writes bytes in powers of 1024, counts with SI prefixes, money with cents', () => {
    expect(formatValue(94_960_000, 'bytes')).toBe('90.6 MiB');
    expect(formatValue(512, 'bytes')).toBe('512 B');
    expect(formatValue(31.448, 'short')).toBe('31.4');
    expect(formatValue(1610, 'short')).toBe('1.61 k');
    expect(formatValue(3.79, 'ops')).toBe('3.79/s');
    expect(formatValue(18.4, 'usd')).toBe('$18.40');
    expect(formatValue(0.0042, 'usd')).toBe('$0.0042');
    expect(formatValue(0.993, 'ratio')).toBe('99.3%');
    expect(formatValue(-0.5, 's')).toBe('-500 ms');
  });

  it('says when there is no value', () => {
    expect(formatValue(null, 's')).toBe('—');
    expect(formatValue(Number.NaN)).toBe('—');
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('+Inf');
  });
});

describe('formatTicks', () => {
  it('keeps every tick in one unit and as many decimals as tell them apart', () => {
    // The "0.0 ms" under "1.00 s", and 0.25 rounded to "0.3".
    expect(formatTicks([0, 0.25, 0.5, 0.75, 1], 's')).toEqual([
      '0 s',
      '0.25 s',
      '0.50 s',
      '0.75 s',
      '1.00 s',
    ]);
    expect(formatTicks([0.000_8, 0.000_85, 0.000_9], 's')).toEqual(['800 µs', '850 µs', '900 µs']);
    expect(formatTicks([0, 0.000_25, 0.000_5], 's')).toEqual(['0 µs', '250 µs', '500 µs']);
  });

  it('never repeats a label for different ticks', () => {
    for (const ticks of [
      [0.000_8, 0.000_82, 0.000_84, 0.000_86, 0.000_88],
      [0.01, 0.015, 0.02, 0.025],
      [1_000_000, 1_250_000, 1_500_000],
      [0.1, 0.2, 0.30000000000000004],
    ]) {
      for (const unit of ['s', 'bytes', 'ratio', 'usd', 'ops', 'short'] as const) {
        const labels = formatTicks(ticks, unit);
        expect(new Set(labels).size, `${unit}: ${labels.join(', ')}`).toBe(ticks.length);
      }
    }
  });

  it('writes units: bytes, percent, dollars, per second', () => {
    expect(formatTicks([0, 524_288, 1_048_576], 'bytes')).toEqual(['0 B', '0.5 MiB', '1.0 MiB']);
    expect(formatTicks([0, 0.05, 0.1], 'ratio')).toEqual(['0%', '5%', '10%']);
    expect(formatTicks([0, 500, 1000], 'short')).toEqual(['0', '0.5 k', '1.0 k']);
    expect(formatTicks([0, 5, 10], 'usd')).toEqual(['$0', '$5', '$10']);
    expect(formatTicks([0, 0.5, 1], 'usd')).toEqual(['$0', '$0.50', '$1.00']);
    expect(formatTicks([0, 2000, 4000], 'ops')).toEqual(['0/s', '2k/s', '4k/s']);
  });
});

describe('unitOfQuery', () => {
  it('reads the unit from the metric name suffix', () => {
    expect(
      unitOfQuery('histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'),
    ).toBe('s');
    expect(unitOfQuery('sum by (operation) (rate(latency_operations_total[5m]))')).toBe('ops');
    expect(unitOfQuery('rate(http_request_duration_seconds_count[1m])')).toBe('ops');
    expect(unitOfQuery('process_resident_memory_bytes{job="vigil"}')).toBe('bytes');
    expect(unitOfQuery('stream_session_memory_bytes > 1e8')).toBe('bytes');
    expect(unitOfQuery('cache_hit_ratio')).toBe('ratio');
    expect(unitOfQuery('up')).toBe('short');
  });
});
