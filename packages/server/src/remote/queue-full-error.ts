import { ServerError } from '../errors/server-error.js';

/** Ingest refused because the on-disk remote-write queue is full: writers are told to retry later. */
export class QueueFullError extends ServerError {
  constructor(queuedBytes: number, maxBytes: number) {
    super(
      'VIGIL_REMOTE_QUEUE_FULL',
      `the remote-write queue is full (${queuedBytes} of ${maxBytes} bytes, remote.queueMaxBytes): the remote engine is not accepting samples; retry later`,
    );
    this.name = 'QueueFullError';
  }
}
