import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, beforeAll } from 'vitest';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

export interface EngineOverStoreOptions {
  /** The store's clock: after the samples, so that none is too old for its retention. */
  readonly now: number;
  /** Writes the test's samples. */
  readonly fill: (store: SqliteStore) => Promise<unknown>;
  /** Prometheus 3's experimental functions (limitk, limit_ratio, sort_by_label...). */
  readonly experimentalFunctions?: boolean;
}

/**
 * A PromqlEngine over a SqliteStore of its own, for the query tests of the file or `describe`
 * block that calls this: opened and filled before its tests, closed and its directory removed
 * after. `engine` and `store` are read inside the tests, once they are open.
 */
export function engineOverStore(options: EngineOverStoreOptions): {
  readonly engine: PromqlEngine;
  readonly store: SqliteStore;
} {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-query-'));
  let store: SqliteStore | undefined;
  let engine: PromqlEngine | undefined;
  beforeAll(async () => {
    store = await openSqliteStore({ dir, clock: new ManualClock(options.now) });
    await options.fill(store);
    engine = new PromqlEngine({ store, experimentalFunctions: options.experimentalFunctions ?? false });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const open = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the store and the engine are open inside tests only');
    return value;
  };
  return {
    get engine() {
      return open(engine);
    },
    get store() {
      return open(store);
    },
  };
}
