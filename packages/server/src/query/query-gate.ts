import { QueryError } from './query-error.js';

/**
 * At most `maxConcurrent` queries evaluate at once, as Prometheus's `--query.max-concurrency`; the
 * others wait in arrival order, at most `maxWaiting` of them. A query that waits past its deadline
 * times out without having run, and one that finds the queue full is refused at once: the server
 * answers every caller instead of sharing its memory and CPU among an unbounded number of queries.
 */
export class QueryGate {
  readonly #maxConcurrent: number;
  readonly #maxWaiting: number;
  #running = 0;
  readonly #waiting: { start: () => void; timer: ReturnType<typeof setTimeout> | undefined }[] = [];

  constructor(maxConcurrent: number, maxWaiting: number) {
    this.#maxConcurrent = maxConcurrent;
    this.#maxWaiting = maxWaiting;
  }

  /** Runs `query` once a slot is free (resolving with the slot held); `waitMs` is how long it may wait. */
  async run<T>(waitMs: number, query: () => Promise<T>): Promise<T> {
    if (this.#running < this.#maxConcurrent) this.#running++;
    else await this.#wait(waitMs);
    try {
      return await query();
    } finally {
      // The slot passes straight to the next in line, so no newcomer can take it in between.
      const next = this.#waiting.shift();
      if (next) next.start();
      else this.#running--;
    }
  }

  #wait(waitMs: number): Promise<void> {
    if (this.#waiting.length >= this.#maxWaiting) {
      return Promise.reject(
        new QueryError(
          'VIGIL_QUERY_QUEUE_FULL',
          `${this.#maxConcurrent} queries are running and ${this.#maxWaiting} waiting: try again later`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          clearTimeout(entry.timer);
          resolve();
        },
        timer: undefined as ReturnType<typeof setTimeout> | undefined,
      };
      entry.timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(entry), 1);
        reject(new QueryError('VIGIL_QUERY_TIMEOUT', 'query timed out waiting for a slot to run in'));
      }, waitMs);
      this.#waiting.push(entry);
    });
  }
}
