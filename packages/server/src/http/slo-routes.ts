import type { Clock } from '@vigil/metrics';
import type { ActiveAlert } from '../alerts/alerting-rule.js';
import { formatE } from '../alerts/go-format.js';
import type { QueryEngine } from '../query/query-engine.js';
import type { SloSpec } from '../slo/slo-spec.js';
import { type SloStatus, sloStatuses } from '../slo/slo-status.js';
import { sendJson } from './respond.js';
import type { Router } from './router.js';

export interface SloRoutesOptions {
  /** The SLOs loaded now (they change on reload). */
  readonly slos: () => readonly SloSpec[];
  readonly engine: QueryEngine;
  readonly alerts: () => readonly ActiveAlert[];
  readonly clock: Clock;
}

/** `GET /api/slos`: each SLO's SLI, error budget left, burn rates now and its burn-rate alerts. */
export function sloRoutes(router: Router, options: SloRoutesOptions): void {
  router.on('GET', '/api/slos', async ({ res }) => {
    const statuses = await sloStatuses(options.slos(), options.engine, options.alerts(), options.clock.now());
    sendJson(res, 200, { slos: statuses.map(sloJson) });
  });
}

/** Numbers stay numbers; a ratio with no data yet is null (JSON has no NaN). */
function sloJson(s: SloStatus) {
  const n = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    name: s.slo.name,
    description: s.slo.description,
    labels: s.slo.labels,
    objective: s.slo.objective,
    window: `${s.slo.windowDays}d`,
    sli: n(s.sli),
    errorBudget: {
      ratio: s.errorBudget,
      remaining: n(s.budgetRemaining),
      minutes: s.budgetMinutes,
      remainingMinutes: n(s.budgetRemainingMinutes),
    },
    burnRate: { '5m': n(s.burnRate5m), '1h': n(s.burnRate1h) },
    alerts: s.alerts.map((a) => ({
      labels: a.labels,
      state: a.state,
      activeAt: new Date(a.activeAt).toISOString(),
      value: formatE(a.value),
    })),
  };
}
