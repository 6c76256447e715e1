import type { SeriesHistograms, SeriesSamples } from '../store/series-store.js';

/**
 * Prometheus's created-timestamp zero ingestion (its `created-timestamp-zero-ingestion` feature; always
 * on in vigil) for one scrape target. A counter, summary or histogram that says when its series was
 * created (the protobuf exposition's `created_timestamp`) gets a zero sample at that time before its
 * first scraped sample, so `rate` and `increase` count what was observed before the first scrape: a
 * histogram created 10 s before the scrape that first sees it would otherwise start its rate from
 * the count it had then, and a percentile over a short range would miss those observations.
 *
 * One zero per series and created timestamp: a series whose created timestamp moves (its process
 * restarted, the metric was reset) gets a new one; the others only on the first scrape after vigil
 * starts, when the store refuses the zeros its series no longer need.
 */
export class CreatedZeros {
  /** The created timestamp last written per series, of the series in the last scrape. */
  #written = new Map<string, number>();

  /** The zeros of `floats` and `histograms` (one sample each, at the created timestamp) not written yet. */
  take(
    floats: readonly SeriesSamples[],
    histograms: readonly SeriesHistograms[],
  ): { floats: SeriesSamples[]; histograms: SeriesHistograms[] } {
    const before = this.#written;
    const now = new Map<string, number>();
    const fresh = <T extends SeriesSamples | SeriesHistograms>(series: readonly T[]): T[] =>
      series.filter((s) => {
        const key = JSON.stringify(s.labels);
        const ct = s.timestamps[0]!;
        now.set(key, ct);
        return before.get(key) !== ct;
      });
    const out = { floats: fresh(floats), histograms: fresh(histograms) };
    this.#written = now;
    return out;
  }
}
