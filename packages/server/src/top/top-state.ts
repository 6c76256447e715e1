/** One labelled figure of a section: a row of `vigil top`. */
export interface TopRow {
  readonly label: string;
  readonly value: number | undefined;
}

/** What `vigil top` shows, read from a server once a second. Undefined: the server had no data. */
export interface TopState {
  readonly url: string;
  /** When this state was read, Unix ms. */
  readonly at: number;
  /** Why the last read failed, when it did (the rest is then the previous read's). */
  readonly error?: string;
  readonly status?: string;
  readonly uptimeSeconds?: number;
  readonly series?: number;
  /** Per second: operations, LLM calls, packets, events. */
  readonly throughput: readonly TopRow[];
  /** Seconds, per operation. */
  readonly latency: readonly TopLatency[];
  /** Ratios from 0 to 1. */
  readonly loss: readonly TopRow[];
  readonly sessions: readonly TopSession[];
  /** 1 up, 0 down, per provider or dependency. */
  readonly health: readonly TopRow[];
  readonly alerts: readonly TopAlert[];
  /** Error budget left per SLO, as a share of the budget (1 untouched, below 0 overspent). */
  readonly slos?: readonly TopRow[];
}

export interface TopLatency {
  readonly label: string;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
}

export interface TopSession {
  readonly name: string;
  readonly packetsPerSecond: number | undefined;
  readonly loss: number | undefined;
  readonly timingErrorP95: number | undefined;
  readonly memoryBytes: number | undefined;
}

export interface TopAlert {
  readonly name: string;
  readonly severity: string;
  readonly state: string;
  readonly summary: string;
  readonly activeAt: string;
}

export function emptyState(url: string, at: number): TopState {
  return { url, at, throughput: [], latency: [], loss: [], sessions: [], health: [], alerts: [] };
}
