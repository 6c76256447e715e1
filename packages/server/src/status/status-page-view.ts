import type { CheckStatus } from '@vigil/metrics/health';
import type { ComponentSource, StatusPageConfig } from '../config/status-pages-config.js';
import type { LabelMatcher } from '../store/series-store.js';
import { componentSeries } from './component-series.js';
import { componentUptime, type UptimeSources, uptimeOf } from './component-uptime.js';
import { heartbeatName } from './heartbeat-name.js';
import type { StatusIncident } from './status-incidents.js';

export type ComponentState = 'up' | 'degraded' | 'down' | 'unknown';

export interface DayBar {
  /** YYYY-MM-DD, UTC. */
  readonly date: string;
  readonly uptime: number | null;
}

/** What a status page shows of one component: nothing but its name, state and uptime. */
export interface ComponentView {
  readonly id: string;
  readonly name: string;
  readonly state: ComponentState;
  readonly uptime24h: number | null;
  readonly uptime30d: number | null;
  readonly uptime90d: number | null;
  /** The last 90 UTC days, oldest first, today last. */
  readonly days: readonly DayBar[];
}

export interface StatusPageView {
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly state: ComponentState;
  /** "All systems operational", "Partial outage", … */
  readonly summary: string;
  readonly groups: readonly { readonly name: string; readonly components: readonly ComponentView[] }[];
  /** Unresolved ones, then those resolved in the last 14 days; newest first in each. */
  readonly incidents: readonly StatusIncident[];
  readonly generatedMs: number;
}

export interface StatusPageSources extends UptimeSources {
  /**
   * What vigil monitors now (status/monitored-checks.ts), read once per page: the checks of the
   * series these matcher lists select.
   */
  readonly checks: (only: readonly (readonly LabelMatcher[])[]) => Promise<readonly CheckStatus[]>;
  readonly incidents: (page: string) => readonly StatusIncident[];
}

export const DAYS = 90;
const DAY_MS = 86_400_000;
const PAST_INCIDENTS_MS = 14 * DAY_MS;
const RANK: Record<ComponentState, number> = { unknown: 0, up: 1, degraded: 2, down: 3 };

export async function statusPageView(
  sources: StatusPageSources,
  page: StatusPageConfig,
  now: number,
): Promise<StatusPageView> {
  const checks = await sources.checks(
    page.groups.flatMap((g) =>
      g.components.flatMap((c) => (c.source.kind === 'query' ? [] : componentSeries(c.source).up)),
    ),
  );
  // Each bar is a whole UTC day, the first one too: a bar dated D counts all of D.
  const firstDay = now - (now % DAY_MS) - (DAYS - 1) * DAY_MS;
  const groups = await Promise.all(
    page.groups.map(async (g) => ({
      name: g.name,
      components: await Promise.all(
        g.components.map(async (c): Promise<ComponentView> => {
          const [read, day, state] = await Promise.all([
            componentUptime(sources, c.source, firstDay, now, DAY_MS),
            componentUptime(sources, c.source, now - DAY_MS, now, DAY_MS),
            currentState(sources, c.source, checks, now),
          ]);
          // At exactly midnight the read ends where today begins, one bar short: today is empty.
          const days = Array.from(
            { length: DAYS },
            (_, i) => read[i] ?? { startMs: firstDay + i * DAY_MS, runs: 0, up: 0 },
          );
          return {
            id: c.id,
            name: c.name,
            state,
            uptime24h: uptimeOf(day),
            uptime30d: uptimeOf(days.slice(-30)),
            uptime90d: uptimeOf(days),
            days: days.map((b) => ({
              date: new Date(b.startMs).toISOString().slice(0, 10),
              uptime: b.runs > 0 ? b.up / b.runs : null,
            })),
          };
        }),
      ),
    })),
  );
  const states = groups.flatMap((g) => g.components.map((c) => c.state));
  const known = states.filter((s) => s !== 'unknown');
  const state = known.reduce<ComponentState>((a, s) => (RANK[s] > RANK[a] ? s : a), 'unknown');
  const summary =
    known.length === 0
      ? 'No data yet'
      : state === 'up'
        ? 'All systems operational'
        : state === 'degraded'
          ? 'Degraded performance'
          : known.every((s) => s === 'down')
            ? 'Major outage'
            : 'Partial outage';
  const posted = sources.incidents(page.slug);
  const active = posted.filter((i) => i.state !== 'resolved');
  const past = posted.filter((i) => i.state === 'resolved' && now - i.updatedMs < PAST_INCIDENTS_MS);
  const newest = (a: StatusIncident, b: StatusIncident) => b.createdMs - a.createdMs;
  return {
    slug: page.slug,
    title: page.title,
    description: page.description,
    state,
    summary,
    groups,
    incidents: [...active.sort(newest), ...past.sort(newest)],
    generatedMs: now,
  };
}

/**
 * The state now: for series, the worst of the checks /api/health lists for them (a late heartbeat
 * is down, a slow or flaky target degraded); for a query, its worst value now (1 up, 0 down).
 */
async function currentState(
  sources: UptimeSources,
  source: ComponentSource,
  checks: readonly CheckStatus[],
  now: number,
): Promise<ComponentState> {
  if (source.kind === 'query') {
    const result = await sources.engine.instantQuery(source.expr, now);
    const values =
      result.resultType === 'vector'
        ? result.result.map((s) => s.value)
        : result.resultType === 'scalar'
          ? [result.value]
          : [];
    const real = values.filter((v) => !Number.isNaN(v));
    if (real.length === 0) return 'unknown';
    const worst = Math.min(...real);
    return worst >= 1 ? 'up' : worst <= 0 ? 'down' : 'degraded';
  }
  const matched = checks.filter((c) => matches(source, c));
  return matched.reduce<ComponentState>((worst, c) => {
    const s: ComponentState = c.state === 'healthy' ? 'up' : c.state === 'degraded' ? 'degraded' : 'down';
    return RANK[s] > RANK[worst] ? s : worst;
  }, 'unknown');
}

function matches(source: Exclude<ComponentSource, { kind: 'query' }>, check: CheckStatus): boolean {
  const details = (check.details ?? {}) as Record<string, unknown>;
  switch (source.kind) {
    case 'health':
      return details.type === 'health_monitor' && check.name === source.name;
    case 'target':
      return (
        details.type === 'scrape' &&
        details.job === source.job &&
        (source.instance === undefined || details.instance === source.instance)
      );
    case 'push':
      return check.name === heartbeatName(source.token);
  }
}
