import { SeededRandom } from '../../packages/server/src/demo/seeded-random.js';
import { type SeriesSamples, staleNaN } from '../../packages/server/src/store/series-store.js';

/**
 * The samples that Prometheus and vigil both receive for the PromQL corpus: two hours from `t0`,
 * scraped every 15 s with a few ms of jitter, deterministic (a seeded generator). Counters with
 * resets, gauges, classic histograms with `le` buckets, series that end with a staleness marker and
 * without one, NaN and ±Inf values, several jobs and instances, and timestamps as gauge values for
 * the date functions.
 */
export const CORPUS_SPAN_MS = 2 * 3_600_000;
const INTERVAL_MS = 15_000;
const STEPS = CORPUS_SPAN_MS / INTERVAL_MS;

interface Builder {
  labels: Record<string, string>;
  timestamps: number[];
  /** 'stale' until the end: a plain Array would not keep the staleness marker's NaN payload. */
  values: (number | 'stale')[];
}

export function corpusSeries(t0: number): SeriesSamples[] {
  // Seeded, so both servers and every run see the same data.
  const seeded = new SeededRandom(20261201);
  const rnd = () => seeded.next();
  const out: Builder[] = [];
  const series = (labels: Record<string, string>): Builder => {
    const b = { labels, timestamps: [], values: [] };
    out.push(b);
    return b;
  };
  // Scrape times: every 15 s plus a per-series phase and a little jitter, as a real scraper has.
  // Never on a whole second: the queries run at whole seconds with ranges of whole seconds, and a
  // sample exactly at a range's start is inside it for Prometheus 2.42, outside for vigil and
  // Prometheus 3 (left-open ranges).
  const timeOf = (phase: number, i: number) => {
    const t = t0 + i * INTERVAL_MS + phase + Math.floor(rnd() * 40);
    return t % 1000 === 0 ? t + 1 : t;
  };

  const instances = ['a:8000', 'b:8000'];
  const providers = ['neo_analysis', 'nexus', 'anima'];
  for (const instance of instances) {
    const phase = instance === 'a:8000' ? 120 : 7_450;
    const base = { job: 'backend', instance };
    const success = providers.map((provider) =>
      series({ __name__: 'memory_analysis_success_total', ...base, provider }),
    );
    const failure = providers.flatMap((provider) =>
      ['timeout', 'parse'].map((error_type) =>
        series({ __name__: 'memory_analysis_failure_total', ...base, provider, error_type }),
      ),
    );
    const hits = series({ __name__: 'memory_analysis_cache_hits_total', ...base });
    const misses = series({ __name__: 'memory_analysis_cache_misses_total', ...base });
    const size = series({ __name__: 'memory_analysis_cache_size', ...base });
    const bounds = ['0.5', '1', '2', '4', '6', '10', '15', '20', '30', '+Inf'];
    const histograms = providers.map((provider) => ({
      buckets: bounds.map((le) =>
        series({ __name__: 'memory_analysis_duration_seconds_bucket', ...base, provider, le }),
      ),
      sum: series({ __name__: 'memory_analysis_duration_seconds_sum', ...base, provider }),
      count: series({ __name__: 'memory_analysis_duration_seconds_count', ...base, provider }),
    }));
    const counters = new Map<Builder, number>();
    const add = (b: Builder, t: number, inc: number) => {
      const v = (counters.get(b) ?? 0) + inc;
      counters.set(b, v);
      b.timestamps.push(t);
      b.values.push(v);
    };
    let cache = 40;
    for (let i = 0; i < STEPS; i++) {
      const t = timeOf(phase, i);
      // Instance b restarts 50 minutes in: every counter of it starts again from zero.
      if (instance === 'b:8000' && i === 200) for (const b of counters.keys()) counters.set(b, 0);
      for (const b of success) add(b, t, Math.floor(rnd() * 6));
      for (const b of failure) add(b, t, rnd() < 0.2 ? 1 : 0);
      add(hits, t, Math.floor(rnd() * 10));
      add(misses, t, Math.floor(rnd() * 8));
      cache = Math.max(0, Math.min(100, cache + Math.floor(rnd() * 11) - 5));
      size.timestamps.push(t);
      size.values.push(cache);
      for (const h of histograms) {
        const observations = Array.from({ length: Math.floor(rnd() * 7) }, () => rnd() ** 2 * 35);
        h.buckets.forEach((b, k) => {
          const le = Number(bounds[k]);
          add(b, t, observations.filter((o) => o <= le).length);
        });
        add(
          h.sum,
          t,
          observations.reduce((a, b) => a + b, 0),
        );
        add(h.count, t, observations.length);
      }
    }
  }

  // HTTP traffic for joins: api/x stops 70 minutes in with a staleness marker, web/z stops 80
  // minutes in without one (the lookback window keeps it 5 more minutes).
  const targets = [
    { job: 'api', instance: 'x:9000', version: '1.2.0', stopAt: 280, stale: true },
    { job: 'api', instance: 'y:9000', version: '1.3.0', stopAt: STEPS, stale: false },
    { job: 'web', instance: 'z:80', version: '1.2.0', stopAt: 320, stale: false },
  ];
  for (const target of targets) {
    const phase = Math.floor(rnd() * 14_000);
    const { job, instance } = target;
    const info = series({ __name__: 'build_info', job, instance, version: target.version });
    const up = series({ __name__: 'up', job, instance });
    const requests = ['GET', 'POST'].flatMap((method) =>
      ['200', '500'].map((code) => ({
        b: series({ __name__: 'http_requests_total', job, instance, method, code }),
        rate: (method === 'GET' ? 20 : 4) * (code === '200' ? 1 : 0.05),
        v: 0,
      })),
    );
    const latency = series({ __name__: 'http_latency_seconds', job, instance });
    for (let i = 0; i < target.stopAt; i++) {
      const t = timeOf(phase, i);
      info.timestamps.push(t);
      info.values.push(1);
      up.timestamps.push(t);
      up.values.push(1);
      for (const r of requests) {
        r.v += Math.floor(rnd() * r.rate * 15);
        r.b.timestamps.push(t);
        r.b.values.push(r.v);
      }
      latency.timestamps.push(t);
      latency.values.push(0.05 + 0.04 * Math.sin(i / 17) + rnd() * 0.01);
    }
    if (target.stale && target.stopAt < STEPS) {
      const t = timeOf(phase, target.stopAt);
      for (const b of [info, up, latency, ...requests.map((r) => r.b)]) {
        b.timestamps.push(t);
        b.values.push('stale');
      }
    }
  }

  // Gauges: temperatures (sine waves), special values, and timestamps for the date functions.
  for (const [k, sensor] of ['cpu', 'gpu', 'disk'].entries()) {
    const b = series({ __name__: 'node_temperature_celsius', job: 'node', instance: 'n1', sensor });
    for (let i = 0; i < STEPS; i++) {
      b.timestamps.push(timeOf(300 * k, i));
      b.values.push(Math.round((50 + 10 * k + 8 * Math.sin(i / (20 + k)) + rnd()) * 100) / 100);
    }
  }
  const special: Record<string, (i: number) => number> = {
    nan: (i) => (i % 7 === 3 ? Number.NaN : i % 10),
    inf: (i) => (i % 11 === 5 ? Infinity : i * 0.5),
    neginf: (i) => (i % 13 === 4 ? -Infinity : -i),
    zero: (i) => (i % 2 === 0 ? 0 : -0),
  };
  for (const [kind, value] of Object.entries(special)) {
    const b = series({ __name__: 'special_values', job: 'edge', kind });
    for (let i = 0; i < STEPS; i++) {
      b.timestamps.push(timeOf(900, i));
      b.values.push(value(i));
    }
  }
  // Seconds since the epoch spread over leap years, month ends and every weekday.
  const clock = series({ __name__: 'event_timestamp_seconds', job: 'clock' });
  for (let i = 0; i < STEPS; i++) {
    clock.timestamps.push(timeOf(0, i));
    clock.values.push(951_782_400 + i * 1_234_567.5 + (i % 5) * 0.25);
  }

  return out.map((b) => {
    const values = new Float64Array(b.values.length);
    b.values.forEach((v, i) => {
      values[i] = v === 'stale' ? staleNaN() : v;
    });
    return { labels: b.labels, timestamps: b.timestamps, values };
  });
}
