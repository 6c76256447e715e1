import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryVector } from '../../src/alerts/query-vector.js';
import { parsePromql } from '../../src/query/parse.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { loadSlos } from '../../src/slo/slo-files.js';
import type { IntNativeHistogram } from '../../src/store/native-histogram.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const T = 1_700_000_000_000;
let dir: string;
let store: SqliteStore;

/** Schema 0: bucket 0 is (0.5, 1] s, bucket 1 (1, 2], bucket 2 (2, 4]. */
function histogram(counts: readonly [number, number, number]): IntNativeHistogram {
  return {
    kind: 'int',
    schema: 0,
    zeroThreshold: 0.001,
    zeroCount: 0,
    count: counts[0] + counts[1] + counts[2],
    sum: counts[0] * 0.8 + counts[1] * 1.5 + counts[2] * 3,
    positiveSpans: [{ offset: 0, length: 3 }],
    positiveDeltas: [counts[0], counts[1] - counts[0], counts[2] - counts[1]],
    negativeSpans: [],
    negativeDeltas: [],
    counterResetHint: 'unknown',
  };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-native-sli-'));
  store = await openSqliteStore({ dir, clock: new ManualClock(T) });
  // In the four minutes before T: 60 calls in (0.5, 1] s, 30 in (1, 2], 10 in (2, 4].
  await store.appendHistograms([
    {
      labels: { __name__: 'stt_seconds', operation: 'stt' },
      timestamps: [T - 240_000, T],
      histograms: [histogram([0, 0, 0]), histogram([60, 30, 10])],
    },
  ]);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function errorRatio(threshold: number): Promise<number> {
  const { groups } = loadSlos(
    {
      inline: {
        value: [
          {
            name: 'stt',
            objective: 95,
            sli: {
              latency: { histogram: 'stt_seconds', matchers: 'operation="stt"', threshold, native: true },
            },
          },
        ],
        source: 'vigil.yaml',
      },
      files: [],
      baseDir: dir,
    },
    (e) => {
      parsePromql(e);
    },
  );
  const rule = groups[0]!.rules[0]!;
  expect(rule.expr).toBe(
    `1 - histogram_fraction(0, ${threshold}, sum(rate(stt_seconds{operation="stt"}[5m])))\n> -Inf`,
  );
  const [sample] = await queryVector(new PromqlEngine({ store }), rule.expr, T);
  return sample!.value;
}

describe('a latency SLI over a native histogram', () => {
  it('is exact at a bucket bound: the 10 calls over 2 s of 100', async () => {
    expect(await errorRatio(2)).toBeCloseTo(0.1, 12);
  });

  it('interpolates inside the bucket holding the threshold, exponentially as histogram_fraction does', async () => {
    // 3 s lies log2(3/2) = 58.5% of the way through (2, 4] on a log scale: 5.85 of its 10 calls count
    // as faster, so 4.15 of 100 are errors (the truth could be anything from 0 to 10).
    expect(await errorRatio(3)).toBeCloseTo(0.1 * (1 - Math.log2(1.5)), 12);
  });
});
