import type { ActiveAlert } from '../alerts/alerting-rule.js';
import { queryVector } from '../alerts/query-vector.js';
import type { QueryEngine } from '../query/query-engine.js';
import { errorRatioMetric, windowText } from './slo-rules.js';
import { errorBudget, type SloSpec } from './slo-spec.js';

/** Where one SLO stands now. NaN where no data has been recorded yet. */
export interface SloStatus {
  readonly slo: SloSpec;
  /** Share of good events over the whole window (1 − error ratio). */
  readonly sli: number;
  readonly errorBudget: number;
  /** Budget left as a share of the whole budget: 1 untouched, 0 spent, below 0 overspent. */
  readonly budgetRemaining: number;
  /** The whole budget as time out of the window, and what is left of it, in minutes. */
  readonly budgetMinutes: number;
  readonly budgetRemainingMinutes: number;
  /** Error ratio ÷ budget over the last 5 minutes and the last hour. */
  readonly burnRate5m: number;
  readonly burnRate1h: number;
  /** Pending and firing burn-rate alerts of this SLO. */
  readonly alerts: readonly ActiveAlert[];
}

/**
 * The status of each SLO from its recorded error ratios (so it costs three instant queries of one
 * series each). The window's ratio averages what has been recorded since the SLO was defined.
 */
export async function sloStatuses(
  slos: readonly SloSpec[],
  engine: QueryEngine,
  alerts: readonly ActiveAlert[],
  now: number,
): Promise<SloStatus[]> {
  return Promise.all(
    slos.map(async (slo) => {
      const ratio = async (windowMs: number) => {
        const [sample] = await queryVector(
          engine,
          `${errorRatioMetric(windowMs)}{slo=${JSON.stringify(slo.name)},slo_window="${windowText(windowMs)}"}`,
          now,
        );
        return sample?.value ?? Number.NaN;
      };
      const [period, r5m, r1h] = await Promise.all([
        ratio(slo.windowDays * 86_400_000),
        ratio(300_000),
        ratio(3_600_000),
      ]);
      const budget = errorBudget(slo);
      const budgetMinutes = Number((budget * slo.windowDays * 1440).toPrecision(12));
      const budgetRemaining = 1 - period / budget;
      return {
        slo,
        sli: 1 - period,
        errorBudget: budget,
        budgetRemaining,
        budgetMinutes,
        budgetRemainingMinutes: budgetRemaining * budgetMinutes,
        burnRate5m: r5m / budget,
        burnRate1h: r1h / budget,
        alerts: alerts.filter((a) => a.labels.slo === slo.name),
      };
    }),
  );
}
