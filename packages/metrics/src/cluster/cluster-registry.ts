import type { Cluster } from 'node:cluster';
import { type Clock, systemClock } from '../base/clock.js';
import { invalidOption } from '../base/errors.js';
import { CounterPointOf, GaugePointOf } from '../core/points.js';
import type { MetricSnapshot, RegistrySnapshot, ScopeSnapshot, SnapshotOptions } from '../core/snapshot.js';
import { GAUGE_AGGREGATIONS, type GaugeAggregation } from './gauge-aggregation.js';
import { type ClusterTarget, linkTo } from './link.js';
import { type ClusterWorkerState, Member } from './member.js';
import { MergedFamily } from './merged-family.js';
import { isClusterMessage, type WireMetric } from './messages.js';

export interface ClusterRegistryOptions {
  /** `node:cluster`: every worker it has forked, and every one it forks later, is collected from. */
  readonly cluster?: Cluster;
  /**
   * How long `snapshot()` waits for the workers' answers. A worker that has not answered by then is
   * reported `late` and its last answer is merged instead: the scrape never fails. Default 1,000 ms.
   */
  readonly deadlineMs?: number;
  /** Per gauge name, how its workers' series merge (see `GaugeAggregation`). Default `sum`. */
  readonly gaugeAggregation?: Readonly<Record<string, GaugeAggregation>>;
  /** How long a gone worker stays listed (`workers()`, `vigil_cluster_workers{state="gone"}`). Default 300 s. */
  readonly goneTtlSeconds?: number;
  readonly clock?: Clock;
}

/** One worker as `workers()` lists it. */
export interface ClusterWorkerStatus {
  /** `3` for cluster worker 3, `thread-2`, `pid-4242` for a forked ChildProcess, `port-1`. */
  readonly id: string;
  readonly state: ClusterWorkerState;
  readonly pid?: number;
  readonly threadId?: number;
  /** Unix ms of the last answer merged. */
  readonly answeredAt?: number;
  /** Why the worker's last answer was an error (a `collect` callback threw). */
  readonly error?: string;
}

const WORKERS = 'vigil_cluster_workers';
const CONFLICTS = 'vigil_cluster_conflicts_total';
const STATES = ['ok', 'late', 'gone'] as const;

/**
 * The primary's view of its workers' registries, merged into one `RegistrySnapshot` that every
 * serialiser takes: counters and histograms (buckets and sketches, so percentiles are exact) are
 * summed, gauges merged by `gaugeAggregation`. A scrape asks every worker at once and waits at most
 * `deadlineMs`; a worker that exits meanwhile ends its wait at once. Slow and gone workers are
 * reported in `vigil_cluster_workers{state="ok|late|gone"}`, never as a failed scrape.
 *
 * A merged counter never goes down: what a gone or restarted worker had counted is kept and added
 * to every later snapshot, so the replacement's count, from zero, adds to it.
 */
export class ClusterRegistry {
  readonly clock: Clock;
  readonly startTime: number;
  readonly #deadlineMs: number;
  readonly #rules: ReadonlyMap<string, GaugeAggregation>;
  readonly #goneTtlMs: number;
  readonly #members = new Map<ClusterTarget, Member>();
  readonly #families = new Map<string, MergedFamily>();
  readonly #stopCluster: (() => void) | undefined;
  #scrapes = 0;

  constructor(options: ClusterRegistryOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidOption('options', options, 'an object');
    this.clock = options.clock ?? systemClock;
    this.startTime = this.clock.now();
    this.#deadlineMs = options.deadlineMs ?? 1000;
    if (!(this.#deadlineMs > 0) || !Number.isFinite(this.#deadlineMs)) {
      throw invalidOption('deadlineMs', options.deadlineMs, 'a number of milliseconds > 0');
    }
    const ttl = options.goneTtlSeconds ?? 300;
    if (!(ttl >= 0) || !Number.isFinite(ttl)) {
      throw invalidOption('goneTtlSeconds', options.goneTtlSeconds, 'a number of seconds >= 0');
    }
    this.#goneTtlMs = ttl * 1000;
    const rules = options.gaugeAggregation ?? {};
    if (typeof rules !== 'object' || rules === null) {
      throw invalidOption(
        'gaugeAggregation',
        rules,
        '{ [gauge name]: "sum" | "min" | "max" | "last" | "worker" }',
      );
    }
    for (const [name, rule] of Object.entries(rules)) {
      if (!GAUGE_AGGREGATIONS.includes(rule)) {
        throw invalidOption(
          `gaugeAggregation.${name}`,
          rule,
          GAUGE_AGGREGATIONS.map((r) => `"${r}"`).join(', '),
        );
      }
    }
    this.#rules = new Map(Object.entries(rules));
    const cluster = options.cluster;
    if (cluster !== undefined) {
      if (typeof cluster?.on !== 'function' || !cluster.isPrimary) {
        throw invalidOption('cluster', cluster, 'the node:cluster module, in the primary process');
      }
      for (const worker of Object.values(cluster.workers ?? {})) if (worker) this.add(worker);
      const fork = (worker: ClusterTarget) => this.add(worker);
      cluster.on('fork', fork);
      this.#stopCluster = () => cluster.off('fork', fork);
    }
  }

  /**
   * Collects from one more worker: a cluster Worker, a forked ChildProcess, a worker_threads Worker
   * or a MessagePort, whose side runs a `ClusterWorker`. It joins scrapes once that says hello.
   */
  add(target: ClusterTarget): void {
    if (this.#members.has(target)) return;
    let member: Member | undefined;
    const link = linkTo(
      target,
      (message) => member && this.#receive(member, message),
      () => member?.gone(this.clock.now()),
    );
    if (!link) {
      throw invalidOption(
        'target',
        target,
        'a cluster Worker, ChildProcess, worker_threads Worker or MessagePort',
      );
    }
    member = new Member(link);
    this.#members.set(target, member);
    link.send({ vigil: 'probe' });
  }

  #receive(member: Member, message: unknown): void {
    if (!isClusterMessage(message)) return;
    if (message.vigil === 'hello') member.hello(message);
    else if (message.vigil === 'snapshot')
      member.apply(message, this.clock.now(), (wire) => this.#familyOf(wire));
  }

  #familyOf(wire: WireMetric): MergedFamily | undefined {
    let family = this.#families.get(wire.name);
    if (!family) {
      family = new MergedFamily(wire, this.#rules.get(wire.name) ?? 'sum');
      this.#families.set(wire.name, family);
      return family;
    }
    return family.accepts(wire) ? family : undefined;
  }

  /** Asks every worker for its snapshot, waits for the answers until the deadline, and merges. */
  async snapshot(options?: SnapshotOptions): Promise<RegistrySnapshot> {
    const id = ++this.#scrapes;
    const asked = [...this.#members.values()].filter((m) => m.state === 'ok' || m.state === 'late');
    await new Promise<void>((resolve) => {
      let waiting = asked.length;
      let stop: (() => void) | undefined;
      const finish = () => {
        stop?.();
        resolve();
      };
      if (waiting === 0) return finish();
      stop = this.clock.every(this.#deadlineMs, finish);
      for (const member of asked) {
        member.scrape(id, () => {
          if (--waiting === 0) finish();
        });
      }
    });
    for (const member of asked)
      if (member.state !== 'gone') member.state = member.answered >= id ? 'ok' : 'late';
    return this.#merge(options);
  }

  #merge(options: SnapshotOptions | undefined): RegistrySnapshot {
    const now = this.clock.now();
    for (const [target, member] of this.#members) {
      if (member.state === 'gone' && now - member.goneAt >= this.#goneTtlMs) this.#members.delete(target);
    }
    const live = [...this.#members.values()].filter((m) => m.state === 'ok' || m.state === 'late');
    const metrics: MetricSnapshot[] = [];
    for (const [name, family] of this.#families) {
      const sets = [];
      for (const member of live) {
        const set = member.sets.get(name);
        if (set) sets.push(set);
      }
      if (sets.length === 0 && family.idle) this.#families.delete(name);
      else metrics.push(family.snapshot(sets, options));
    }
    metrics.push(this.#workersGauge());
    const conflicts = [...this.#families.values()].filter((f) => f.conflicts > 0);
    if (conflicts.length > 0) {
      metrics.push({
        name: CONFLICTS,
        help: "Workers' answers whose series of a metric were left out: another type or other buckets than the first worker's.",
        unit: '',
        type: 'counter',
        points: conflicts.map((f) => new CounterPointOf(`metric="${f.name}"`, null, f.conflicts)),
      });
    }
    return {
      timestamp: now,
      startTime: this.startTime,
      metrics,
      scopeLabel: live.find((m) => m.scopeLabel !== '')?.scopeLabel ?? 'session',
      scopes: mergeScopes(live),
    };
  }

  #workersGauge(): MetricSnapshot {
    const counts = { ok: 0, late: 0, gone: 0 };
    for (const member of this.#members.values()) if (member.state !== 'starting') counts[member.state]++;
    return {
      name: WORKERS,
      help: 'Workers by the state of their last scrape: ok (answered in time), late (last answer used), gone (exited).',
      unit: '',
      type: 'gauge',
      points: STATES.map(
        (s) => new GaugePointOf(`state="${s}"`, null, counts[s], counts[s], counts[s], counts[s]),
      ),
    };
  }

  /** Every worker added and not yet forgotten, in the order they joined. */
  workers(): ClusterWorkerStatus[] {
    return [...this.#members.values()].map((m) => ({
      id: m.link.id,
      state: m.state,
      ...(m.pid !== undefined && { pid: m.pid }),
      ...(m.threadId !== undefined && { threadId: m.threadId }),
      ...(m.answeredAt !== undefined && { answeredAt: m.answeredAt }),
      ...(m.error !== undefined && { error: m.error }),
    }));
  }

  /** Stops listening to the workers and to the cluster; the workers themselves keep running. */
  close(): void {
    this.#stopCluster?.();
    for (const member of this.#members.values()) member.link.close();
    this.#members.clear();
  }
}

/** A scope open in several workers: connections and memory add up, running or paused if any is. */
function mergeScopes(members: readonly Member[]): ScopeSnapshot[] {
  const byId = new Map<string, ScopeSnapshot>();
  for (const member of members) {
    for (const scope of member.scopes) {
      const seen = byId.get(scope.id);
      byId.set(
        scope.id,
        seen
          ? {
              id: scope.id,
              running: seen.running || scope.running,
              paused: seen.paused || scope.paused,
              connections: seen.connections + scope.connections,
              createdAt: Math.min(seen.createdAt, scope.createdAt),
              memoryBytes: seen.memoryBytes + scope.memoryBytes,
            }
          : scope,
      );
    }
  }
  return [...byId.values()];
}
