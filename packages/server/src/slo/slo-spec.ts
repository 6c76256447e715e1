import { z } from 'zod';
import type { RuleFileProblem } from '../alerts/rule-file-error.js';
import { zodIssueDetail } from '../config/zod-issue-detail.js';

/** The events an SLI counts: PromQL rates with `$window` where the range goes. */
export interface RatioSli {
  readonly kind: 'ratio';
  /** Bad events per second over `$window`; from `errors`, or `total - good` when `good` was given. */
  readonly errors: string | undefined;
  readonly good: string | undefined;
  readonly total: string;
}

/**
 * "`objective` of requests faster than `threshold` seconds", over a classic histogram's buckets or,
 * with `native`, a native histogram's `histogram_fraction`.
 */
export interface LatencySli {
  readonly kind: 'latency';
  /** The histogram's name (without `_bucket` for a classic one). */
  readonly histogram: string;
  /** Matchers inside the braces, such as `operation="speech_to_text"`; may be empty. */
  readonly matchers: string;
  readonly thresholdSeconds: number;
  readonly native: boolean;
}

export interface SloSpec {
  readonly name: string;
  readonly description: string;
  /** 0.999 for 99.9%. */
  readonly objective: number;
  readonly windowDays: number;
  readonly sli: RatioSli | LatencySli;
  /** Added to every generated series and alert. */
  readonly labels: Readonly<Record<string, string>>;
  readonly alerting: {
    readonly name: string;
    readonly pageLabels: Readonly<Record<string, string>>;
    readonly ticketLabels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
  /** Where it was defined, for messages. */
  readonly source: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const labels = z.record(z.string().regex(LABEL_NAME, 'expected label names such as team'), z.string());
const windowQuery = z
  .string()
  .min(1)
  .refine((q) => q.includes('$window'), 'expected a PromQL query using $window as its range, e.g. [$window]');

const SLO_SCHEMA = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'expected a name of letters, digits, _ . -'),
    description: z.string().optional(),
    objective: z
      .number()
      .gt(0, 'expected a percentage such as 99.9')
      .lt(100, 'expected a percentage below 100 such as 99.9'),
    window: z
      .string()
      .regex(/^[1-9]\d*d$/, 'expected a rolling window in days such as 28d or 30d')
      .default('30d'),
    sli: z.union([
      z
        .object({
          ratio: z
            .object({ good: windowQuery.optional(), errors: windowQuery.optional(), total: windowQuery })
            .strict()
            .refine(
              (r) => (r.good === undefined) !== (r.errors === undefined),
              'expected exactly one of good and errors, beside total',
            ),
        })
        .strict(),
      z
        .object({
          latency: z
            .object({
              histogram: z
                .string()
                .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'expected a histogram metric name')
                .refine((h) => !h.endsWith('_bucket'), 'expected the name without _bucket'),
              matchers: z.string().default(''),
              threshold: z.number().positive('expected seconds above 0, such as 2 or 0.5'),
              native: z.boolean().default(false),
            })
            .strict(),
        })
        .strict(),
    ]),
    labels: labels.default({}),
    alerting: z
      .object({
        name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected an alert name such as SloBudgetBurn'),
        page_labels: labels,
        ticket_labels: labels,
        annotations: z.record(z.string(), z.string()),
      })
      .partial()
      .strict()
      .default({}),
  })
  .strict();

const LIST = z.array(z.unknown());

/** Thrown with every problem of every definition read, as `source: slos[i].key: reason`. */
export type SloProblems = RuleFileProblem[];

/**
 * Checks a `slos:` list (from vigil.yaml or an SLO file) into SloSpecs; each problem names the list
 * entry and key. Names must be unique across everything read together (`seen`).
 */
export function parseSlos(
  value: unknown,
  source: string,
  problems: SloProblems,
  seen: Map<string, string>,
): SloSpec[] {
  const list = LIST.safeParse(value);
  if (!list.success) {
    problems.push({ file: source, line: 0, reason: 'slos: expected a list of SLO definitions' });
    return [];
  }
  const out: SloSpec[] = [];
  list.data.forEach((item, i) => {
    const parsed = SLO_SCHEMA.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const key = ['slos', i, ...issue.path].join('.').replace(/\.(\d+)/g, '[$1]');
      problems.push({ file: source, line: 0, reason: `${key}: ${zodIssueDetail(issue, item)}` });
      return;
    }
    const s = parsed.data;
    const before = seen.get(s.name);
    if (before !== undefined) {
      problems.push({
        file: source,
        line: 0,
        reason: `slos[${i}].name: "${s.name}" is already defined in ${before}`,
      });
      return;
    }
    seen.set(s.name, source);
    for (const key of Object.keys(s.labels))
      if (key === 'slo' || key === 'slo_window' || key === '__name__')
        problems.push({ file: source, line: 0, reason: `slos[${i}].labels: "${key}" is set by vigil` });
    out.push({
      name: s.name,
      description: s.description ?? '',
      objective: Number((s.objective / 100).toPrecision(12)),
      windowDays: Number(s.window.slice(0, -1)),
      sli:
        'ratio' in s.sli
          ? { kind: 'ratio', good: s.sli.ratio.good, errors: s.sli.ratio.errors, total: s.sli.ratio.total }
          : {
              kind: 'latency',
              histogram: s.sli.latency.histogram,
              matchers: s.sli.latency.matchers,
              thresholdSeconds: s.sli.latency.threshold,
              native: s.sli.latency.native,
            },
      labels: s.labels,
      alerting: {
        name: s.alerting.name ?? 'SloErrorBudgetBurn',
        pageLabels: s.alerting.page_labels ?? { severity: 'critical' },
        ticketLabels: s.alerting.ticket_labels ?? { severity: 'warning' },
        annotations: s.alerting.annotations ?? {},
      },
      source,
    });
  });
  return out;
}

/** The error budget as a ratio: 0.001 for 99.9%. */
export function errorBudget(slo: SloSpec): number {
  return Number((1 - slo.objective).toPrecision(12));
}
