import type { Counter, Registry } from '@vigil/metrics';
import { type LatencyStatus, LatencyTracker, latencyConfigFromEnv } from '@vigil/metrics/latency';
import type { Incidents } from './incidents.js';
import type { SeededRandom } from './seeded-random.js';

interface Operation {
  readonly type: string;
  readonly name: string;
  readonly providers: readonly string[];
  readonly medianMs: number;
  readonly sigma: number;
}

const STT: Operation = {
  type: 'speech_to_text',
  name: 'transcribe_audio_async',
  providers: ['google', 'google', 'openai'],
  medianMs: 450,
  sigma: 0.4,
};
const RAG: Operation = {
  type: 'rag_inference',
  name: 'answer_question',
  providers: ['openai'],
  medianMs: 1000,
  sigma: 0.35,
};
const TTS: Operation = {
  type: 'text_to_speech',
  name: 'synthesize_speech',
  providers: ['google', 'openai'],
  medianMs: 400,
  sigma: 0.35,
};
const CRM: Operation = {
  type: 'crm_api',
  name: 'find_lead',
  providers: ['salesforce'],
  medianMs: 250,
  sigma: 0.5,
};

/**
 * Turns a second, over all calls (a call is about seven turns). Enough that a percentile over a few
 * minutes stands on many calls: at one turn a second, the first 150 s held about 100 STT calls to
 * Google, whose neighbouring values near p90 are 2–4% apart, so the server's p90 (from the native
 * histogram) and the library's own could differ by that much for no other reason (the
 * N-native-percentiles check); at ten, about 1,000, a few tenths of a percent apart.
 */
const TURNS_PER_SECOND = 10;

/**
 * The voice-callbot seed: each turn of a call transcribes (STT), answers (RAG), speaks (TTS) and
 * now and then looks the caller up in the CRM. The LatencyTracker, with the seed's thresholds
 * (LATENCY_*_WARNING_MS / _CRITICAL_MS), records each operation and raises threshold events, which
 * are counted so that the history shows them. Latencies are set so that hardly any call lands
 * past the bucket bound under a warning threshold (5 % would put histogram_quantile's p95 there):
 * quiet in normal times; STT seven times slower in its incident crosses both of its thresholds.
 */
export class Callbot {
  readonly tracker: LatencyTracker;
  readonly #random: SeededRandom;
  readonly #thresholdEvents: Counter;
  #calls = 0;

  constructor(registry: Registry, random: SeededRandom, env: NodeJS.ProcessEnv) {
    this.#random = random;
    // The seed's LATENCY_*_WARNING_MS / _CRITICAL_MS; a bad value stops the demo, naming the variable.
    const { thresholds } = latencyConfigFromEnv(env);
    this.tracker = new LatencyTracker({ thresholds, registry, clock: registry.clock });
    this.#thresholdEvents = registry.counter({
      name: 'latency_threshold_events_total',
      help: 'Operations that crossed their warning or critical latency threshold.',
      labelNames: ['operation', 'provider', 'level'],
    });
    this.tracker.on('threshold', (event) => {
      this.#thresholdEvents.inc({
        operation: event.record.type,
        provider: event.record.provider,
        level: event.level,
      });
    });
  }

  step(from: number, to: number, incidents: Incidents): void {
    const random = this.#random;
    const slowStt = incidents.get(to, 'slow_stt') !== undefined;
    const turns = random.poisson((TURNS_PER_SECOND * (to - from)) / 1000);
    for (let i = 0; i < turns; i++) {
      if (random.chance(0.15)) this.#calls++;
      const correlation = { call_sid: `CA${String(this.#calls).padStart(8, '0')}` };
      this.#operation(STT, correlation, slowStt ? 7 : 1);
      this.#operation(RAG, correlation, 1);
      this.#operation(TTS, correlation, 1);
      if (random.chance(0.3)) this.#operation(CRM, correlation, 1);
    }
  }

  #operation(op: Operation, correlation: Record<string, string>, slowdown: number): void {
    const random = this.#random;
    const r = random.next();
    const status: LatencyStatus = r < 0.008 ? 'error' : r < 0.012 ? 'timeout' : 'success';
    this.tracker.record({
      type: op.type,
      name: op.name,
      provider: random.pick(op.providers),
      latencyMs: random.logNormal(op.medianMs * slowdown, op.sigma),
      status,
      correlation,
      ...(status === 'error' && { error: new Error(`${op.type} failed: upstream returned 503`) }),
    });
  }
}
