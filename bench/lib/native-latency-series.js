/**
 * The native-histogram scenarios' data: h{instance="i00".."i99"}, scraped every 30 s from 5 minutes
 * before `start` to `end`. Each scrape adds 0–19 log-normal latencies (median 50 ms, sigma 1) to the
 * series' sketch, published as @vigil/metrics publishes it: schema 6 at the default bucket limit,
 * integer counts. Seeded: the same arguments give the same samples.
 */
import { QuantileSketch } from '../../packages/metrics/dist/index.js';

const { sketchNative } = await import('../../packages/server/dist/ingest/sketch-native.js');

export const INTERVAL = 30_000;

/** `{ series: [{labels, timestamps, histograms}], samples }` for `count` series over (start - 5 min, end]. */
export function nativeLatencySeries({ count, start, end }) {
  let seed = 11;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const lognormal = () =>
    0.05 * Math.exp(Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random()));
  const series = [];
  let samples = 0;
  for (let s = 0; s < count; s++) {
    // Never on a whole second: no sample sits exactly on a range's edge, where 2.42 and vigil differ.
    const phase = 1 + Math.floor(random() * (INTERVAL - 2));
    const n = Math.floor((end - (start - 300_000) - phase) / INTERVAL) + 1;
    const timestamps = new Float64Array(n);
    const histograms = new Array(n);
    const sketch = new QuantileSketch();
    for (let i = 0; i < n; i++) {
      timestamps[i] = start - 300_000 + phase + i * INTERVAL;
      const observations = Math.floor(random() * 20);
      for (let o = 0; o < observations; o++) sketch.add(lognormal());
      histograms[i] = {
        ...sketchNative(sketch.toData()),
        counterResetHint: i === 0 ? 'unknown' : 'not_reset',
      };
    }
    samples += n;
    series.push({
      labels: { __name__: 'h', instance: `i${String(s).padStart(2, '0')}` },
      timestamps,
      histograms,
    });
  }
  const last = series[0].histograms.at(-1);
  console.log(
    `${count} series x ~${series[0].timestamps.length} scrapes = ${samples.toLocaleString('en-US')} histogram samples; the last of i00: schema ${last.schema}, ${last.positiveDeltas.length} buckets, ${last.count} observations`,
  );
  return { series, samples };
}
