import { z } from 'zod';
import { parseDuration } from './duration.js';

/**
 * A dashboard file (JSON or YAML): a title and panels, each with PromQL queries. The built-in pages
 * (overview, sessions, health, cost) are such files too, in packages/dashboard/dashboards.
 */
const COLOR = z.enum(['green', 'yellow', 'orange', 'red', 'blue', 'grey']);
const UNIT = z.enum(['none', 'short', 's', 'ms', 'bytes', 'percent', 'ratio', 'ops', 'usd', 'tokens']);

const threshold = z.object({ value: z.number(), color: COLOR }).strict();
const thresholds = z
  .array(threshold)
  .refine((list) => list.every((t, i) => i === 0 || t.value >= list[i - 1]!.value), {
    message: 'expected thresholds in ascending order of value',
  });

const duration = z.string().refine((text) => (parseDuration(text) ?? 0) > 0, {
  message: 'expected a duration such as 1h or 1d',
});

const query = z
  .object({
    expr: z.string().min(1, 'expected a PromQL expression'),
    /** `{{label}}` placeholders take the series' label values. */
    legend: z.string().optional(),
  })
  .strict();

const live = z
  .object({
    /** A series selector for /ws/metrics (the stream takes selectors, not expressions). */
    match: z.string().min(1),
    reduce: z.enum(['sum', 'max', 'min', 'avg', 'count', 'rate', 'none']).default('none'),
  })
  .strict();

/**
 * What a stat's figure stands on: `expr` gives the seconds of data it was computed from (such as
 * figures/span-rate.ts' dataSpan), `window` the most it can be, `enough` the least worth trusting.
 * The panel says "based on the last 2 h 14 min of data", or "not enough history".
 */
const basis = z
  .object({
    expr: z.string().min(1, 'expected a PromQL expression giving seconds'),
    window: duration,
    enough: duration,
  })
  .strict();

const column = z
  .object({
    title: z.string().min(1),
    expr: z.string().min(1).optional(),
    /** A field of the server's /api/sessions document (is_paused, connections, memory_usage_mb, ...). */
    sessionField: z.string().min(1).optional(),
    /** A label of the row's series, shown as text. */
    label: z.string().min(1).optional(),
    unit: UNIT.optional(),
    thresholds: thresholds.optional(),
    /** Text for values, such as {"0": "running", "1": "paused"} for a 0/1 gauge. */
    mappings: z.record(z.string(), z.string()).optional(),
    /** Text for a row with no value in this column (a session whose gauges ended: "ended"). */
    missing: z.string().optional(),
  })
  .strict();

const panel = z
  .object({
    type: z.enum(['timeseries', 'stat', 'gauge', 'table', 'uptime', 'heatmap', 'forecast']),
    title: z.string().min(1),
    description: z.string().optional(),
    /** Columns out of 12. */
    width: z.number().int().min(1).max(12).default(6),
    unit: UNIT.default('short'),
    decimals: z.number().int().min(0).max(6).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    thresholds: thresholds.optional(),
    queries: z.array(query).default([]),
    live: live.optional(),
    basis: basis.optional(),
    /** table: the label that names a row; uptime: the label that names a bar. */
    key: z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name')
      .optional(),
    columns: z.array(column).optional(),
    /**
     * forecast: which one, of the series selector that is its one query (docs/forecasts.md):
     * `month-end`, a cost counter's total at the month's end; `run-out`, when a falling series
     * (free disk, a quota) reaches zero.
     */
    forecast: z.enum(['month-end', 'run-out']).optional(),
    /** uptime: how far back the bars go, and how long one bar is; run-out: the most history averaged. */
    window: duration.optional(),
    bucket: duration.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const need = (ok: boolean, path: string, message: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', path: [path], message });
    };
    if (p.type === 'table') {
      need(p.key !== undefined, 'key', 'a table needs "key", the label that names its rows');
      need((p.columns?.length ?? 0) > 0, 'columns', 'a table needs at least one column');
      p.columns?.forEach((c, i) => {
        const sources = [c.expr, c.sessionField, c.label].filter((x) => x !== undefined).length;
        if (sources !== 1) {
          ctx.addIssue({
            code: 'custom',
            path: ['columns', i],
            message: 'expected exactly one of "expr", "sessionField" or "label"',
          });
        }
      });
    } else if (p.type === 'uptime') {
      need(p.queries.length === 1, 'queries', 'an uptime panel needs exactly one query (1 = up, 0 = down)');
      need(p.key !== undefined, 'key', 'an uptime panel needs "key", the label that names each bar');
    } else if (p.type === 'timeseries') {
      need(p.queries.length > 0, 'queries', 'a time series panel needs at least one query');
    } else if (p.type === 'heatmap') {
      need(
        p.queries.length > 0,
        'queries',
        'a heatmap needs at least one query returning native histograms or classic buckets (sum by (le))',
      );
    } else {
      need(p.queries.length === 1, 'queries', `a ${p.type} panel needs exactly one query`);
    }
    need(
      (p.forecast !== undefined) === (p.type === 'forecast'),
      'forecast',
      p.type === 'forecast'
        ? 'a forecast panel needs "forecast": month-end or run-out'
        : 'only a forecast panel has "forecast"',
    );
    if (p.forecast === 'run-out' && p.window !== undefined)
      need(
        /^\d+[dw]$/.test(p.window),
        'window',
        'a run-out forecast averages whole days: expected 28d or 4w',
      );
    need(p.basis === undefined || p.type === 'stat', 'basis', 'only a stat panel says what it is based on');
  });

export const DASHBOARD_SCHEMA = z
  .object({
    title: z.string().min(1),
    description: z.string().optional(),
    /** Position in the navigation; lower first. */
    order: z.number().default(100),
    panels: z.array(panel).min(1, 'expected at least one panel'),
  })
  .strict();

export type DashboardDefinition = z.infer<typeof DASHBOARD_SCHEMA> & { readonly id: string };
