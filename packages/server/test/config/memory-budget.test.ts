import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import {
  defaultMemoryLimit,
  liveClients,
  memoryBudget,
  parseBytes,
  queryLimits,
} from '../../src/config/memory-budget.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('memory.limit', () => {
  it('is read from vigil.yaml, VIGIL_MEMORY_LIMIT and --memory-limit, in sizes people write', () => {
    expect(loadConfig({ memoryLimit: '512MiB' }, {}).memory.limitBytes).toBe(512 * MiB);
    expect(loadConfig({}, { VIGIL_MEMORY_LIMIT: '2G' }).memory.limitBytes).toBe(2 * GiB);
    expect(loadConfig({}, { VIGIL_MEMORY_LIMIT: '268435456' }).memory.limitBytes).toBe(256 * MiB);
    expect(() => loadConfig({ memoryLimit: '64MiB' }, {})).toThrow(ConfigError);
    expect(() => loadConfig({ memoryLimit: 'lots' }, {})).toThrow(
      /command line: memory.limit: got "lots", expected a size of at least 128MiB, such as 512MiB, 1GiB/,
    );
    expect([parseBytes('1.5 GiB'), parseBytes('800m'), parseBytes('0'), parseBytes('-1G')]).toEqual([
      1.5 * GiB,
      800 * MiB,
      undefined,
      undefined,
    ]);
  });

  it('defaults to 1 GiB, or half the memory there is when that is less', () => {
    const limit = defaultMemoryLimit();
    expect(limit).toBeLessThanOrEqual(GiB);
    expect(limit).toBeGreaterThanOrEqual(128 * MiB);
    expect(loadConfig({}, {}).memory.limitBytes).toBe(limit);
  });

  it('derives every other budget from it, and they add up to less than the whole', () => {
    const budget = memoryBudget(GiB);
    const shared =
      budget.seriesBytes +
      budget.unflushedBytes +
      budget.queryBytes +
      budget.pushgatewayBytes +
      budget.liveStreamBytes +
      budget.otlpDeltaBytes;
    expect(shared).toBeLessThanOrEqual(0.8 * GiB);
    expect(budget.heapBytes).toBe(GiB);
    // Queries: 4 at once of 76.8 MiB at 1 GiB; configured values win, the product stays in the share.
    expect(queryLimits(budget, { maxConcurrency: undefined, maxQueryBytes: undefined })).toEqual({
      maxConcurrency: 4,
      maxQueryBytes: Math.floor(budget.queryBytes / 4),
    });
    const small = queryLimits(memoryBudget(128 * MiB), {
      maxConcurrency: undefined,
      maxQueryBytes: undefined,
    });
    expect(small.maxConcurrency).toBe(2);
    expect(small.maxConcurrency * small.maxQueryBytes).toBeLessThanOrEqual(
      memoryBudget(128 * MiB).queryBytes,
    );
    expect(queryLimits(budget, { maxConcurrency: 4, maxQueryBytes: undefined }).maxQueryBytes).toBe(
      Math.floor(budget.queryBytes / 4),
    );
    expect(liveClients(budget)).toBe(122);
  });
});
