/**
 * Recorded history that vigil's demo did not generate: 20,000 US domestic flights of January to
 * March 2001 (the U.S. Bureau of Transportation Statistics' on-time records, sampled by the Vega
 * project into `vega-datasets`' flights-20k.json, a devDependency). Each flight is one departure
 * with its scheduled local time, its distance and its delay. Read as a service's traffic: a
 * departure is a request, its distance what the request cost. It has the rhythms of real traffic
 * (quiet nights, busy mornings and evenings, quieter Saturdays) and real noise (about 220 flights a
 * day, so single hours are thin).
 *
 * The local times are read as UTC: the series only need a consistent clock.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const MINUTE = 60_000;

/**
 * Per-minute counts from the first minute of January 1 2001 to the end of March 31:
 * `flights[i]` departures and `miles[i]` their distance in minute `start + i * 60 s`.
 */
export function recordedFlights() {
  const require = createRequire(import.meta.url);
  // The package exports only its code; its data files sit beside it.
  const path = join(dirname(require.resolve('vega-datasets')), '../data/flights-20k.json');
  const rows = JSON.parse(readFileSync(path, 'utf8'));
  const start = Date.UTC(2001, 0, 1);
  const end = Date.UTC(2001, 3, 1);
  const minutes = (end - start) / MINUTE;
  const flights = new Float64Array(minutes);
  const miles = new Float64Array(minutes);
  for (const { date, distance } of rows) {
    const m = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d)$/.exec(date);
    if (!m) throw new Error(`flights-20k.json: unexpected date "${date}"`);
    const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
    const i = (t - start) / MINUTE;
    if (i < 0 || i >= minutes) throw new Error(`flights-20k.json: ${date} outside January to March 2001`);
    flights[i] += 1;
    miles[i] += distance;
  }
  return { start, end, minuteMs: MINUTE, flights, miles, count: rows.length, path };
}

/** Running totals: `out[i]` is the sum of `values[0..i]`, a counter's value at the end of minute i. */
export function cumulative(values) {
  const out = new Float64Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    out[i] = sum;
  }
  return out;
}
