/**
 * Demo-shaped history for the dashboard's browser tests and benchmark, written through the server's
 * own ingest API (`POST /api/v1/import/prometheus`, with timestamps). The series come from
 * @vigil/metrics itself (LatencyTracker, GenAiMetrics, session scopes, with the library's default
 * names), so the dashboards are tested against the names the library emits: a simulated clock
 * runs through the range, the workload is recorded at each step, and each step's exposition is sent
 * with that step's timestamp.
 */
import { ManualClock, Registry, toPrometheusText } from '@vigil/metrics';
import { GenAiMetrics } from '@vigil/metrics/genai';
import { LatencyTracker } from '@vigil/metrics/latency';

const PROVIDERS = {
  speech_to_text: ['google', 'deepgram'],
  text_to_speech: ['elevenlabs'],
  crm_api: ['salesforce'],
  rag_inference: ['openai', 'anthropic'],
};
const MODELS = [
  ['openai', 'gpt-4o-mini', 0.15, 0.6],
  ['openai', 'gpt-4o', 2.5, 10],
  ['anthropic', 'claude-3-5-sonnet', 3, 15],
];
export const SESSIONS = ['swift-neural-42', 'calm-river-7', 'bright-orbit-13'];
const HEALTH = ['openai', 'anthropic', 'google'];

/** A deterministic pseudo-random source (mulberry32), so every run writes the same history. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The simulated application: its registry, and `step(ms)` that records `ms` worth of workload. */
export function demoWorkload({ start, seed = 42, extraLabels = {}, sessionIds = SESSIONS }) {
  const clock = new ManualClock(start);
  const registry = new Registry({ clock });
  const tracker = new LatencyTracker({ registry, clock });
  const genai = new GenAiMetrics({
    registry,
    clock,
    prices: MODELS.map(([provider, model, input, output]) => ({
      provider,
      model,
      effectiveFrom: '2020-01-01',
      input,
      output,
    })),
  });
  const up = registry.gauge({
    name: 'vigil_provider_up',
    help: 'Provider up (1) or down (0).',
    labelNames: ['provider'],
  });
  const responseTime = registry.gauge({
    name: 'vigil_provider_response_time_seconds',
    help: 'Last check duration.',
    labelNames: ['provider'],
  });
  const extra = Object.entries(extraLabels);
  const tagged = registry.gauge({
    name: 'demo_build_info',
    help: 'Build information, with labels that must render as text.',
    labelNames: extra.map(([k]) => k),
  });
  if (extra.length) tagged.set(Object.fromEntries(extra), 1);
  const sessions = sessionIds.map((id) => {
    const scope = registry.scope(id);
    return {
      sent: scope.counter({ name: 'stream_packets_sent_total', help: 'Packets sent.' }),
      dropped: scope.counter({ name: 'stream_dropped_packets_total', help: 'Packets not delivered.' }),
      latency: scope.histogram({
        name: 'stream_tick_to_send_seconds',
        help: 'Tick to send.',
        buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
      }),
      timing: scope.histogram({
        name: 'stream_timing_error_seconds',
        help: 'Timing error.',
        buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025],
      }),
      paused: scope.gauge({ name: 'stream_session_paused', help: '1 while the session is paused.' }),
      memory: scope.gauge({ name: 'stream_session_memory_bytes', help: 'Memory held by the session.' }),
      clients: scope.gauge({ name: 'stream_websocket_clients', help: 'WebSocket clients connected.' }),
    };
  });
  const rand = random(seed);

  function step(ms) {
    clock.advance(ms);
    const t = clock.now();
    // A daily wave of traffic, so a day of history has a shape.
    const load = 1 + 0.6 * Math.sin((t / 86_400_000) * 2 * Math.PI);
    const calls = Math.max(1, Math.round((ms / 1000) * 2 * load));
    for (let i = 0; i < calls; i++) {
      for (const [type, providers] of Object.entries(PROVIDERS)) {
        const provider = providers[Math.floor(rand() * providers.length)];
        const base = type === 'rag_inference' ? 900 : type === 'crm_api' ? 120 : 300;
        const latencyMs = base * (0.5 + rand() * rand() * 3);
        const failed = rand() < 0.03;
        tracker.record({
          type,
          name: `${type}-call`,
          provider,
          latencyMs,
          ...(failed && { status: 'error' }),
        });
      }
      const [provider, model] = MODELS[Math.floor(rand() * MODELS.length)];
      genai.record({
        provider,
        model,
        durationMs: 400 + rand() * 1500,
        inputTokens: Math.round(200 + rand() * 1500),
        outputTokens: Math.round(50 + rand() * 600),
      });
    }
    // One provider is down for a while each day, so the uptime bars show an outage.
    const hour = new Date(t).getUTCHours();
    HEALTH.forEach((provider, i) => {
      const down = provider === 'google' && hour === 3;
      up.set({ provider }, down ? 0 : 1);
      responseTime.set({ provider }, 0.05 + i * 0.03 + rand() * 0.05);
    });
    for (const [i, s] of sessions.entries()) {
      // The second session pauses for a quarter of each hour.
      s.paused.set(i === 1 && new Date(t).getUTCMinutes() < 15 ? 1 : 0);
      s.memory.set(8e6 + i * 2e6 + rand() * 1e6);
      s.clients.set(1 + (i % 3));
      const packets = Math.round((ms / 1000) * 40);
      s.sent.inc(packets);
      s.dropped.inc(Math.round(packets * rand() * 0.01));
      for (let i = 0; i < 20; i++) {
        s.latency.observe(0.001 + rand() * rand() * 0.02);
        s.timing.observe(rand() * rand() * 0.004);
      }
    }
  }

  return { clock, registry, step };
}

/**
 * Each sample line of a Prometheus text exposition with `ms` appended as its timestamp. HELP and
 * TYPE lines are left out, so many steps can go in one request (a family has one TYPE per body);
 * the store keeps samples by name and labels, which are unchanged.
 */
export function stamp(text, ms) {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => `${line} ${ms}\n`)
    .join('');
}

/** POSTs Prometheus text to the server's import endpoint; throws on an HTTP error. */
export async function importText(url, text, token) {
  const res = await fetch(`${url}/api/v1/import/prometheus`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...(token && { authorization: `Bearer ${token}` }) },
    body: text,
  });
  if (!res.ok) throw new Error(`import: HTTP ${res.status}: ${await res.text()}`);
}

/**
 * Writes history from `end - durationMs` to `end` at `stepMs` resolution and returns the workload,
 * positioned at `end`, to keep it going live.
 */
export async function writeHistory(url, { end, durationMs, stepMs, token, extraLabels, sessionIds }) {
  const workload = demoWorkload({ start: end - durationMs, extraLabels, sessionIds });
  let batch = [];
  for (let t = end - durationMs + stepMs; t <= end; t += stepMs) {
    workload.step(stepMs);
    batch.push(stamp(toPrometheusText(workload.registry.snapshotSync()), t));
    if (batch.length >= 40) {
      await importText(url, batch.join(''), token);
      batch = [];
    }
  }
  if (batch.length) await importText(url, batch.join(''), token);
  return workload;
}

/** Keeps the workload going at wall-clock time, one import per `intervalMs`; returns stop(). */
export function writeLive(url, workload, { intervalMs = 1000, token } = {}) {
  let last = workload.clock.now();
  const timer = setInterval(() => {
    const now = Date.now();
    workload.step(now - last);
    last = now;
    importText(url, stamp(toPrometheusText(workload.registry.snapshotSync()), now), token).catch(() => {});
  }, intervalMs);
  return () => clearInterval(timer);
}
