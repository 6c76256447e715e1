import { type Clock, systemClock } from '@vigil/metrics';
import { invalidOption, positiveOption } from '../errors/invalid-option.js';
import type { DatabaseIntegrity } from './database-integrity.js';

export interface SqliteStoreOptions {
  /** Directory of the database files (created if missing). */
  readonly dir: string;
  readonly clock?: Clock;
  /** Appended samples become durable at least this often. Default 1000 ms. */
  readonly flushIntervalMs?: number;
  /** Raw samples are kept this many days (METRICS_RETENTION_DAYS). Default 30. */
  readonly retentionDays?: number;
  /** Per-minute rollups are kept this many days. Default: retentionDays, at least 30. */
  readonly rollup1mRetentionDays?: number;
  /** Per-hour rollups are kept this many days. Default 365, at least the other two. */
  readonly rollup1hRetentionDays?: number;
  /** Budget for the database's pages in bytes; the oldest data goes first past it. 0: unlimited. */
  readonly retentionBytes?: number;
  /** Most series the store holds; new series beyond are refused (`series_limit`). Default unlimited. */
  readonly maxSeries?: number;
  /**
   * Most memory the series may take, estimated from their labels (series-index.ts `seriesBytes`);
   * new series beyond are refused (`memory_limit`). Default unlimited.
   */
  readonly maxSeriesBytes?: number;
  /**
   * Most bytes of chunks cut since the last flush, which wait in memory while flushes fail (a full
   * disk); samples past it are refused (`memory_limit`) until a flush writes them. Default unlimited.
   */
  readonly maxUnflushedBytes?: number;
  /** Samples per chunk before a new one starts. Default 240 (an hour at a 15 s scrape). */
  readonly chunkSamples?: number;
  /** `full` fsyncs at every flush (survives power loss); `normal` survives a process crash. Default normal. */
  readonly synchronous?: 'normal' | 'full';
  /** How often retention and rollup upkeep run. Default 60000 ms. */
  readonly maintenanceIntervalMs?: number;
  /**
   * Below this many free bytes on the disk of `dir`, the store reports itself unwritable (so ingest
   * that acknowledges writes refuses them) while SQLite still has room to flush what it holds.
   * VictoriaMetrics's `-storage.minFreeDiskSpaceBytes`. Default 32 MiB, or 1/64 of a file system
   * smaller than 2 GiB (disk-space.ts); 0 turns the check off.
   */
  readonly minFreeDiskSpaceBytes?: number;
  /**
   * SQLite's `max_page_count`: the database file cannot grow past this many pages (16 KiB each);
   * a write that would fails as on a full disk. Default: SQLite's own (no practical limit).
   */
  readonly maxPageCount?: number;
  /** Receives errors of the background flushes and upkeep. Default: a process warning. */
  readonly onError?: (error: Error) => void;
  /** Watches vigil.db for corruption (database-integrity.ts). Default: not watched. */
  readonly integrity?: DatabaseIntegrity;
}

export interface ResolvedStoreOptions {
  readonly dir: string;
  readonly clock: Clock;
  readonly flushIntervalMs: number;
  readonly rawRetentionMs: number;
  readonly rollup1mRetentionMs: number;
  readonly rollup1hRetentionMs: number;
  readonly retentionBytes: number;
  readonly maxSeries: number;
  readonly maxSeriesBytes: number;
  readonly maxUnflushedBytes: number;
  readonly chunkSamples: number;
  readonly synchronous: 'normal' | 'full';
  readonly maintenanceIntervalMs: number;
  /** Undefined: derived from the file system's size (disk-space.ts). */
  readonly minFreeDiskSpaceBytes: number | undefined;
  readonly maxPageCount: number | undefined;
  readonly onError: (error: Error) => void;
  readonly integrity: DatabaseIntegrity | undefined;
}

const DAY = 86_400_000;

export function resolveStoreOptions(options: SqliteStoreOptions): ResolvedStoreOptions {
  if (options === null || typeof options !== 'object')
    throw invalidOption('SqliteStore', 'options', options, 'an object with dir');
  if (typeof options.dir !== 'string' || options.dir === '')
    throw invalidOption('SqliteStore', 'dir', options.dir, 'a directory path');
  const retentionDays = positiveOption('SqliteStore', 'retentionDays', options.retentionDays, 30);
  const rollup1mDays = positiveOption(
    'SqliteStore',
    'rollup1mRetentionDays',
    options.rollup1mRetentionDays,
    Math.max(30, retentionDays),
  );
  const rollup1hDays = positiveOption(
    'SqliteStore',
    'rollup1hRetentionDays',
    options.rollup1hRetentionDays,
    Math.max(365, rollup1mDays),
  );
  const retentionBytes = options.retentionBytes ?? 0;
  if (typeof retentionBytes !== 'number' || !(retentionBytes >= 0) || !Number.isFinite(retentionBytes)) {
    throw invalidOption(
      'SqliteStore',
      'retentionBytes',
      retentionBytes,
      'a number of bytes >= 0 (0: unlimited)',
    );
  }
  if (retentionBytes > 0 && retentionBytes < 1 << 20) {
    throw invalidOption(
      'SqliteStore',
      'retentionBytes',
      retentionBytes,
      'at least 1 MiB (1048576), or 0 for unlimited',
    );
  }
  const chunkSamples = positiveOption('SqliteStore', 'chunkSamples', options.chunkSamples, 240, true);
  if (chunkSamples < 8 || chunkSamples > 8192)
    throw invalidOption('SqliteStore', 'chunkSamples', chunkSamples, 'an integer from 8 to 8192');
  const synchronous = options.synchronous ?? 'normal';
  if (synchronous !== 'normal' && synchronous !== 'full') {
    throw invalidOption('SqliteStore', 'synchronous', synchronous, '"normal" or "full"');
  }
  const minFree = options.minFreeDiskSpaceBytes;
  if (minFree !== undefined && (typeof minFree !== 'number' || !(minFree >= 0) || !Number.isFinite(minFree)))
    throw invalidOption(
      'SqliteStore',
      'minFreeDiskSpaceBytes',
      minFree,
      'a number of bytes >= 0 (0: no check)',
    );
  const maxPageCount =
    options.maxPageCount === undefined
      ? undefined
      : positiveOption('SqliteStore', 'maxPageCount', options.maxPageCount, 0, true);
  const onError = options.onError ?? ((error: Error) => process.emitWarning(error));
  if (typeof onError !== 'function') throw invalidOption('SqliteStore', 'onError', onError, 'a function');
  return {
    dir: options.dir,
    clock: options.clock ?? systemClock,
    flushIntervalMs: positiveOption('SqliteStore', 'flushIntervalMs', options.flushIntervalMs, 1000),
    rawRetentionMs: retentionDays * DAY,
    rollup1mRetentionMs: rollup1mDays * DAY,
    rollup1hRetentionMs: rollup1hDays * DAY,
    retentionBytes,
    maxSeries: positiveOption(
      'SqliteStore',
      'maxSeries',
      options.maxSeries,
      Number.POSITIVE_INFINITY,
      options.maxSeries !== undefined,
    ),
    maxSeriesBytes: positiveOption(
      'SqliteStore',
      'maxSeriesBytes',
      options.maxSeriesBytes,
      Number.POSITIVE_INFINITY,
    ),
    maxUnflushedBytes: positiveOption(
      'SqliteStore',
      'maxUnflushedBytes',
      options.maxUnflushedBytes,
      Number.POSITIVE_INFINITY,
    ),
    chunkSamples,
    synchronous,
    maintenanceIntervalMs: positiveOption(
      'SqliteStore',
      'maintenanceIntervalMs',
      options.maintenanceIntervalMs,
      60_000,
    ),
    minFreeDiskSpaceBytes: minFree,
    maxPageCount,
    onError,
    integrity: options.integrity,
  };
}
