import type { Clock, Gauge, Registry, Scope, ScopedGauge } from '@vigil/metrics';
import { ConnectionMetrics, TickMonitor } from '@vigil/metrics/streaming';
import type { ActiveIncident, Incidents } from './incidents.js';
import type { SeededRandom } from './seeded-random.js';
import { sessionName } from './session-name.js';
import { SteppedClock } from './stepped-clock.js';

const PERIOD_MS = 25; // 40 Hz, the streaming seed's rate
const MB = 1024 * 1024;

interface Session {
  readonly name: string;
  readonly scope: Scope;
  readonly time: SteppedClock;
  readonly ticks: TickMonitor;
  readonly connections: ConnectionMetrics;
  readonly memory: ScopedGauge;
  readonly pausedGauge: ScopedGauge;
  readonly baseMemory: number;
  readonly endsAt: number;
  nextSlot: number;
  pausedUntil: number;
  leak: number;
  /** The next tick starts the loop's schedule (first tick, or first after a pause). */
  fresh: boolean;
}

/**
 * The streaming-server seed (PhantomLink): sessions named like `swift-neural-42`, each a 40 Hz loop
 * in its own scope, that start, pause, drop packets and end. Each tick's distance from its slot and
 * its tick-to-send time go through the library's TickMonitor, clients through ConnectionMetrics.
 */
export class StreamingServer {
  readonly #registry: Registry;
  readonly #clock: Clock;
  readonly #random: SeededRandom;
  readonly #sessions: Session[] = [];
  readonly #victims = new Map<string, [name: string, incident: string]>();
  readonly #states: Gauge;
  readonly #started: ReturnType<Registry['counter']>;
  readonly #ended: ReturnType<Registry['counter']>;

  constructor(registry: Registry, clock: Clock, random: SeededRandom) {
    this.#registry = registry;
    this.#clock = clock;
    this.#random = random;
    this.#states = registry.gauge({
      name: 'stream_sessions',
      help: 'Streaming sessions open, by state.',
      labelNames: ['state'],
    });
    this.#started = registry.counter({ name: 'stream_sessions_started_total', help: 'Sessions started.' });
    this.#ended = registry.counter({ name: 'stream_sessions_ended_total', help: 'Sessions ended.' });
    const now = clock.now();
    for (let i = 0; i < 3; i++) this.#open(now);
  }

  get sessions(): readonly string[] {
    return this.#sessions.map((s) => s.name);
  }

  step(from: number, to: number, incidents: Incidents): void {
    const random = this.#random;
    const seconds = (to - from) / 1000;
    if (random.chance(seconds / 75) && this.#sessions.length < 6) this.#open(from);
    while (this.#sessions.length < 2) this.#open(from);
    const stall = this.#victim(incidents.get(to, 'stream_stall'));
    const lossy = this.#victim(incidents.get(to, 'packet_loss'));
    const leaky = this.#victim(incidents.get(to, 'memory_leak'));
    for (const session of [...this.#sessions]) {
      if (to >= session.endsAt) {
        this.#close(session);
        continue;
      }
      this.#pauseOrResume(session, from, to);
      if (to > session.pausedUntil) this.#run(session, to, session === stall, session === lossy);
      else session.nextSlot = to;
      this.#clients(session, seconds);
      session.leak = session === leaky ? session.leak + 0.5 * MB * seconds : 0;
      // The scope's estimate walks its series: every 5 s is enough for a gauge scraped that often.
      if (Math.floor(from / 5000) !== Math.floor(to / 5000) || session.leak > 0)
        session.memory.set(session.baseMemory + session.scope.memoryBytes() + session.leak);
    }
    let paused = 0;
    for (const s of this.#sessions) if (to <= s.pausedUntil) paused++;
    this.#states.set({ state: 'running' }, this.#sessions.length - paused);
    this.#states.set({ state: 'paused' }, paused);
  }

  /** The session an incident hits: the same one for the whole incident, while it lasts. */
  #victim(incident: ActiveIncident | undefined): Session | undefined {
    if (!incident || this.#sessions.length === 0) return undefined;
    const key = `${incident.kind}:${incident.occurrence}`;
    let session = this.#sessions.find((s) => s.name === this.#victims.get(incident.kind)?.[0]);
    if (!session || this.#victims.get(incident.kind)?.[1] !== key) {
      // The session with the most time left, so that the incident runs its course in one session.
      session = this.#sessions.reduce((a, b) => (b.endsAt > a.endsAt ? b : a));
      this.#victims.set(incident.kind, [session.name, key]);
    }
    return session;
  }

  #open(now: number): void {
    const random = this.#random;
    let name = sessionName(random);
    while (this.#sessions.some((s) => s.name === name)) name = sessionName(random);
    const scope = this.#registry.scope(name);
    const time = new SteppedClock(this.#clock);
    const session: Session = {
      name,
      scope,
      time,
      ticks: new TickMonitor({ metrics: scope, clock: time }),
      connections: new ConnectionMetrics({ metrics: scope }),
      memory: scope.gauge({
        name: 'stream_session_memory_bytes',
        help: 'Memory held by a session: playback engine, buffers and its metrics.',
        unit: 'bytes',
      }),
      pausedGauge: scope.gauge({
        name: 'stream_session_paused',
        help: 'Whether a session is paused (1) or streaming (0).',
      }),
      baseMemory: random.int(6, 14) * MB,
      endsAt: now + Math.max(3 * 60_000, random.logNormal(10 * 60_000, 0.5)),
      nextSlot: now,
      pausedUntil: 0,
      leak: 0,
      fresh: true,
    };
    session.pausedGauge.set(0);
    // From its first scrape, not its first step: a session listed without its memory reads as blank.
    session.memory.set(session.baseMemory + session.scope.memoryBytes());
    session.connections.connected();
    this.#sessions.push(session);
    this.#started.inc();
  }

  #close(session: Session): void {
    session.scope.close();
    this.#sessions.splice(this.#sessions.indexOf(session), 1);
    this.#ended.inc();
  }

  #pauseOrResume(session: Session, from: number, to: number): void {
    const random = this.#random;
    if (from <= session.pausedUntil && to > session.pausedUntil && session.pausedUntil > 0) {
      session.ticks.resync();
      session.fresh = true;
      session.scope.setPaused(false);
      session.pausedGauge.set(0);
    } else if (to > session.pausedUntil && random.chance((to - from) / 240_000)) {
      session.pausedUntil = to + random.int(15, 60) * 1000;
      session.scope.setPaused(true);
      session.pausedGauge.set(1);
    }
  }

  /** The ticks whose slots fall before `to`: jitter, send time and drops, worse in an incident. */
  #run(session: Session, to: number, stalled: boolean, lossy: boolean): void {
    const random = this.#random;
    const { ticks, time, connections } = session;
    const dropP = lossy ? 0.03 : 0.0004;
    const clients = connections.clients;
    for (; session.nextSlot < to; session.nextSlot += PERIOD_MS) {
      // A loop's schedule starts at its first tick: that one is on time by definition, so the
      // simulated slots and the monitor's schedule stay the same.
      const jitter = session.fresh
        ? 0
        : stalled && random.chance(0.6)
          ? random.logNormal(7, 0.6)
          : random.normal() * 0.35;
      session.fresh = false;
      time.t = session.nextSlot + jitter;
      const tickTime = ticks.tick();
      time.t += stalled ? random.logNormal(12, 0.5) : random.logNormal(0.6, 0.5);
      if (random.chance(dropP)) {
        ticks.dropped();
        continue;
      }
      ticks.sent(tickTime);
      if (clients > 0) connections.broadcast(random.int(180, 900), !random.chance(0.0005));
    }
  }

  #clients(session: Session, seconds: number): void {
    const random = this.#random;
    if (random.chance(seconds / 120) && session.connections.clients < 3) session.connections.connected();
    if (random.chance(seconds / 300) && session.connections.clients > 1) session.connections.disconnected();
  }
}
