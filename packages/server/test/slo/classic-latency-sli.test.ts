import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryVector } from '../../src/alerts/query-vector.js';
import { parsePromql } from '../../src/query/parse.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { loadSlos } from '../../src/slo/slo-files.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const T = 1_700_000_000_000;
let dir: string;
let store: SqliteStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-classic-sli-'));
  store = await openSqliteStore({ dir, clock: new ManualClock(T) });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** 100 calls in the four minutes before T, 90 of them within 1 s: the 1 s bucket's `le` spelled `le`. */
async function calls(le: string): Promise<void> {
  const at = [T - 240_000, T];
  const series = (name: string, labels: Record<string, string>, values: number[]) => ({
    labels: { __name__: name, operation: 'stt', ...labels },
    timestamps: at,
    values,
  });
  await store.append([
    series('op_seconds_bucket', { le }, [0, 90]),
    series('op_seconds_bucket', { le: '+Inf' }, [0, 100]),
    series('op_seconds_count', {}, [0, 100]),
  ]);
}

async function errorRatio(): Promise<number | undefined> {
  const { groups } = loadSlos(
    {
      inline: {
        value: [
          {
            name: 'stt',
            objective: 95,
            sli: { latency: { histogram: 'op_seconds', matchers: 'operation="stt"', threshold: 1 } },
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
  const [sample] = await queryVector(new PromqlEngine({ store }), groups[0]!.rules[0]!.expr, T);
  return sample?.value;
}

describe('a latency SLI over a classic histogram', () => {
  it('finds the threshold bucket scraped, le="1.0" as Prometheus 3 and vigil store it', async () => {
    await calls('1.0');
    expect(await errorRatio()).toBeCloseTo(0.1, 12);
  });

  it('finds it as OTLP writes it (le="1", Go\'s %f) and as it was stored before the upgrade to canonical numbers', async () => {
    await calls('1');
    expect(await errorRatio()).toBeCloseTo(0.1, 12);
  });
});
