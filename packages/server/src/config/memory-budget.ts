import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** The smallest `memory.limit` accepted: below it Node and SQLite alone take most of it. */
export const MIN_MEMORY_LIMIT = 128 * MiB;

/**
 * Every memory budget of the server, derived from one figure, `memory.limit` (docs/memory.md). The
 * shares leave a fifth of the limit to what is not budgeted one by one: Node itself (about
 * 50 MiB), SQLite's page cache, request bodies being read (each at most `limits.bodyBytes`), StatsD
 * and scrape buffers.
 */
export interface MemoryBudget {
  /** The whole: resident memory is meant to stay near it. */
  readonly limitBytes: number;
  /** V8's old space (`--max-old-space-size`), so that the heap cannot outgrow the limit. */
  readonly heapBytes: number;
  /**
   * 35%: the store's series in memory, their labels (store/series-index.ts estimates them) and
   * native histogram heads (store/histogram-head.ts).
   */
  readonly seriesBytes: number;
  /** 5%: chunks cut and not yet written, which pile up while the disk is full. */
  readonly unflushedBytes: number;
  /** 30%: queries in flight, shared as `query.maxConcurrency` × `query.maxQueryBytes`. */
  readonly queryBytes: number;
  /** 5%: every Pushgateway group together. */
  readonly pushgatewayBytes: number;
  /** 3%: WebSocket send buffers of the live stream, `liveClients` × `liveClientBufferBytes`. */
  readonly liveStreamBytes: number;
  /** 2%: OTLP delta-to-cumulative state (its stream keys and running totals). */
  readonly otlpDeltaBytes: number;
}

/** Shares of the limit; the remaining 20% is Node, SQLite and the buffers of requests being read. */
const SHARES = {
  series: 0.35,
  unflushed: 0.05,
  query: 0.3,
  pushgateway: 0.05,
  liveStream: 0.03,
  otlpDelta: 0.02,
};

export function memoryBudget(limitBytes: number): MemoryBudget {
  return {
    limitBytes,
    heapBytes: limitBytes,
    seriesBytes: Math.floor(limitBytes * SHARES.series),
    unflushedBytes: Math.floor(limitBytes * SHARES.unflushed),
    queryBytes: Math.floor(limitBytes * SHARES.query),
    pushgatewayBytes: Math.floor(limitBytes * SHARES.pushgateway),
    liveStreamBytes: Math.floor(limitBytes * SHARES.liveStream),
    otlpDeltaBytes: Math.floor(limitBytes * SHARES.otlpDelta),
  };
}

/**
 * Per query: at least this much, so that a small budget runs fewer queries at once rather than
 * starving each (64 MiB holds 4 million samples loaded, at 16 bytes each as the engine counts them).
 */
const MIN_QUERY_BYTES = 64 * MiB;

/**
 * The query share as concurrency × bytes per query: the configured values where set, else as many
 * queries as get 64 MiB each (2 to 20, Prometheus's default `--query.max-concurrency` being 20), and
 * the share divided among them.
 */
export function queryLimits(
  budget: MemoryBudget,
  configured: { readonly maxConcurrency: number | undefined; readonly maxQueryBytes: number | undefined },
): { maxConcurrency: number; maxQueryBytes: number } {
  const maxConcurrency =
    configured.maxConcurrency ?? Math.min(20, Math.max(2, Math.floor(budget.queryBytes / MIN_QUERY_BYTES)));
  const maxQueryBytes = configured.maxQueryBytes ?? Math.floor(budget.queryBytes / maxConcurrency);
  return { maxConcurrency, maxQueryBytes };
}

/** What one live-stream client may have unsent before it is dropped. */
export const LIVE_CLIENT_BUFFER_BYTES = 256 * 1024;

/** How many live-stream clients the share holds at `LIVE_CLIENT_BUFFER_BYTES` each (at least 16). */
export function liveClients(budget: MemoryBudget): number {
  return Math.max(16, Math.floor(budget.liveStreamBytes / LIVE_CLIENT_BUFFER_BYTES));
}

/**
 * The default `memory.limit`: 1 GiB, or half of the memory there is when that is less than 2 GiB —
 * the machine's (os.totalmem) or, in a container, its cgroup's limit (v2 `memory.max`, v1
 * `memory.limit_in_bytes`), whichever is smaller.
 */
export function defaultMemoryLimit(): number {
  const available = Math.min(totalmem(), cgroupLimit() ?? Number.POSITIVE_INFINITY);
  return Math.max(MIN_MEMORY_LIMIT, Math.min(GiB, Math.floor(available / 2)));
}

function cgroupLimit(): number | undefined {
  for (const path of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const text = readFileSync(path, 'utf8').trim();
      const bytes = Number(text);
      // "max" (v2) or a huge number (v1) means no limit.
      if (Number.isSafeInteger(bytes) && bytes > 0 && bytes < 2 ** 50) return bytes;
    } catch {
      // not in a cgroup that limits memory, or not Linux
    }
  }
  return undefined;
}

/** Reads `512MiB`, `1GiB`, `2G`, `800M` or a number of bytes; undefined when it is none of these. */
export function parseBytes(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text > 0 ? text : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = match[2]!.toLowerCase();
  const power = unit === '' || unit === 'b' ? 0 : 'kmgt'.indexOf(unit[0]!) + 1;
  const bytes = Math.floor(Number(match[1]) * 1024 ** power);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}
