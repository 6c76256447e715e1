/** The kinds of trouble the demo workload gets into, each crossing one of the seeds' thresholds. */
export type IncidentKind =
  | 'provider_outage'
  | 'stream_stall'
  | 'packet_loss'
  | 'slow_stt'
  | 'memory_leak'
  | 'cache_cold'
  | 'slow_analysis';

interface Schedule {
  readonly kind: IncidentKind;
  /** First start, after the workload's origin. */
  readonly offsetMs: number;
  readonly periodMs: number;
  readonly durationMs: number;
}

const MINUTE = 60_000;

/**
 * When each incident happens: periodic, with periods prime in minutes so that they seldom overlap,
 * and the first ones within a few minutes of start so that someone watching sees alerts fire and
 * resolve. "One provider goes down every few minutes for a minute."
 */
export const INCIDENT_SCHEDULE: readonly Schedule[] = [
  { kind: 'provider_outage', offsetMs: 1.5 * MINUTE, periodMs: 5 * MINUTE, durationMs: 1 * MINUTE },
  // Every 17 min like the leak, between two leaks: a stall every 7 min (a third of the time, with the
  // minute a rate looks back over) was part of the usual for an anomaly band (docs/forecasts.md).
  { kind: 'stream_stall', offsetMs: 2.5 * MINUTE, periodMs: 17 * MINUTE, durationMs: 1.5 * MINUTE },
  { kind: 'packet_loss', offsetMs: 4 * MINUTE, periodMs: 11 * MINUTE, durationMs: 2 * MINUTE },
  { kind: 'slow_stt', offsetMs: 5 * MINUTE, periodMs: 13 * MINUTE, durationMs: 2 * MINUTE },
  { kind: 'memory_leak', offsetMs: 6 * MINUTE, periodMs: 17 * MINUTE, durationMs: 3 * MINUTE },
  { kind: 'cache_cold', offsetMs: 8 * MINUTE, periodMs: 19 * MINUTE, durationMs: 4 * MINUTE },
  { kind: 'slow_analysis', offsetMs: 9 * MINUTE, periodMs: 23 * MINUTE, durationMs: 3 * MINUTE },
];

/** An incident under way: which, and the how-manieth of its kind (to rotate the victim). */
export interface ActiveIncident {
  readonly kind: IncidentKind;
  readonly occurrence: number;
  readonly startedAt: number;
}

/** The incidents active at `now`, for a workload that started at `origin`. */
export class Incidents {
  readonly #origin: number;
  #at = Number.NaN;
  #active: readonly ActiveIncident[] = [];

  constructor(origin: number) {
    this.#origin = origin;
  }

  active(now: number): readonly ActiveIncident[] {
    // Every simulated service asks at the same step: work it out once per moment.
    if (now === this.#at) return this.#active;
    const out: ActiveIncident[] = [];
    for (const s of INCIDENT_SCHEDULE) {
      const since = now - this.#origin - s.offsetMs;
      if (since < 0) continue;
      const occurrence = Math.floor(since / s.periodMs);
      if (since - occurrence * s.periodMs < s.durationMs)
        out.push({
          kind: s.kind,
          occurrence,
          startedAt: this.#origin + s.offsetMs + occurrence * s.periodMs,
        });
    }
    return out;
  }

  /** The occurrence of `kind` under way at `now`, if any. */
  get(now: number, kind: IncidentKind): ActiveIncident | undefined {
    return this.active(now).find((i) => i.kind === kind);
  }
}
