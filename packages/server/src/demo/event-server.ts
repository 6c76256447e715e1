import type { Registry } from '@vigil/metrics';
import { ConnectionMetrics, SequenceTracker } from '@vigil/metrics/streaming';
import type { Incidents } from './incidents.js';
import type { SeededRandom } from './seeded-random.js';

const EVENT_TYPES = ['/live/track/renamed', '/live/scene/added', '/live/clip/fired', '/live/tempo/changed'];

/**
 * The event-server seed (the AST server): UDP packets with sequence numbers, some lost or
 * reordered on the way (SequenceTracker counts them), each event processed and broadcast to the
 * WebSocket clients (ConnectionMetrics). Its metrics carry the prefix `events`, because the
 * streaming sessions already own `stream_*` with a `session` label.
 */
export class EventServer {
  readonly #random: SeededRandom;
  readonly #sequence: SequenceTracker;
  readonly #connections: ConnectionMetrics;
  readonly #processing: ReadonlyArray<{ observe(value: number): void }>;
  #next = 0;

  constructor(registry: Registry, random: SeededRandom) {
    this.#random = random;
    this.#sequence = new SequenceTracker({ metrics: registry, prefix: 'events', modulus: 65_536 });
    this.#connections = new ConnectionMetrics({ metrics: registry, prefix: 'events' });
    this.#connections.setClients(3);
    const processing = registry.histogram({
      name: 'events_processing_duration_seconds',
      help: 'Time to apply a live event to the project state and compute the diff.',
      unit: 'seconds',
      labelNames: ['event_type'],
    });
    this.#processing = EVENT_TYPES.map((type) => processing.labels(type));
  }

  step(from: number, to: number, incidents: Incidents): void {
    const random = this.#random;
    const seconds = (to - from) / 1000;
    const lossP = incidents.get(to, 'packet_loss') ? 0.03 : 0.002;
    const packets = random.poisson(120 * seconds);
    let late: number | undefined;
    for (let i = 0; i < packets; i++) {
      const seq = this.#next;
      this.#next = (this.#next + 1) % 65_536;
      if (random.chance(lossP)) continue;
      // A packet overtaken by the next one arrives right after it.
      if (late === undefined && random.chance(0.002)) {
        late = seq;
        continue;
      }
      this.#sequence.receive(seq);
      if (late !== undefined) {
        this.#sequence.receive(late);
        late = undefined;
      }
      random.pick(this.#processing).observe(random.logNormal(0.005, 0.7));
      this.#connections.broadcast(random.int(120, 4000), !random.chance(0.001));
    }
    if (random.chance(seconds / 90)) {
      const clients = this.#connections.clients;
      this.#connections.setClients(Math.max(1, Math.min(8, clients + (random.chance(0.5) ? 1 : -1))));
    }
  }
}
