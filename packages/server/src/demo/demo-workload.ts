import { type Clock, Registry } from '@vigil/metrics';
import { collectRuntimeMetrics, type HealthMonitor, type RuntimeMetrics } from '@vigil/metrics/health';
import { AnalysisBackend } from './analysis-backend.js';
import { Callbot } from './callbot.js';
import { EventServer } from './event-server.js';
import { Incidents } from './incidents.js';
import { LlmOrchestrator } from './llm-orchestrator.js';
import { providerHealth } from './provider-health.js';
import { SeededRandom } from './seeded-random.js';
import { StreamingServer } from './streaming-server.js';

export interface DemoWorkloadOptions {
  /** Drives every simulated component; a ManualClock in tests and backfills. */
  readonly clock: Clock;
  /** Same seed, same workload. Default 42. */
  readonly seed?: number;
  /** Also register the process and machine metrics (they read the real process). Default true. */
  readonly runtime?: boolean;
  /** Where the callbot's LATENCY_* thresholds are read. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The simulation advances in steps this long (each step still simulates every tick of a 40 Hz loop).
 * Scrapes are 5 s apart or more, so finer steps would only cost: per-step work was a third of a
 * backfill's time at 250 ms.
 */
export const STEP_MS = 1000;

/** Mixed into the seed for the callbot's own random stream. */
const CALLBOT_STREAM = 0x5eed_ca11;
/** Mixed into the seed for the analysis backend's own random stream. */
const ANALYSIS_STREAM = 0x5eed_a7a1;

/**
 * The seeds' five applications in one process, instrumented with @vigil/metrics as their users
 * would: a 40 Hz streaming server with sessions, a UDP/WebSocket event server, an LLM orchestrator,
 * a voice callbot and an analysis backend, with health checks of the LLM providers and runtime
 * metrics. Everything moves on the injected clock, with seeded randomness, and incidents on a fixed
 * schedule (see incidents.ts) push it across the seeds' alert thresholds now and then.
 */
export class DemoWorkload {
  readonly registry: Registry;
  readonly health: HealthMonitor;
  readonly incidents: Incidents;
  readonly streaming: StreamingServer;
  readonly llm: LlmOrchestrator;
  readonly callbot: Callbot;
  readonly #clock: Clock;
  readonly #steps: Array<(from: number, to: number, incidents: Incidents) => void>;
  readonly #runtime: RuntimeMetrics | undefined;
  #last: number;
  #stop: (() => void) | undefined;

  constructor(options: DemoWorkloadOptions) {
    const clock = options.clock;
    this.#clock = clock;
    const seed = options.seed ?? 42;
    const random = new SeededRandom(seed);
    this.registry = new Registry({ clock });
    this.#last = clock.now();
    this.incidents = new Incidents(this.#last);
    this.streaming = new StreamingServer(this.registry, clock, random);
    const events = new EventServer(this.registry, random);
    this.llm = new LlmOrchestrator(this.registry, random);
    // Its own stream: the callbot draws the most (ten turns a second), and the other services' draws
    // stay the same whatever its traffic.
    this.callbot = new Callbot(
      this.registry,
      new SeededRandom(seed ^ CALLBOT_STREAM),
      options.env ?? process.env,
    );
    // Its own stream too: how many requests it serves does not move the other services' draws.
    const analysis = new AnalysisBackend(this.registry, new SeededRandom(seed ^ ANALYSIS_STREAM));
    this.health = providerHealth(this.registry, clock, this.incidents, random);
    this.#steps = [
      (f, t, i) => this.streaming.step(f, t, i),
      (f, t, i) => events.step(f, t, i),
      (f, t, i) => this.llm.step(f, t, i),
      (f, t, i) => this.callbot.step(f, t, i),
      (f, t, i) => analysis.step(f, t, i),
    ];
    this.#runtime = options.runtime === false ? undefined : collectRuntimeMetrics(this.registry);
  }

  /** Starts the simulation and the health checks on the clock. */
  start(): void {
    if (this.#stop) return;
    this.#last = this.#clock.now();
    const stopSteps = this.#clock.every(STEP_MS, () => this.advance());
    this.health.start();
    this.#stop = () => {
      stopSteps();
      this.health.stop();
    };
  }

  /** Simulates everything from the last step up to the clock's now. */
  advance(): void {
    const now = this.#clock.now();
    if (now <= this.#last) return;
    for (const step of this.#steps) step(this.#last, now, this.incidents);
    this.#last = now;
  }

  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
    this.#runtime?.stop();
  }
}
