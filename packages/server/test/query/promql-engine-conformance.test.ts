import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { describeQueryEngine } from './query-engine-conformance.js';

describeQueryEngine('PromqlEngine over SqliteStore', async () => {
  const now = Date.UTC(2026, 0, 10, 12);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-engine-conformance-'));
  const clock = new ManualClock(now);
  const store = await openSqliteStore({ dir, clock });
  return {
    engine: new PromqlEngine({ store, clock }),
    now,
    async load(batch) {
      await store.append(batch);
    },
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
