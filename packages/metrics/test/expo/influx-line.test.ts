import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/base/errors.js';
import type { RegistrySnapshot } from '../../src/core/snapshot.js';
import { type InfluxPrecision, toInfluxLines } from '../../src/expo/influx-line.js';
import { counterPoint, gaugePoint, histogramPoint, nastySnapshot } from './fixture.js';

function snapshotOf(metrics: RegistrySnapshot['metrics'], timestamp = 1_795_417_184_629): RegistrySnapshot {
  return { timestamp, startTime: 0, scopeLabel: 'session', scopes: [], metrics };
}

describe('toInfluxLines', () => {
  it('matches the golden file for the nasty fixture', async () => {
    await expect(toInfluxLines(nastySnapshot())).toMatchFileSnapshot('./golden/nasty.influx');
  });

  it('sorts tags by key, skips empty values, writes every field as a float', () => {
    const text = toInfluxLines(
      snapshotOf([
        {
          type: 'counter',
          name: 'c_total',
          help: '',
          unit: '',
          points: [counterPoint({ z: '1', a: '2', m: '' }, 5)],
        },
      ]),
      { precision: 'ms' },
    );
    expect(text).toBe('c_total,a=2,z=1 value=5 1795417184629\n');
  });

  it.each([
    ['a b', 'a\\ b'],
    ['a,b', 'a\\,b'],
    ['a=b', 'a\\=b'],
    ['C:\\path', 'C:\\path'],
    ['ends\\', 'ends\\\\'],
    ['x\\,y', 'x\\\\\\,y'],
    ['two\nlines\r', 'two\\nlines\\r'],
  ])('escapes the tag value %j as %j without breaking the line', (value, escaped) => {
    const text = toInfluxLines(
      snapshotOf([{ type: 'gauge', name: 'g', help: '', unit: '', points: [gaugePoint({ t: value }, 1)] }]),
    );
    expect(text).toBe(`g,t=${escaped} value=1 1795417184629000000\n`);
  });

  it('escapes commas and spaces in the measurement', () => {
    const text = toInfluxLines(
      snapshotOf([{ type: 'gauge', name: 'my gauge,x', help: '', unit: '', points: [gaugePoint({}, 1)] }]),
    );
    expect(text).toBe('my\\ gauge\\,x value=1 1795417184629000000\n');
  });

  it('leaves out non-finite fields, and a line with none left', () => {
    const bounds = [1];
    const text = toInfluxLines(
      snapshotOf([
        {
          type: 'gauge',
          name: 'g',
          help: '',
          unit: '',
          points: [gaugePoint({ v: 'nan' }, Number.NaN), gaugePoint({ v: 'inf' }, Number.POSITIVE_INFINITY)],
        },
        {
          type: 'histogram',
          name: 'h',
          help: '',
          unit: '',
          bounds,
          quantiles: [0.5, 0.999],
          points: [histogramPoint({}, bounds, [])],
        },
      ]),
      { precision: 's' },
    );
    expect(text).toBe('h count=0,sum=0 1795417184\n');
  });

  it('names quantile fields after the quantile: p50, p999', () => {
    const bounds = [1];
    const point = { ...histogramPoint({}, bounds, [2]), quantiles: [2, 3] };
    const text = toInfluxLines(
      snapshotOf([
        {
          type: 'histogram',
          name: 'h',
          help: '',
          unit: '',
          bounds,
          quantiles: [0.5, 0.999],
          points: [point],
        },
      ]),
    );
    expect(text).toBe('h count=1,sum=2,min=2,max=2,mean=2,std=0,p50=2,p999=3 1795417184629000000\n');
  });

  it.each<[InfluxPrecision, number, string]>([
    ['ns', 1_795_417_184_629, '1795417184629000000'],
    ['ns', 1_795_417_184_629.5, '1795417184629500000'],
    ['ms', 1_795_417_184_629.4, '1795417184629'],
    ['s', 1_795_417_184_999, '1795417184'],
  ])('writes the timestamp in %s without float loss (%d ms → %s)', (precision, timestampMs, expected) => {
    const text = toInfluxLines(
      snapshotOf([{ type: 'gauge', name: 'g', help: '', unit: '', points: [gaugePoint({}, 1)] }]),
      {
        precision,
        timestampMs,
      },
    );
    expect(text).toBe(`g value=1 ${expected}\n`);
  });

  it('rejects a timestamp or precision it cannot write, naming the option', () => {
    const snapshot = snapshotOf([]);
    expect(() => toInfluxLines(snapshot, { timestampMs: Number.NaN })).toThrow(VigilError);
    expect(() => toInfluxLines(snapshot, { timestampMs: Number.NaN })).toThrow(/timestampMs/);
    expect(() => toInfluxLines(snapshot, { precision: 'us' as InfluxPrecision })).toThrow(/precision/);
  });
});
