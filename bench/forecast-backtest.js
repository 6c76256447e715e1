// Scenario: vigil's forecasts backtested against a seasonal-naive forecast in the same run, on recorded
// history that vigil's demo did not generate: US domestic flights of 2001 (lib/recorded-flights.js),
// read as a service's traffic, three data sets of a quarter each: 20,000 flights of January to
// March (the data the forecasts' rules were chosen on), and all 3 million of January to June as
// two quarters (far less noise, a plain weekly rhythm; April to June held out). Each is written into
// its own SQLite store at one sample a minute, as a scrape would have stored it:
//   flights_total                      departures so far (a request counter)
//   flights_llm_cost_usd_total         $1 per 1,000 miles flown so far (a cost counter)
//   flights_credits_remaining_usd      prepaid credits of 95% of the quarter's cost, less the cost so far
// Each forecast is made at origins spread over the quarter from what the store held then (through
// PromqlEngine, the server's own figures), and compared with what the data did next:
//   cost to month end   monthEndCostForecast (the /api/metrics figure: the month's days so far, at least
//                       the last 7), every 7 h from the 8th day (7 h: every hour of the day is an origin alike);
//                       seasonal naive: month to date + the last 7 days' cost repeated to month end
//   credits run-out     runOut (the /api/forecasts/run-out figure) with its default window of 28 days
//                       (and, on the 20,000, of 7), every 7 h while at least a day is left;
//                       seasonal naive: the last 7 days' spending repeated
//   anomaly baseline    (the 20,000 only) the band's s:seasonal_median (anomalyBandRules, season 1d,
//                       7 seasons, window 1h) over flights per hour recorded every 5 min, every 30 min
//                       from the 9th day; seasonal naive: the same series one season (a day) before
// MAE and MAPE of each; MAPE of flights per hour over the points with at least one flight.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenario, table } from './lib/harness.js';
import { cumulative, recordedFlights, recordedFlightsFull } from './lib/recorded-flights.js';
import { loadStore } from './lib/server-dist.js';

const DIST = new URL('../packages/server/dist/', import.meta.url);
const { PromqlEngine } = await import(new URL('query/promql-engine.js', DIST).href);
const { monthEndCostForecast } = await import(new URL('figures/cost-forecast.js', DIST).href);
const { runOut } = await import(new URL('figures/run-out.js', DIST).href);
const { anomalyBandRules } = await import(new URL('figures/anomaly-band.js', DIST).href);
const { openSqliteStore } = await loadStore();

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const USD_PER_MILE = 0.001;
const CREDITS_SHARE = 0.95;
const JOB = { job: 'flights' };

const report = scenario('forecast-backtest', 'forecasts against seasonal naive on recorded flights');
const results = [];
const errors = (pairs) => {
  const abs = pairs.map(([f, a]) => Math.abs(f - a));
  const pct = pairs.filter(([, a]) => a !== 0).map(([f, a]) => Math.abs(f - a) / Math.abs(a));
  return {
    n: pairs.length,
    mae: abs.reduce((x, y) => x + y, 0) / abs.length,
    mape: pct.reduce((x, y) => x + y, 0) / pct.length,
  };
};
const day = (t) =>
  new Date(t).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

await backtest('20k Q1', recordedFlights(), { windows: [28, 7], anomaly: true });
const full = await recordedFlightsFull(0, 6);
await backtest('3m Q1', quarter(full, 0), { windows: [28] });
await backtest('3m Q2, held out', quarter(full, 3), { windows: [28] });

/** The three months of `data` (per-minute counts of January to June) from month `from` (0: January). */
function quarter(data, from) {
  const start = Date.UTC(2001, from, 1);
  const end = Date.UTC(2001, from + 3, 1);
  const i = (start - data.start) / data.minuteMs;
  const j = (end - data.start) / data.minuteMs;
  const flights = data.flights.slice(i, j);
  return {
    ...data,
    start,
    end,
    flights,
    miles: data.miles.slice(i, j),
    count: flights.reduce((a, b) => a + b, 0),
  };
}

async function backtest(name, data, { windows, anomaly = false }) {
  const { start, end, minuteMs } = data;
  const flightsSoFar = cumulative(data.flights);
  const costSoFar = cumulative(data.miles).map((m) => m * USD_PER_MILE);
  const credits = costSoFar.at(-1) * CREDITS_SHARE;
  console.log(
    `${name}: ${data.count.toLocaleString('en-US')} flights, ${new Date(start).toISOString().slice(0, 10)} to ${new Date(end - 1).toISOString().slice(0, 10)} (${data.path.replace(/.*node_modules\//, '')}); cost $${costSoFar.at(-1).toFixed(0)}, credits $${credits.toFixed(0)}`,
  );

  /** Minute index whose sample is stamped at `t` (the end of that minute), clamped to the data. */
  const minuteAt = (t) =>
    Math.min(data.flights.length - 1, Math.max(-1, Math.floor((t - start) / minuteMs) - 1));
  const at = (series, t) => {
    const i = minuteAt(t);
    return i < 0 ? 0 : series[i];
  };

  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-backtest-'));
  const clock = { now: () => end, every: () => () => {} };
  const store = await openSqliteStore({ dir, clock, retentionDays: 400 });
  try {
    const t0 = performance.now();
    const minutes = data.flights.length;
    for (let from = 0; from < minutes; from += 1440) {
      const n = Math.min(1440, minutes - from);
      const timestamps = Float64Array.from({ length: n }, (_, k) => start + (from + k + 1) * minuteMs);
      const slice = (series, f = (v) => v) => Float64Array.from({ length: n }, (_, k) => f(series[from + k]));
      store.appendSync([
        { labels: { __name__: 'flights_total', ...JOB }, timestamps, values: slice(flightsSoFar) },
        { labels: { __name__: 'flights_llm_cost_usd_total', ...JOB }, timestamps, values: slice(costSoFar) },
        {
          labels: { __name__: 'flights_credits_remaining_usd', ...JOB },
          timestamps,
          values: slice(costSoFar, (c) => credits - c),
        },
      ]);
      await store.flush();
    }
    const engine = new PromqlEngine({ store, clock });
    const one = async (expr, t) => {
      const r = await engine.instantQuery(expr, t);
      if (r.resultType === 'scalar') return r.result.value;
      return r.resultType === 'vector' && r.result.length > 0 ? r.result[0].value : undefined;
    };
    const range = async (expr, from, to, step) => {
      const r = await engine.rangeQuery(expr, from, to, step);
      const out = new Map();
      if (r.resultType === 'matrix')
        for (const row of r.result) for (const [i, t] of row.timesMs.entries()) out.set(t, row.values[i]);
      return out;
    };
    console.log(
      `store: 3 series x ${minutes.toLocaleString('en-US')} minutes written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    // Cost to month end.
    {
      const t1 = performance.now();
      const vigil = [];
      const naive = [];
      let inRange = 0;
      let noFigure = 0;
      for (let t = start + 7 * DAY; t < end; t += 7 * HOUR) {
        const month = new Date(t);
        const monthStart = Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1);
        const monthEnd = Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1);
        const actual = at(costSoFar, monthEnd) - at(costSoFar, monthStart);
        const f = await monthEndCostForecast(
          (expr) => one(expr, t).then((v) => v ?? 0),
          '{__name__="flights_llm_cost_usd_total"}',
          t,
        );
        if (f.expected === null) {
          noFigure++;
          continue;
        }
        vigil.push([f.expected, actual]);
        if (actual >= f.low && actual <= f.high) inRange++;
        // Seasonal naive, a season of a week: the last 7 days' spending, minute by minute, again.
        const lastWeek = at(costSoFar, t) - at(costSoFar, t - WEEK);
        const left = monthEnd - t;
        const whole = Math.floor(left / WEEK);
        const rest = at(costSoFar, t - WEEK + (left - whole * WEEK)) - at(costSoFar, t - WEEK);
        naive.push([at(costSoFar, t) - at(costSoFar, monthStart) + whole * lastWeek + rest, actual]);
      }
      results.push({
        data: name,
        forecast: 'cost to month end (USD)',
        origins: `every 7 h from ${day(start + 7 * DAY)}`,
        vigil: errors(vigil),
        naive: errors(naive),
        naiveIs: "month to date + the last 7 days' cost repeated",
        note: `actual inside low..high ${inRange} of ${vigil.length}${noFigure ? `; ${noFigure} without a figure` : ''}`,
        seconds: (performance.now() - t1) / 1000,
      });
    }

    // Credits run-out.
    {
      let runOutAt = end;
      for (let i = 0; i < costSoFar.length; i++)
        if (costSoFar[i] >= credits) {
          runOutAt = start + (i + 1) * minuteMs;
          break;
        }
      console.log(`credits run out at ${new Date(runOutAt).toISOString()}`);
      const selector = 'flights_credits_remaining_usd';
      const origins = [];
      for (let t = start + 7 * DAY; t <= runOutAt - DAY; t += 7 * HOUR) origins.push(t);
      // Seasonal naive: each minute ahead spends what the same minute a week before spent.
      const naive = origins.map((t) => {
        const remaining = credits - at(costSoFar, t);
        const lastWeek = at(costSoFar, t) - at(costSoFar, t - WEEK);
        const weeks = Math.floor(remaining / lastWeek);
        let u = t - WEEK;
        while (weeks * lastWeek + at(costSoFar, u) - at(costSoFar, t - WEEK) < remaining) u += minuteMs;
        return [(weeks * WEEK + (u - (t - WEEK))) / HOUR, (runOutAt - t) / HOUR];
      });
      // The API's default window (28 days at most) and the seasonal naive's own week.
      for (const days of windows) {
        const t1 = performance.now();
        const vigil = [];
        let unanswered = 0;
        let inRange = 0;
        for (const t of origins) {
          const { forecasts } = await runOut(engine, selector, days, t);
          const f = forecasts[0];
          const actual = (runOutAt - t) / HOUR;
          if (f === undefined) unanswered++;
          else {
            vigil.push([f.seconds / 3600, actual]);
            if (
              actual >= f.earliestSeconds / 3600 &&
              (f.latestSeconds === null || actual <= f.latestSeconds / 3600)
            )
              inRange++;
          }
        }
        results.push({
          data: name,
          forecast: `credits run-out, window ${days}d${days === 28 ? ' (default)' : ''} (hours)`,
          origins: `every 7 h from ${day(start + 7 * DAY)} while a day is left`,
          vigil: errors(vigil),
          naive: errors(naive),
          naiveIs: "the last 7 days' spending repeated",
          note: `actual inside earliest..latest ${inRange} of ${vigil.length}${unanswered ? `; ${unanswered} origins without a forecast` : ''}`,
          seconds: (performance.now() - t1) / 1000,
        });
      }
    }

    if (anomaly) {
      // Anomaly baseline.
      {
        const t1 = performance.now();
        const series = 'flights:per_hour';
        const STEP = 5 * 60_000;
        // Recorded as a rule would have, every 5 min (a range query answers at most 11,000 steps: by weeks).
        for (let from = start + HOUR; from < end; from += WEEK) {
          const recorded = await engine.rangeQuery(
            'sum(rate(flights_total[1h])) * 3600',
            from,
            Math.min(end, from + WEEK - STEP),
            STEP,
          );
          await store.append(
            recorded.result.map((r) => ({
              labels: { ...r.metric, __name__: series },
              timestamps: r.timesMs,
              values: r.values,
            })),
          );
        }
        await store.flush();
        const rules = anomalyBandRules({ series, season: '1d' });
        const rule = (suffix) => rules.find((r) => r.record === `${series}:${suffix}`).expr;
        const from = start + 8 * DAY;
        const step = 30 * 60_000;
        const [actual, median, spread, dayBefore] = await Promise.all([
          range(series, from, end, step),
          range(rule('seasonal_median'), from, end, step),
          range(rule('seasonal_spread'), from, end, step),
          range(`${series} offset 1d`, from, end, step),
        ]);
        const vigil = [];
        const naive = [];
        let outside = 0;
        for (const [t, a] of actual) {
          const m = median.get(t);
          const d = dayBefore.get(t);
          if (m === undefined || d === undefined) continue;
          vigil.push([m, a]);
          naive.push([d, a]);
          const s = spread.get(t);
          if (a > m + 3 * s || a < m - 3 * s) outside++;
        }
        const zeros = vigil.filter(([, a]) => a === 0).length;
        results.push({
          data: name,
          forecast: 'anomaly baseline, flights per hour',
          origins: 'every 30 min from Jan 9',
          vigil: errors(vigil),
          naive: errors(naive),
          naiveIs: 'the same moment a day before',
          note: `${outside} of ${vigil.length} points outside the band (${((100 * outside) / vigil.length).toFixed(2)}%); MAPE over the ${vigil.length - zeros} points with a flight`,
          seconds: (performance.now() - t1) / 1000,
        });
      }
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const figure = (v) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));
const fmt = (e) => `MAE ${figure(e.mae)}, MAPE ${(100 * e.mape).toFixed(e.mape < 0.01 ? 2 : 1)}%`;
console.log(
  table(
    ['data', 'forecast', 'origins', 'n', 'vigil', 'seasonal naive', 'naive is', 'note', 's'],
    results.map((r) => [
      r.data,
      r.forecast,
      r.origins,
      r.vigil.n,
      fmt(r.vigil),
      fmt(r.naive),
      r.naiveIs,
      r.note,
      r.seconds.toFixed(1),
    ]),
  ),
);
for (const r of results) {
  // Better on both: MAE weighs the long horizons, MAPE the short ones.
  const pass = r.vigil.mae < r.naive.mae && r.vigil.mape < r.naive.mape;
  report.check(
    `${r.data}, ${r.forecast}: beats seasonal naive`,
    pass,
    `vigil ${fmt(r.vigil)}; seasonal naive ${fmt(r.naive)} (${r.vigil.n} origins)`,
  );
  report.row(`backtest, ${r.data}: ${r.forecast}`, {
    vigil: fmt(r.vigil),
    prom: `seasonal naive: ${fmt(r.naive)}`,
    target: 'MAE and MAPE < seasonal naive',
    result: pass ? 'PASS' : 'MISS',
  });
}
report.data = {
  data: {
    '20k Q1': 'vega-datasets flights-20k.json (BTS, Jan-Mar 2001, 20,000 flights)',
    '3m Q1': 'vega-datasets flights-3m.parquet (BTS, every flight), Jan-Mar 2001',
    '3m Q2, held out': 'vega-datasets flights-3m.parquet (BTS, every flight), Apr-Jun 2001',
  },
  results,
};
report.emit();
