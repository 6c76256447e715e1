import { escapeLabelValue } from '../../src/base/escape.js';
import type {
  CounterPoint,
  DistributionStats,
  GaugePoint,
  HistogramPoint,
  Labels,
  RegistrySnapshot,
} from '../../src/core/snapshot.js';

/** The pre-escaped label block the registry computes once per series (snapshot.ts). */
export function block(labels: Labels): string {
  let out = '';
  for (const [name, value] of Object.entries(labels)) {
    if (value === '') continue;
    out += `${out === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
  }
  return out;
}

export function counterPoint(labels: Labels, value: number): CounterPoint {
  return { labels, block: block(labels), value };
}

export function gaugePoint(
  labels: Labels,
  value: number,
  min = value,
  max = value,
  mean = value,
): GaugePoint {
  return { labels, block: block(labels), value, min, max, mean };
}

export const QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999];

/** A histogram point from raw observations, so buckets, sum and count agree with each other. */
export function histogramPoint(
  labels: Labels,
  bounds: readonly number[],
  values: readonly number[],
  window?: DistributionStats,
): HistogramPoint {
  const sorted = [...values].sort((a, b) => a - b);
  const count = sorted.length;
  const sum = sorted.reduce((a, b) => a + b, 0);
  const mean = count === 0 ? Number.NaN : sum / count;
  const variance = count === 0 ? Number.NaN : sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / count;
  const quantiles = QUANTILES.map((q) =>
    count === 0 ? Number.NaN : (sorted[Math.min(count - 1, Math.floor(q * count))] ?? Number.NaN),
  );
  const buckets = [...bounds.map((bound) => sorted.filter((v) => v <= bound).length), count];
  const point: HistogramPoint = {
    labels,
    block: block(labels),
    count,
    sum,
    min: sorted[0] ?? Number.NaN,
    max: sorted[count - 1] ?? Number.NaN,
    mean,
    std: Math.sqrt(variance),
    quantiles,
    buckets,
  };
  return window === undefined ? point : { ...point, window };
}

const LATENCY_BOUNDS = [0.005, 0.01, 0.1, 1, 10, 100000, 1e6];

/** Every awkward thing a serialiser meets, in one snapshot. Times are fixed so golden files are stable. */
export function nastySnapshot(): RegistrySnapshot {
  return {
    timestamp: 1_705_075_200_123,
    startTime: 1_705_071_600_000,
    scopeLabel: 'session',
    metrics: [
      {
        type: 'counter',
        name: 'http_requests_total',
        help: 'Requests handled, by "method" and path \\ backslash\nsecond line',
        unit: '',
        points: [
          counterPoint({ method: 'GET', path: '/a"b\\c\nd' }, 1027),
          counterPoint({ method: 'POST', path: 'emoji 🚀 ünïcödé 中文' }, 3),
          counterPoint({ method: 'PUT', path: 'lone \uD800 surrogate' }, 0.5),
          counterPoint({ method: 'DELETE', path: '' }, 1e21),
          counterPoint({ method: 'a,b=c d', path: 'trailing\\' }, 7),
        ],
      },
      {
        type: 'counter',
        name: 'process_cpu_seconds_total',
        help: 'Total user and system CPU time spent in seconds.',
        unit: 'seconds',
        points: [counterPoint({}, 4200722.46)],
      },
      {
        type: 'counter',
        name: 'jobs_never_run_total',
        help: 'A family with no series yet.',
        unit: '',
        points: [],
      },
      {
        type: 'gauge',
        name: 'temperature_celsius',
        help: 'Non-finite and extreme values.',
        unit: 'celsius',
        points: [
          gaugePoint({ sensor: 'nan' }, Number.NaN),
          gaugePoint({ sensor: 'pinf' }, Number.POSITIVE_INFINITY),
          gaugePoint({ sensor: 'ninf' }, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, 3, Number.NaN),
          gaugePoint({ sensor: 'tiny' }, 1e-7, -0.5, 2, 0.75),
        ],
      },
      {
        type: 'gauge',
        name: 'queue_depth',
        help: '',
        unit: 'items',
        points: [gaugePoint({}, 12, 0, 40, 9.5)],
      },
      {
        type: 'histogram',
        name: 'request_duration_seconds',
        help: 'Request latency.',
        unit: 'seconds',
        bounds: LATENCY_BOUNDS,
        quantiles: QUANTILES,
        points: [
          histogramPoint({ route: '/x' }, LATENCY_BOUNDS, [0.001, 0.004, 0.02, 0.3, 0.3, 2.5, 12], {
            count: 2,
            sum: 14.5,
            min: 2.5,
            max: 12,
            mean: 7.25,
            std: 4.75,
            quantiles: [2.5, 12, 12, 12, 12],
          }),
          histogramPoint({}, LATENCY_BOUNDS, []),
        ],
      },
      {
        type: 'counter',
        name: 'packets_sent',
        help: 'Packets sent per session.',
        unit: '',
        points: [
          counterPoint({ session: 'swift-neural-42' }, 15230),
          counterPoint({ session: 'calm-river-7' }, 80),
        ],
      },
      {
        type: 'counter',
        name: 'dropped_packets',
        help: 'Dropped packets per session and reason.',
        unit: '',
        points: [
          counterPoint({ session: 'swift-neural-42', reason: 'overflow' }, 2),
          counterPoint({ session: 'swift-neural-42', reason: 'timeout' }, 1),
        ],
      },
      {
        type: 'gauge',
        name: 'memory_usage_mb',
        help: 'Memory a session reports for itself.',
        unit: '',
        points: [gaugePoint({ session: 'calm-river-7' }, 3.25)],
      },
      {
        type: 'histogram',
        name: 'network_latency_ms',
        help: 'Tick-to-network latency.',
        unit: '',
        bounds: [1, 5, 10],
        quantiles: QUANTILES,
        points: [
          histogramPoint({ session: 'swift-neural-42' }, [1, 5, 10], [0.8, 1.2, 1.5, 5.6]),
          histogramPoint({ session: 'calm-river-7', path: 'a' }, [1, 5, 10], [2]),
          histogramPoint({ session: 'calm-river-7', path: 'b' }, [1, 5, 10], [3, 4]),
        ],
      },
    ],
    scopes: [
      {
        id: 'swift-neural-42',
        running: true,
        paused: false,
        connections: 1,
        createdAt: 1_705_075_000_000,
        memoryBytes: 13_054_771,
      },
      {
        id: 'calm-river-7',
        running: true,
        paused: true,
        connections: 2,
        createdAt: 1_705_074_000_000,
        memoryBytes: 1_048_576,
      },
    ],
  };
}
