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
import { parquetMetadata, parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

const MINUTE = 60_000;

/** A data file of `vega-datasets`: the package exports only its code, its data files sit beside it. */
function dataPath(name) {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('vega-datasets')), '../data', name);
}

/**
 * Per-minute counts from the first minute of January 1 2001 to the end of March 31:
 * `flights[i]` departures and `miles[i]` their distance in minute `start + i * 60 s`.
 */
export function recordedFlights() {
  const path = dataPath('flights-20k.json');
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

/**
 * Every flight of January to June 2001, about 3 million (`vega-datasets`' flights-3m.parquet, zstd
 * Parquet read with hyparquet), as per-minute counts like recordedFlights(), for `fromMonth` (0 is
 * January) up to but not including `toMonth`. Far less noise than the 20,000 (about 16,000 flights
 * a day), so the weekly rhythm (quieter Saturdays) stands out; and April to June is history that the
 * forecasts' rules were not chosen on.
 */
export async function recordedFlightsFull(fromMonth, toMonth) {
  const path = dataPath('flights-3m.parquet');
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const rows = Number(parquetMetadata(file).num_rows);
  const times = new Float64Array(rows);
  const distances = new Float64Array(rows);
  await parquetRead({
    file,
    compressors,
    columns: ['date', 'distance'],
    onChunk({ columnName, columnData, rowStart }) {
      const into = columnName === 'date' ? times : distances;
      for (let i = 0; i < columnData.length; i++) {
        const v = columnData[i];
        into[rowStart + i] = v instanceof Date ? v.getTime() : Number(v);
      }
    },
  });
  const start = Date.UTC(2001, fromMonth, 1);
  const end = Date.UTC(2001, toMonth, 1);
  const minutes = (end - start) / MINUTE;
  const flights = new Float64Array(minutes);
  const miles = new Float64Array(minutes);
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const i = Math.floor((times[r] - start) / MINUTE);
    if (i < 0 || i >= minutes) continue;
    flights[i] += 1;
    miles[i] += distances[r];
    count++;
  }
  return { start, end, minuteMs: MINUTE, flights, miles, count, path };
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
