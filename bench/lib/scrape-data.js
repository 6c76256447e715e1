/**
 * A realistic scrape for the store benchmarks: the 1,000 series that two instances of a Node.js API
 * expose through prom-client, scraped every 15 s. Series counts follow what such a service really
 * exposes, where histogram buckets outnumber everything else:
 *
 * - http_request_duration_seconds{route, method, code}: 67 label combinations x (12 buckets + _sum +
 *   _count) = 938 series. Each combination gets a request rate drawn log-uniformly from 0.01 to 20
 *   per second (Poisson counts per scrape) and a lognormal latency (median 5-300 ms, sigma 0.8); the
 *   buckets are cumulative counts, _sum is the float sum of the latencies in seconds.
 * - 31 runtime series per instance (62): CPU seconds counters at microsecond resolution (floats),
 *   memory gauges in bytes (integers that move every scrape), event-loop lag gauges in seconds at
 *   nanosecond resolution (floats), handles / requests / fds (small integers, sometimes moving), GC
 *   counts, and constants (start time, max fds, version info).
 *
 * Everything comes from a seeded PRNG, so every run and every peer sees the same samples.
 */
import { normal, random } from './data.js';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Number.POSITIVE_INFINITY];
const ROUTES = [
  '/api/users',
  '/api/users/:id',
  '/api/orders',
  '/api/orders/:id',
  '/api/search',
  '/health',
  '/api/cart',
  '/api/checkout',
  '/login',
  '/logout',
  '/api/items',
  '/api/items/:id',
  '/metrics',
  '/static/*',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const CODES = ['200', '201', '400', '404', '500'];

export const SCRAPE_INTERVAL_MS = 15_000;

export function scrapeData(seed = 1) {
  const rand = random(seed);
  const z = normal(rand);
  const series = [];
  const next = [];
  const add = (labels, step) => {
    series.push(labels);
    next.push(step);
  };

  const all = ROUTES.flatMap((route) =>
    METHODS.flatMap((method) => CODES.map((code) => [route, method, code])),
  );
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  let combos = 0;
  for (const [route, method, code] of all.slice(0, 67)) {
    combos++;
    const base = { route, method, code, instance: `api-${combos % 2}:9100`, job: 'api' };
    const rate = 0.01 * 2000 ** rand();
    const mu = Math.log(0.005 * 60 ** rand());
    const state = { counts: new Float64Array(BUCKETS.length), sum: 0, count: 0, at: -1 };
    const advance = (k) => {
      if (state.at === k) return;
      state.at = k;
      const n = poisson(rand, z, rate * (SCRAPE_INTERVAL_MS / 1000));
      for (let i = 0; i < n; i++) {
        const latency = Math.exp(mu + 0.8 * z());
        state.sum += latency;
        for (let b = 0; b < BUCKETS.length; b++) if (latency <= BUCKETS[b]) state.counts[b]++;
      }
      state.count += n;
    };
    BUCKETS.forEach((le, b) => {
      add(
        {
          __name__: 'http_request_duration_seconds_bucket',
          ...base,
          le: le === Infinity ? '+Inf' : String(le),
        },
        (k) => {
          advance(k);
          return state.counts[b];
        },
      );
    });
    add({ __name__: 'http_request_duration_seconds_sum', ...base }, (k) => {
      advance(k);
      return state.sum;
    });
    add({ __name__: 'http_request_duration_seconds_count', ...base }, (k) => {
      advance(k);
      return state.count;
    });
  }

  for (const instance of ['api-0:9100', 'api-1:9100']) {
    const l = (name, extra = {}) => ({ __name__: name, instance, job: 'api', ...extra });
    const walk = (start, step, lo, hi, round, pMove = 1) => {
      let v = start;
      return () => {
        if (rand() < pMove) v = Math.min(hi, Math.max(lo, v + step * z()));
        return round(v);
      };
    };
    const micro = (x) => Math.round(x * 1e6) / 1e6;
    const nano = (x) => Math.round(x * 1e9) / 1e9;
    const int = (x) => Math.round(x);
    let user = 100 * rand();
    let system = 20 * rand();
    const cpu = { at: -1 };
    const tick = (k) => {
      if (cpu.at === k) return;
      cpu.at = k;
      user += 15 * 0.2 * rand();
      system += 15 * 0.05 * rand();
    };
    add(l('process_cpu_user_seconds_total'), (k) => {
      tick(k);
      return micro(user);
    });
    add(l('process_cpu_system_seconds_total'), (k) => {
      tick(k);
      return micro(system);
    });
    add(l('process_cpu_seconds_total'), (k) => {
      tick(k);
      return micro(user) + micro(system);
    });
    for (const [name, start] of [
      ['process_resident_memory_bytes', 180e6],
      ['process_heap_bytes', 150e6],
      ['process_virtual_memory_bytes', 900e6],
      ['nodejs_heap_size_total_bytes', 120e6],
      ['nodejs_heap_size_used_bytes', 80e6],
      ['nodejs_external_memory_bytes', 5e6],
    ]) {
      add(l(name), walk(start, start / 200, start / 2, start * 2, int));
    }
    for (const space of ['new', 'old', 'code', 'map', 'large_object']) {
      add(l('nodejs_heap_space_size_used_bytes', { space }), walk(20e6 * rand(), 2e5, 1e5, 60e6, int, 0.8));
    }
    for (const stat of ['', '_min', '_max', '_mean', '_stddev', '_p50', '_p90', '_p99']) {
      add(l(`nodejs_eventloop_lag${stat}_seconds`), walk(0.012, 0.002, 0.001, 0.5, nano));
    }
    add(l('nodejs_active_handles_total'), walk(40, 2, 5, 200, int, 0.3));
    add(l('nodejs_active_requests_total'), walk(3, 1, 0, 50, int, 0.3));
    add(l('process_open_fds'), walk(60, 2, 10, 500, int, 0.2));
    for (const kind of ['minor', 'major']) {
      let count = 0;
      add(
        l('nodejs_gc_runs_total', { kind }),
        () => (count += kind === 'minor' ? poisson(rand, z, 30) : poisson(rand, z, 0.5)),
      );
    }
    const started = 1_795_000_000 + Math.floor(rand() * 1000);
    add(l('process_start_time_seconds'), () => started);
    add(l('process_max_fds'), () => 1_048_576);
    add(l('nodejs_version_info', { version: 'v20.20.2', major: '20' }), () => 1);
    add(l('up'), () => 1);
  }
  if (series.length !== 1000) throw new Error(`scrape-data: ${series.length} series, expected 1000`);

  return {
    series,
    /** Values of scrape number `k` (0, 1, 2, ... in order), one per series. */
    scrape(k) {
      const values = new Float64Array(series.length);
      for (let i = 0; i < series.length; i++) values[i] = next[i](k);
      return values;
    },
  };
}

function poisson(rand, z, mean) {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * z()));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rand();
  while (p > limit) {
    k++;
    p *= rand();
  }
  return k;
}
