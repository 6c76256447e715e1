import { ServerError } from '../errors/server-error.js';
import type { AppendResult } from '../store/series-store.js';

/**
 * Reasons a later retry of the same samples can succeed: the store was full of series (or of series
 * bytes), not the samples wrong. Every other reason (`out_of_order`, `duplicate`, `too_old`,
 * `invalid`, `unsupported`) refuses the same samples again whenever they come.
 */
const RETRYABLE: ReadonlySet<string> = new Set(['series_limit', 'memory_limit']);

export interface AppendRefusal {
  /** A retry can succeed (429); otherwise the samples are refused for good (400). */
  readonly retryable: boolean;
  /** Samples refused. */
  readonly refused: number;
  readonly error: ServerError;
}

/**
 * What an acknowledging sender must hear when the store refused some of its samples, or undefined
 * when it took them all. Prometheus's remote-write receiver answers 400 for samples it will never
 * take (storage.ErrOutOfOrderSample, ErrOutOfBounds, ErrDuplicateSampleForTimestamp), so the sender
 * drops them instead of retrying forever; refusals for capacity answer 429, which senders retry with
 * backoff (Prometheus with `retry_on_http_429`). When both happen, 429 wins: a retry stores what had
 * no room and is refused again only for the rest. The samples the store accepted stay stored either way.
 */
export function appendRefusal(results: readonly AppendResult[]): AppendRefusal | undefined {
  let accepted = 0;
  const rejected = new Map<string, number>();
  for (const result of results) {
    accepted += result.accepted;
    for (const [reason, n] of Object.entries(result.rejected))
      if (n > 0) rejected.set(reason, (rejected.get(reason) ?? 0) + n);
  }
  if (rejected.size === 0) return undefined;
  let refused = 0;
  for (const n of rejected.values()) refused += n;
  const reasons = [...rejected].map(([reason, n]) => `${reason}: ${n}`).join(', ');
  const what = `${refused} of ${refused + accepted} samples refused (${reasons})`;
  if ([...rejected.keys()].some((reason) => RETRYABLE.has(reason)))
    return {
      retryable: true,
      refused,
      error: new ServerError(
        'VIGIL_INGEST_SERIES_LIMIT',
        `${what}: the store has no room for new series (store.maxSeries, the memory budget); the others were stored, retry later`,
      ),
    };
  return {
    retryable: false,
    refused,
    error: new ServerError('VIGIL_INGEST_SAMPLES_REFUSED', `${what}; the others were stored`),
  };
}
