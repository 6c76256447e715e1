import { ACTIVE_SESSION_NAMES } from '../figures/active-sessions.js';
import { errorRate, NOW_WINDOW } from '../figures/requests.js';
import { spanRate } from '../figures/span-rate.js';
import { percentileQuery } from '../query/percentile-query.js';
import type { TopAlert, TopLatency, TopSession, TopState } from './top-state.js';

export interface TopClientOptions {
  /** The server, such as http://127.0.0.1:8000. */
  readonly url: string;
  /** Sent as `Authorization: Bearer` when the server requires one. */
  readonly token?: string | undefined;
  /** Each request gives up after this long. Default 5,000 ms; a slow read delays the next refresh. */
  readonly timeoutMs?: number;
}

type Sample = { metric: Record<string, string>; value: number };

/** The rows of `vigil top`: PromQL over the names @vigil/metrics' helpers expose. */
const THROUGHPUT: ReadonlyArray<readonly [string, string]> = [
  ['operations/s', 'sum(rate(latency_operations_total[1m]))'],
  ['LLM calls/s', 'sum(rate(gen_ai_client_operation_duration_seconds_count[1m]))'],
  ['packets sent/s', 'sum(rate(stream_packets_sent_total[1m]))'],
  ['UDP packets/s', 'sum(rate(events_packets_received_total[1m]))'],
  // The cost page's and /api/metrics' cost per hour.
  ['LLM cost $/h', `${spanRate('vigil_llm_cost_usd_total', '1h')} * 3600`],
];
const LOSS: ReadonlyArray<readonly [string, string]> = [
  [
    'stream packets',
    'sum(rate(stream_dropped_packets_total[1m])) / (sum(rate(stream_packets_sent_total[1m])) + sum(rate(stream_dropped_packets_total[1m])))',
  ],
  [
    'UDP packets',
    'sum(rate(events_dropped_packets_total[1m])) / (sum(rate(events_packets_received_total[1m])) + sum(rate(events_dropped_packets_total[1m])))',
  ],
  // The overview's Error rate and /api/metrics/mobile's error_rate.
  ['request errors', errorRate(NOW_WINDOW)],
];
const quantile = (q: number, by: string, metric: string) => percentileQuery(q, metric, '1m', { by: [by] });

/**
 * Reads what `vigil top` shows from a running server over its HTTP API: `/api/health`, instant
 * PromQL queries at `/api/v1/query`, and `/api/alerts`. A part that fails or that the server does
 * not have is left empty; only when nothing answers is the read an error.
 */
export class TopClient {
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(options: TopClientOptions) {
    this.#url = options.url.replace(/\/+$/, '');
    this.#headers = options.token ? { authorization: `Bearer ${options.token}` } : {};
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  async read(now: number): Promise<TopState> {
    const [health, alerts, throughput, loss, latency, llm, sessions, up, slos] = await Promise.allSettled([
      this.#json('/api/health'),
      this.#json('/api/alerts'),
      Promise.all(THROUGHPUT.map(([label, expr]) => this.#scalar(expr).then((value) => ({ label, value })))),
      Promise.all(LOSS.map(([label, expr]) => this.#scalar(expr).then((value) => ({ label, value })))),
      this.#latency('operation', 'latency_operation_duration_seconds'),
      this.#latency('gen_ai_provider_name', 'gen_ai_client_operation_duration_seconds'),
      this.#sessions(),
      this.#query('vigil_provider_up or vigil_dependency_up'),
      this.#json('/api/slos') as Promise<{
        slos?: { name: string; errorBudget: { remaining: number | null } }[];
      }>,
    ]);
    const value = <T>(r: PromiseSettledResult<T>, fallback: T): T =>
      r.status === 'fulfilled' ? r.value : fallback;
    if (health.status === 'rejected' && throughput.status === 'rejected') {
      throw new Error(messageOf(health.reason));
    }
    const h = value(health, undefined) as
      | { status?: string; uptime_seconds?: number; system_metrics?: { store_series?: number } }
      | undefined;
    const alertList = value(alerts, undefined) as
      | { data?: { alerts?: Array<Record<string, unknown>> } }
      | undefined;
    return {
      url: this.#url,
      at: now,
      ...(h?.status !== undefined && { status: h.status }),
      ...(h?.uptime_seconds !== undefined && { uptimeSeconds: h.uptime_seconds }),
      ...(h?.system_metrics?.store_series !== undefined && { series: h.system_metrics.store_series }),
      throughput: value(throughput, []).filter((r) => r.value !== undefined),
      loss: value(loss, []).filter((r) => r.value !== undefined),
      latency: [...value(latency, []), ...value(llm, []).map((l) => ({ ...l, label: `LLM ${l.label}` }))],
      sessions: value(sessions, []),
      health: value(up, [])
        .map((s) => ({ label: s.metric.provider ?? s.metric.dependency ?? '?', value: s.value }))
        .sort((a, b) => a.label.localeCompare(b.label)),
      alerts: (alertList?.data?.alerts ?? []).map(toAlert).sort((a, b) => a.name.localeCompare(b.name)),
      slos: (value(slos, {}).slos ?? []).map((s) => ({
        label: s.name,
        value: s.errorBudget.remaining ?? undefined,
      })),
    };
  }

  async #latency(by: string, metric: string): Promise<TopLatency[]> {
    const [p50, p95, p99] = await Promise.all(
      [0.5, 0.95, 0.99].map((q) => this.#query(quantile(q, by, metric))),
    );
    const rows = new Map<string, { p50?: number; p95?: number; p99?: number }>();
    for (const [key, samples] of [
      ['p50', p50],
      ['p95', p95],
      ['p99', p99],
    ] as const) {
      for (const s of samples!) {
        const label = s.metric[by] ?? '';
        const v = s.value;
        if (!Number.isFinite(v)) continue;
        rows.set(label, { ...rows.get(label), [key]: v });
      }
    }
    return [...rows]
      .map(([label, r]) => ({ label, p50: r.p50, p95: r.p95, p99: r.p99 }))
      .sort((a, b) => a.label.localeCompare(b.label));
  }

  /** The sessions live now (the Sessions page's and /api/metrics' count), with their figures. */
  async #sessions(): Promise<TopSession[]> {
    const [live, rate, loss, timing, memory] = await Promise.all([
      this.#query(ACTIVE_SESSION_NAMES),
      this.#query('sum by (session) (rate(stream_packets_sent_total[1m]))'),
      this.#query(
        'sum by (session) (rate(stream_dropped_packets_total[1m])) / (sum by (session) (rate(stream_packets_sent_total[1m])) + sum by (session) (rate(stream_dropped_packets_total[1m])))',
      ),
      this.#query(quantile(0.95, 'session', 'stream_timing_error_seconds')),
      this.#query('sum by (session) (stream_session_memory_bytes)'),
    ]);
    const bySession = (samples: Sample[]) => new Map(samples.map((s) => [s.metric.session ?? '', s.value]));
    const r = bySession(rate);
    const l = bySession(loss);
    const t = bySession(timing);
    const m = bySession(memory);
    return live
      .map((s) => {
        const name = s.metric.session ?? '';
        return {
          name,
          packetsPerSecond: finite(r.get(name)),
          loss: finite(l.get(name)),
          timingErrorP95: finite(t.get(name)),
          memoryBytes: finite(m.get(name)),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async #scalar(expr: string): Promise<number | undefined> {
    const [first] = await this.#query(expr);
    return first ? finite(first.value) : undefined;
  }

  async #query(expr: string): Promise<Sample[]> {
    const body = (await this.#json(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as {
      data?: { resultType?: string; result?: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.data?.resultType !== 'vector') return [];
    return (body.data.result ?? []).map((s) => ({ metric: s.metric, value: apiNumber(s.value[1]) }));
  }

  async #json(path: string): Promise<unknown> {
    const res = await fetch(`${this.#url}${path}`, {
      headers: this.#headers,
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    if (res.status === 401)
      throw new Error(`${path}: 401 Unauthorized (give the server's token with --token)`);
    // /api/health answers 503 with its document when the server is unhealthy.
    if (!res.ok && !(path === '/api/health' && res.status === 503))
      throw new Error(`${path}: HTTP ${res.status}`);
    return res.json();
  }
}

function toAlert(a: Record<string, unknown>): TopAlert {
  const labels = (a.labels ?? {}) as Record<string, string>;
  const annotations = (a.annotations ?? {}) as Record<string, string>;
  return {
    name: labels.alertname ?? '?',
    severity: labels.severity ?? '',
    state: String(a.state ?? ''),
    summary: annotations.summary ?? annotations.description ?? '',
    activeAt: String(a.activeAt ?? ''),
  };
}

/** A sample value as the query API writes it (Go's `+Inf`, `-Inf`, `NaN` included). */
function apiNumber(text: string): number {
  return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}

function finite(v: number | undefined): number | undefined {
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
