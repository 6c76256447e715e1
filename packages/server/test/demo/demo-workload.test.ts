import { ManualClock, type ParsedSample, parsePrometheusText, toPrometheusText } from '@vigil/metrics';
import { describe, expect, it } from 'vitest';
import { DemoWorkload } from '../../src/demo/demo-workload.js';
import { INCIDENT_SCHEDULE } from '../../src/demo/incidents.js';

const START = Date.parse('2026-12-01T00:00:00Z');
const MINUTE = 60_000;

function workload(seed = 42) {
  const clock = new ManualClock(START);
  const w = new DemoWorkload({ clock, seed, runtime: false, env: {} });
  w.start();
  return { clock, w };
}

async function samples(w: DemoWorkload): Promise<ParsedSample[]> {
  const text = toPrometheusText(await w.registry.snapshot());
  const parsed = parsePrometheusText(text, { strict: false });
  expect(parsed.errors).toEqual([]);
  return parsed.families.flatMap((f) => f.samples);
}

function values(all: ParsedSample[], name: string, labels: Record<string, string> = {}): number[] {
  return all
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .map((s) => s.value);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Mean of a histogram's observations over the series matching `labels`. */
function mean(all: ParsedSample[], name: string, labels: Record<string, string> = {}): number {
  return sum(values(all, `${name}_sum`, labels)) / sum(values(all, `${name}_count`, labels));
}

describe('the demo workload', { timeout: 30_000 }, () => {
  it('exposes the metric names of the seeds and of the library helpers, with their labels', async () => {
    const { clock, w } = workload();
    clock.advance(MINUTE);
    const all = await samples(w);
    const names = new Set(all.map((s) => s.name));
    for (const name of [
      'stream_ticks_total',
      'stream_packets_sent_total',
      'stream_dropped_packets_total',
      'stream_timing_error_seconds_bucket',
      'stream_tick_to_send_seconds_count',
      'stream_websocket_clients',
      'stream_session_memory_bytes',
      'stream_sessions',
      'events_packets_received_total',
      'events_dropped_packets_total',
      'events_broadcasts_total',
      'gen_ai_client_operation_duration_seconds_bucket',
      'vigil_llm_tokens_total',
      'vigil_llm_cost_usd_total',
      'latency_operation_duration_seconds_bucket',
      'latency_operations_total',
      'memory_analysis_success_total',
      'memory_analysis_cache_hits_total',
      'memory_analysis_cache_misses_total',
      'memory_analysis_cache_size',
      'memory_analysis_duration_seconds_bucket',
      'vigil_provider_up',
      'vigil_provider_uptime_ratio',
    ]) {
      expect(names, name).toContain(name);
    }
    const sessions = new Set(
      values(all, 'stream_ticks_total').length
        ? all.filter((s) => s.name === 'stream_ticks_total').map((s) => s.labels.session)
        : [],
    );
    expect(sessions.size).toBeGreaterThanOrEqual(2);
    for (const session of sessions) expect(session).toMatch(/^[a-z]+-[a-z]+-\d{2}$/);
    expect(new Set(all.filter((s) => s.name === 'vigil_provider_up').map((s) => s.labels.provider))).toEqual(
      new Set(['openai', 'anthropic', 'gemini', 'mistral']),
    );
    const buckets = all
      .filter(
        (s) => s.name === 'memory_analysis_duration_seconds_bucket' && s.labels.provider === 'neo_analysis',
      )
      .map((s) => s.labels.le);
    expect(buckets).toEqual(['0.5', '1', '2', '4', '6', '10', '15', '20', '30', '+Inf']);
    w.stop();
  });

  it('streams at 40 Hz with sub-millisecond timing error when nothing is wrong', async () => {
    const { clock, w } = workload();
    clock.advance(MINUTE);
    const all = await samples(w);
    const running = values(all, 'stream_sessions', { state: 'running' })[0]!;
    const paused = values(all, 'stream_sessions', { state: 'paused' })[0]!;
    expect(running + paused).toBe(w.streaming.sessions.length);
    // Each session ticks 40 times a second while it runs; none has run longer than the minute.
    const ticks = values(all, 'stream_ticks_total');
    expect(Math.max(...ticks)).toBeLessThanOrEqual(40 * 60 + 1);
    expect(Math.max(...ticks)).toBeGreaterThan(40 * 30);
    expect(mean(all, 'stream_timing_error_seconds')).toBeLessThan(0.001);
    expect(mean(all, 'stream_tick_to_send_seconds')).toBeLessThan(0.002);
    const sent = sum(values(all, 'stream_packets_sent_total'));
    const dropped = sum(values(all, 'stream_dropped_packets_total'));
    expect(dropped / (sent + dropped)).toBeLessThan(0.005);
    const llmSeconds = mean(all, 'gen_ai_client_operation_duration_seconds', { error_type: '' });
    expect(Number.isNaN(llmSeconds) ? 1 : llmSeconds).toBeGreaterThan(0.3);
    w.stop();
  });

  it('takes a provider down for a minute every five, and its calls fail over to another', async () => {
    const { clock, w } = workload();
    const outage = INCIDENT_SCHEDULE.find((s) => s.kind === 'provider_outage')!;
    clock.advance(outage.offsetMs + 30_000);
    let all = await samples(w);
    expect(values(all, 'vigil_provider_up', { provider: 'openai' })).toEqual([0]);
    expect(values(all, 'vigil_provider_up', { provider: 'anthropic' })).toEqual([1]);
    expect(w.health.overall()).not.toBe('healthy');
    const failed = all.filter(
      (s) =>
        s.name === 'gen_ai_client_operation_duration_seconds_count' &&
        s.labels.gen_ai_provider_name === 'openai' &&
        s.labels.error_type !== undefined &&
        s.labels.error_type !== '',
    );
    expect(sum(failed.map((s) => s.value))).toBeGreaterThan(5);
    clock.advance(outage.durationMs);
    all = await samples(w);
    expect(values(all, 'vigil_provider_up', { provider: 'openai' })).toEqual([1]);
    clock.advance(outage.periodMs - outage.durationMs);
    all = await samples(w);
    expect(values(all, 'vigil_provider_up', { provider: 'anthropic' })).toEqual([0]);
    w.stop();
  });

  it("reports each provider's health-check response time as its simulated latency, not the check function's 0-1 ms", async () => {
    const { clock, w } = workload();
    const seen: number[] = [];
    for (let i = 0; i < 30; i++) {
      clock.advance(10_000);
      for (const provider of ['openai', 'anthropic', 'gemini', 'mistral'])
        seen.push(...values(await samples(w), 'vigil_provider_response_time_seconds', { provider }));
    }
    seen.sort((a, b) => a - b);
    const median = seen[Math.floor(seen.length / 2)]!;
    // logNormal(180 ms, 0.4): a median near 180 ms, spread over tens of milliseconds.
    expect(median).toBeGreaterThan(0.12);
    expect(median).toBeLessThan(0.27);
    expect(seen[seen.length - 1]! - seen[0]!).toBeGreaterThan(0.05);
    expect(seen.filter((s) => s < 0.002)).toEqual([]);
    w.stop();
  });

  it("crosses the seeds' thresholds during its incidents, and comes back under them", async () => {
    const { clock, w } = workload();
    const at = (kind: string) => INCIDENT_SCHEDULE.find((s) => s.kind === kind)!;
    // Timing error > 5 ms (streaming seed) in the stalled session.
    clock.advance(at('stream_stall').offsetMs);
    const before = await samples(w);
    clock.advance(60_000);
    const during = await samples(w);
    const worst = Math.max(
      ...w.streaming.sessions.map((session) => {
        const d = (name: string, all: ParsedSample[]) => sum(values(all, name, { session }));
        const n =
          d('stream_timing_error_seconds_count', during) - d('stream_timing_error_seconds_count', before);
        return (
          (d('stream_timing_error_seconds_sum', during) - d('stream_timing_error_seconds_sum', before)) / n
        );
      }),
    );
    expect(worst).toBeGreaterThan(0.005);
    // Memory per session > 50 MB.
    clock.advance(at('memory_leak').offsetMs + 150_000 - clock.now() + START);
    const all = await samples(w);
    expect(Math.max(...values(all, 'stream_session_memory_bytes'))).toBeGreaterThan(50 * 1024 * 1024);
    // STT past its critical threshold (5,000 ms), counted as threshold events.
    expect(
      sum(values(all, 'latency_threshold_events_total', { operation: 'speech_to_text', level: 'critical' })),
    ).toBeGreaterThan(0);
    // The cache is emptied every second for the first 2.25 minutes of cache_cold: from about 48 %
    // (the seed's objective, 40-50 %) its hit rate falls to about 0, its 2-minute rate (the
    // LowCacheHitRate) under 20 %; then it fills again and hits as before, within the incident.
    const hitRate = (a: ParsedSample[], b: ParsedSample[]) => {
      const d = (name: string) => sum(values(b, name)) - sum(values(a, name));
      return (
        d('memory_analysis_cache_hits_total') /
        (d('memory_analysis_cache_hits_total') + d('memory_analysis_cache_misses_total'))
      );
    };
    const cold = at('cache_cold');
    // Its second occurrence, 27 min in: the first one starts while the leak above is checked.
    clock.advance(cold.offsetMs + cold.periodMs - 3 * MINUTE - clock.now() + START);
    const warmStart = await samples(w);
    clock.advance(3 * MINUTE);
    const coldStart = await samples(w);
    clock.advance(30_000);
    const halfMinute = await samples(w);
    clock.advance(90_000);
    const twoMinutes = await samples(w);
    clock.advance(MINUTE);
    const lastMinute = await samples(w);
    clock.advance(cold.durationMs - 3 * MINUTE);
    const end = await samples(w);
    const size = (all: ParsedSample[]) => values(all, 'memory_analysis_cache_size')[0]!;
    // Warm, under the seed's cache limit of 100 entries (its "Cache Size" alert is at 100).
    expect(size(warmStart)).toBeGreaterThan(30);
    expect(size(warmStart)).toBeLessThan(100);
    const warm = hitRate(warmStart, coldStart);
    expect(warm).toBeGreaterThan(0.38);
    expect(warm).toBeLessThan(0.58);
    expect(size(halfMinute)).toBeLessThan(5);
    expect(size(twoMinutes)).toBeLessThan(5);
    expect(hitRate(coldStart, twoMinutes)).toBeLessThan(0.05);
    expect(hitRate(lastMinute, end)).toBeGreaterThan(0.3);
    expect(size(end)).toBeGreaterThan(30);
    // Once the incidents are over, memory is back under the threshold.
    expect(w.incidents.active(clock.now()).map((i) => i.kind)).not.toContain('memory_leak');
    expect(Math.max(...values(await samples(w), 'stream_session_memory_bytes'))).toBeLessThan(
      50 * 1024 * 1024,
    );
    w.stop();
  });

  it('is the same workload for the same seed, and another for another seed', async () => {
    const texts: string[] = [];
    for (const seed of [7, 7, 8]) {
      const { clock, w } = workload(seed);
      clock.advance(2 * MINUTE);
      texts.push(toPrometheusText(await w.registry.snapshot()));
      w.stop();
    }
    expect(texts[0]).toBe(texts[1]);
    expect(texts[0]).not.toBe(texts[2]);
  });
});
