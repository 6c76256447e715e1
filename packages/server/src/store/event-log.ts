/** Which events a query returns, newest first. */
export interface EventQuery {
  /** Unix ms, inclusive. */
  readonly since?: number;
  /** Unix ms, inclusive. */
  readonly until?: number;
  /** Only events filed under this name. */
  readonly name?: string;
  /** Default 100, at most 10000. */
  readonly limit?: number;
}

/**
 * An append-only log of events kept for a retention period: each event with its time, a kind and the
 * names it is filed under. The alert history is one; layers above the store see only this interface.
 */
export interface EventLog<T> {
  /** Written before it returns: an event that was appended is not lost. */
  append(time: number, kind: string, names: readonly string[], event: T): void;
  /** Newest first. */
  query(q?: EventQuery): T[];
  /** Deletes events past the retention period; returns how many. */
  prune(): number;
  close(): void;
}
