import type { ParsedFamily } from '@vigil/metrics';
import { describe, expect, it } from 'vitest';
import { MetricMetadata } from '../../src/ingest/metric-metadata.js';

const family = (name: string, help: string): ParsedFamily => ({
  name,
  type: 'gauge',
  help,
  unit: '',
  samples: [],
});

describe('MetricMetadata', () => {
  it('stays within its bounds: families past the cap and entries past the per-family cap are not kept', () => {
    const metadata = new MetricMetadata({ maxFamilies: 2, maxEntriesPerFamily: 2 });
    metadata.record([family('a', '1'), family('a', '2'), family('a', '3'), family('b', ''), family('c', '')]);
    expect(metadata.query()).toEqual({
      a: [
        { type: 'gauge', help: '1', unit: '' },
        { type: 'gauge', help: '2', unit: '' },
      ],
      b: [{ type: 'gauge', help: '', unit: '' }],
    });
  });
});
