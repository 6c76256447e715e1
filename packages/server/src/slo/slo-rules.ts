import { canonicalNumber } from '@vigil/metrics';
import type { AlertingRuleSpec, ExprCheck, RecordingRuleSpec, RuleGroupSpec } from '../alerts/rule-file.js';
import type { RuleFileProblem } from '../alerts/rule-file-error.js';
import { Template } from '../alerts/template.js';
import { formatDuration } from '../query/duration.js';
import { burnRateWindows, RAW_WINDOWS_MS } from './burn-rate-windows.js';
import { errorBudget, type SloSpec } from './slo-spec.js';

/** A window as PromQL writes it, whole days in days (`28d`, not `4w`). */
export function windowText(ms: number): string {
  return ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : formatDuration(ms);
}

/** Name of the recorded error ratio over one window, as Sloth names it: `slo:sli_error:ratio_rate5m`. */
export function errorRatioMetric(windowMs: number): string {
  return `slo:sli_error:ratio_rate${windowText(windowMs)}`;
}

/** A Prometheus label matcher value, quoted. */
function quote(value: string): string {
  return JSON.stringify(value);
}

/** `le` as Prometheus 3 and vigil store it from a scrape: an OpenMetrics canonical number, `2` as `2.0`. */
export function bucketLabel(seconds: number): string {
  return canonicalNumber(seconds, true);
}

/**
 * The matcher of the threshold's bucket, whichever way its `le` is spelled: `2.0` from a scrape
 * (Prometheus 3's and vigil's canonical numbers), `2` from OTLP (Prometheus's translation writes
 * bounds as Go's `%f`) and from what was scraped before vigil stored canonical numbers, so that the
 * SLI spans that upgrade as histogram_quantile does, both series of the one bucket summed.
 */
function bucketMatcher(seconds: number): string {
  const spellings = [...new Set([bucketLabel(seconds), canonicalNumber(seconds, false), String(seconds)])];
  if (spellings.length === 1) return `le=${quote(spellings[0]!)}`;
  return `le=~${quote(spellings.map((s) => s.replace(/[.+]/g, '\\$&')).join('|'))}`;
}

/**
 * The SLI's error ratio over `window` (a PromQL duration), from its own queries. A window without
 * events records nothing instead of 0/0 = NaN (`> -Inf` is false for NaN alone): one NaN in the 5m
 * recording would make the SLO window's average NaN for the whole window (the SLI and budget left
 * unknown for 30 days). Errors (or good events) that no series counts yet are 0 when there were
 * events, so a service that never failed has an SLI of 100% rather than none. Neither costs another
 * evaluation of the SLI's queries.
 */
export function errorRatioExpr(slo: SloSpec, window: string): string {
  const sli = slo.sli;
  const known = '\n> -Inf';
  if (sli.kind === 'latency' && sli.native)
    return `1 - histogram_fraction(0, ${sli.thresholdSeconds}, sum(rate(${sli.histogram}{${sli.matchers}}[${window}])))${known}`;
  if (sli.kind === 'latency') {
    const sep = sli.matchers.trim() === '' ? '' : `${sli.matchers},`;
    const count = `sum(rate(${sli.histogram}_count{${sli.matchers}}[${window}]))`;
    const fast = `sum(rate(${sli.histogram}_bucket{${sep}${bucketMatcher(sli.thresholdSeconds)}}[${window}]))`;
    return `(${count} - ${fast})\n/\n${count}${known}`;
  }
  const at = (q: string) => q.replaceAll('$window', window);
  const part = (q: string) => `((${at(q)}) or vector(0))`;
  return sli.errors !== undefined
    ? `${part(sli.errors)}\n/\n(${at(sli.total)})${known}`
    : `1 - (${part(sli.good!)}\n/\n(${at(sli.total)}))${known}`;
}

/**
 * The recording rules and burn-rate alerts of one SLO, as one rule group evaluated in order, so the
 * window averaged from the 5m recording sees this evaluation's value. Problems (a query that does not
 * parse) are added to `problems`.
 */
export function sloRuleGroup(slo: SloSpec, checkExpr: ExprCheck, problems: RuleFileProblem[]): RuleGroupSpec {
  const sel = `{slo=${quote(slo.name)}}`;
  const budget = errorBudget(slo);
  const windowMs = slo.windowDays * 86_400_000;
  const record = (windowMs: number, expr: string): RecordingRuleSpec => ({
    kind: 'recording',
    name: errorRatioMetric(windowMs),
    expr,
    labels: { ...slo.labels, slo: slo.name, slo_window: windowText(windowMs) },
  });
  const rules: (RecordingRuleSpec | AlertingRuleSpec)[] = RAW_WINDOWS_MS.map((w) =>
    record(w, errorRatioExpr(slo, windowText(w))),
  );
  const base = errorRatioMetric(RAW_WINDOWS_MS[0]!);
  rules.push(record(windowMs, `avg_over_time(${base}${sel}[${windowText(windowMs)}])`));
  for (const rule of rules) {
    try {
      checkExpr(rule.expr);
    } catch (error) {
      problems.push({
        file: slo.source,
        line: 0,
        reason: `SLO "${slo.name}": the SLI does not give a valid query (${(error as Error).message}): ${rule.expr.replace(/\n/g, ' ')}`,
      });
      break;
    }
  }
  const windows = burnRateWindows(slo.windowDays);
  for (const severity of ['page', 'ticket'] as const) {
    const pairs = windows.filter((w) => w.severity === severity);
    const over = (ms: number, factor: number) =>
      `max without (slo_window) (${errorRatioMetric(ms)}${sel} > (${factor} * ${budget}))`;
    const expr = pairs
      .map((p) => `(\n  ${over(p.shortMs, p.factor)}\n  and\n  ${over(p.longMs, p.factor)}\n)`)
      .join('\nor\n');
    const labels = {
      ...slo.labels,
      ...(severity === 'page' ? slo.alerting.pageLabels : slo.alerting.ticketLabels),
    };
    const spent = pairs.map((p) => `${p.budgetShare * 100}% in ${windowText(p.longMs)}`).join(' or ');
    rules.push({
      kind: 'alerting',
      name: slo.alerting.name,
      expr,
      forMs: 0,
      keepFiringForMs: 0,
      labels: templates({ ...labels, slo: slo.name, slo_severity: severity }, slo, problems),
      annotations: templates(
        {
          summary: `SLO ${slo.name} is burning its ${slo.windowDays}-day error budget too fast (${spent})`,
          description: `Error ratio {{ $value | humanizePercentage }} against a budget of ${+(budget * 100).toPrecision(6)}% (objective ${+(slo.objective * 100).toPrecision(8)}%).${slo.description ? ` ${slo.description}` : ''}`,
          ...slo.alerting.annotations,
        },
        slo,
        problems,
      ),
    });
  }
  return { name: `slo:${slo.name}`, file: slo.source, intervalMs: undefined, limit: 0, rules };
}

function templates(
  values: Record<string, string>,
  slo: SloSpec,
  problems: RuleFileProblem[],
): Record<string, Template> {
  const out: Record<string, Template> = {};
  for (const [key, source] of Object.entries(values)) {
    try {
      out[key] = new Template(source);
    } catch (error) {
      problems.push({
        file: slo.source,
        line: 0,
        reason: `SLO "${slo.name}": ${key}: ${(error as Error).message}`,
      });
    }
  }
  return out;
}
