/** What recovery figures need of an incident of GET /api/incidents. */
export interface IncidentTimes {
  readonly title: string;
  readonly openedAt: string;
  readonly acknowledgedAt: string | null;
  readonly resolvedAt: string | null;
}

/** Mean times in ms (null when no incident of the set was acknowledged, or resolved). */
export interface RecoveryFigures {
  readonly incidents: number;
  readonly mttaMs: number | null;
  readonly mttrMs: number | null;
}

export interface RecoveryStats {
  /** One entry per UTC day from the first incident's to the last's, by the day each opened. */
  readonly days: readonly ({ readonly dayMs: number } & RecoveryFigures)[];
  /** Per alert name (the incident's title), most incidents first. */
  readonly byAlert: readonly ({ readonly alertname: string } & RecoveryFigures)[];
}

const DAY = 86_400_000;

/**
 * MTTA and MTTR as the server's histograms define them (open to first acknowledgement, open to
 * resolution), computed from the incidents themselves so they need no scrape of vigil's own
 * metrics: per day an incident opened, and per alert name. An incident still open counts towards
 * the incidents but not the means.
 */
export function recoveryStats(incidents: readonly IncidentTimes[]): RecoveryStats {
  const figures = (list: readonly IncidentTimes[]): RecoveryFigures => {
    const mean = (pick: (i: IncidentTimes) => string | null) => {
      const spans = list.flatMap((i) => {
        const at = pick(i);
        return at === null ? [] : [Date.parse(at) - Date.parse(i.openedAt)];
      });
      return spans.length === 0 ? null : spans.reduce((a, b) => a + b, 0) / spans.length;
    };
    return {
      incidents: list.length,
      mttaMs: mean((i) => i.acknowledgedAt),
      mttrMs: mean((i) => i.resolvedAt),
    };
  };
  const dayOf = (i: IncidentTimes) => Math.floor(Date.parse(i.openedAt) / DAY) * DAY;
  const days: RecoveryStats['days'][number][] = [];
  if (incidents.length > 0) {
    const starts = incidents.map(dayOf);
    const last = Math.max(...starts);
    for (let d = Math.min(...starts); d <= last; d += DAY)
      days.push({ dayMs: d, ...figures(incidents.filter((i) => dayOf(i) === d)) });
  }
  const names = [...new Set(incidents.map((i) => i.title))];
  const byAlert = names
    .map((alertname) => ({ alertname, ...figures(incidents.filter((i) => i.title === alertname)) }))
    .sort((a, b) => b.incidents - a.incidents || (a.alertname < b.alertname ? -1 : 1));
  return { days, byAlert };
}
