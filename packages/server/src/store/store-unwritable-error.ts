import { ServerError } from '../errors/server-error.js';

/**
 * The store cannot make new samples durable now: the disk is below its free-space watermark, or
 * writing to it fails (full, read-only, I/O error). Nothing already acknowledged is dropped; the
 * writer should retry later (HTTP 503, which Prometheus's remote write retries). Part of the
 * SeriesStore contract, as StoreLimitError is.
 */
export class StoreUnwritableError extends ServerError {
  constructor(reason: string) {
    super('VIGIL_STORE_UNWRITABLE', `samples cannot be stored now, retry later: ${reason}`);
    this.name = 'StoreUnwritableError';
  }
}
