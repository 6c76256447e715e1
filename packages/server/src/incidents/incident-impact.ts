import type { AlertingRuleSpec } from '../alerts/rule-file.js';
import type { Expr } from '../query/ast.js';
import type { QueryEngine } from '../query/query-engine.js';
import { errorRatioMetric } from '../slo/slo-rules.js';
import { errorBudget, type SloSpec } from '../slo/slo-spec.js';
import type { SeriesLabels } from '../store/series-store.js';
import type { Incident } from './incident.js';

/** What an incident cost: the SLO budget it burned and the worst value of each alert's series. */
export interface IncidentImpact {
  /** Start and end of the impact: the first alert's start to the resolution (or now). */
  readonly fromMs: number;
  readonly toMs: number;
  readonly slos: readonly SloImpact[];
  readonly series: readonly SeriesImpact[];
  /** Queries that failed, so a post-mortem says what it could not measure instead of leaving it out. */
  readonly errors: readonly string[];
}

export interface SloImpact {
  readonly slo: string;
  readonly objective: number;
  readonly windowDays: number;
  /** Share of the whole window's error budget spent during the incident. */
  readonly budgetConsumed: number;
  /** The average burn rate over the incident (1 spends the budget exactly over the window). */
  readonly burnRate: number;
}

export interface SeriesImpact {
  readonly alert: SeriesLabels;
  /** `highest` for a rule firing above its threshold, `lowest` below it. */
  readonly direction: 'highest' | 'lowest';
  readonly value: number;
  readonly atMs: number;
}

export interface ImpactSources {
  readonly engine: QueryEngine;
  readonly slos: () => readonly SloSpec[];
  readonly alertingRules: () => readonly AlertingRuleSpec[];
  readonly parse: (expr: string) => Expr;
  readonly now: () => number;
}

/** Points per range query over the incident: enough to find a peak, cheap over a long incident. */
const POINTS = 240;

/**
 * The impact of an incident, measured from the store over its span: for each SLO, the budget spent
 * (the recorded 5-minute error ratio averaged over the span, times the span, over the window's
 * budget) when its burn-rate alerts are in the incident or it burned faster than it may (rate > 1);
 * for each alert of the incident, its rule's expression over the span and the value farthest past
 * the threshold among the series that are that alert (their labels are a subset of the alert's).
 */
export async function incidentImpact(incident: Incident, sources: ImpactSources): Promise<IncidentImpact> {
  const fromMs = Math.min(incident.openedAt, ...incident.alerts.map((a) => a.startsAt));
  const toMs = incident.resolvedAt ?? sources.now();
  const spanMs = Math.max(toMs - fromMs, 1000);
  const errors: string[] = [];
  const named = new Set(incident.alerts.map((a) => a.labels.slo).filter((s) => s !== undefined));
  const slos: SloImpact[] = [];
  for (const slo of sources.slos()) {
    const expr = `avg_over_time(${errorRatioMetric(300_000)}{slo=${JSON.stringify(slo.name)}}[${Math.ceil(spanMs / 1000)}s])`;
    try {
      const result = await sources.engine.instantQuery(expr, toMs);
      const ratio = result.resultType === 'vector' ? result.result[0]?.value : undefined;
      if (ratio === undefined || Number.isNaN(ratio)) continue;
      const budget = errorBudget(slo);
      const burnRate = ratio / budget;
      if (!named.has(slo.name) && burnRate <= 1) continue;
      slos.push({
        slo: slo.name,
        objective: slo.objective,
        windowDays: slo.windowDays,
        budgetConsumed: (burnRate * spanMs) / (slo.windowDays * 86_400_000),
        burnRate,
      });
    } catch (error) {
      errors.push(`SLO ${slo.name}: ${(error as Error).message}`);
    }
  }
  const stepMs = Math.max(15_000, Math.ceil(spanMs / POINTS / 1000) * 1000);
  const series: SeriesImpact[] = [];
  const rules = sources.alertingRules();
  for (const alert of incident.alerts) {
    const name = alert.labels.alertname;
    let worst: SeriesImpact | undefined;
    for (const rule of rules.filter((r) => r.name === name)) {
      let direction: SeriesImpact['direction'];
      try {
        direction = worstDirection(sources.parse(rule.expr));
      } catch {
        continue;
      }
      let result: Awaited<ReturnType<QueryEngine['rangeQuery']>>;
      try {
        result = await sources.engine.rangeQuery(rule.expr, fromMs, toMs, stepMs);
      } catch (error) {
        errors.push(`${name}: ${(error as Error).message}`);
        continue;
      }
      if (result.resultType !== 'matrix') continue;
      for (const s of result.result) {
        if (!Object.entries(s.metric).every(([k, v]) => k === '__name__' || alert.labels[k] === v)) continue;
        for (let i = 0; i < s.values.length; i++) {
          const value = s.values[i]!;
          if (Number.isNaN(value)) continue;
          const better =
            direction === 'highest'
              ? value > (worst?.value ?? -Infinity)
              : value < (worst?.value ?? Infinity);
          if (better) worst = { alert: alert.labels, direction, value, atMs: s.timesMs[i]! };
        }
      }
    }
    if (worst) series.push(worst);
  }
  return { fromMs, toMs, slos, series, errors };
}

/**
 * Which way is worse for a rule's expression: an alert on `x > t` is worse the higher x goes, on
 * `x < t` the lower (`t > x` too); `a and b`, `a unless b` and parentheses take their left side's. Anything else
 * (`absent(…)`, `x == 1`) is read as higher is worse.
 */
export function worstDirection(e: Expr): 'highest' | 'lowest' {
  if (e.kind === 'paren') return worstDirection(e.expr);
  if (e.kind === 'binary') {
    // `0.95 > x` reads as `x < 0.95`.
    const flipped = e.lhs.kind === 'number' && e.rhs.kind !== 'number';
    if (e.op === '<' || e.op === '<=') return flipped ? 'highest' : 'lowest';
    if (e.op === '>' || e.op === '>=') return flipped ? 'lowest' : 'highest';
    if (e.op === 'and' || e.op === 'unless') return worstDirection(e.lhs);
  }
  return 'highest';
}
