import { describe, expect, it } from 'vitest';
import type { AlertingRuleSpec } from '../../src/alerts/rule-file.js';
import { RuleFileError } from '../../src/alerts/rule-file-error.js';
import { parsePromql } from '../../src/query/parse.js';
import { burnRateWindows } from '../../src/slo/burn-rate-windows.js';
import { loadSlos } from '../../src/slo/slo-files.js';

const check = (e: string) => {
  parsePromql(e);
};
const load = (value: unknown) =>
  loadSlos({ inline: { value, source: 'vigil.yaml' }, files: [], baseDir: '.' }, check);

const RATIO = {
  name: 'checkout',
  objective: 99.9,
  sli: {
    ratio: { good: 'sum(rate(req_total{code!~"5.."}[$window]))', total: 'sum(rate(req_total[$window]))' },
  },
  labels: { team: 'payments' },
};

describe('burn-rate windows', () => {
  it('derive the workbook factors from the SLO window', () => {
    const factors = (days: number) => burnRateWindows(days).map((w) => w.factor);
    expect(factors(30)).toEqual([14.4, 6, 3, 1]);
    expect(factors(28)).toEqual([13.44, 5.6, 2.8, 0.9333]);
    expect(burnRateWindows(30).map((w) => [w.severity, w.longMs / 60_000, w.shortMs / 60_000])).toEqual([
      ['page', 60, 5],
      ['page', 360, 30],
      ['ticket', 1440, 120],
      ['ticket', 4320, 360],
    ]);
  });
});

describe('SLO rules', () => {
  it('record the error ratio per window and average the 5m recording over the SLO window', () => {
    const [group] = load([RATIO]).groups;
    const records = group!.rules.filter((r) => r.kind === 'recording');
    expect(records.map((r) => [r.name, r.labels.slo_window])).toEqual([
      ['slo:sli_error:ratio_rate5m', '5m'],
      ['slo:sli_error:ratio_rate30m', '30m'],
      ['slo:sli_error:ratio_rate1h', '1h'],
      ['slo:sli_error:ratio_rate2h', '2h'],
      ['slo:sli_error:ratio_rate6h', '6h'],
      ['slo:sli_error:ratio_rate1d', '1d'],
      ['slo:sli_error:ratio_rate3d', '3d'],
      ['slo:sli_error:ratio_rate30d', '30d'],
    ]);
    expect(records[0]!.expr).toBe(
      '1 - (((sum(rate(req_total{code!~"5.."}[5m]))) or vector(0))\n/\n(sum(rate(req_total[5m]))))\n> -Inf',
    );
    expect(records[0]!.labels).toEqual({ team: 'payments', slo: 'checkout', slo_window: '5m' });
    expect(records[7]!.expr).toBe('avg_over_time(slo:sli_error:ratio_rate5m{slo="checkout"}[30d])');
  });

  it('page on 1h and 5m over 14.4x or 6h and 30m over 6x; ticket on 1d/2h over 3x or 3d/6h over 1x', () => {
    const alerts = load([RATIO]).groups[0]!.rules.filter((r): r is AlertingRuleSpec => r.kind === 'alerting');
    const [page, ticket] = alerts;
    const m = (w: string, f: number) =>
      `max without (slo_window) (slo:sli_error:ratio_rate${w}{slo="checkout"} > (${f} * 0.001))`;
    expect(page!.expr).toBe(
      `(\n  ${m('5m', 14.4)}\n  and\n  ${m('1h', 14.4)}\n)\nor\n(\n  ${m('30m', 6)}\n  and\n  ${m('6h', 6)}\n)`,
    );
    expect(ticket!.expr).toBe(
      `(\n  ${m('2h', 3)}\n  and\n  ${m('1d', 3)}\n)\nor\n(\n  ${m('6h', 1)}\n  and\n  ${m('3d', 1)}\n)`,
    );
    const labels = (a: AlertingRuleSpec) =>
      Object.fromEntries(Object.entries(a.labels).map(([k, t]) => [k, t.source]));
    expect(labels(page!)).toEqual({
      team: 'payments',
      severity: 'critical',
      slo: 'checkout',
      slo_severity: 'page',
    });
    expect(labels(ticket!)).toEqual({
      team: 'payments',
      severity: 'warning',
      slo: 'checkout',
      slo_severity: 'ticket',
    });
  });

  it('count a latency SLI as requests above the threshold bucket over all requests', () => {
    const [group] = load([
      {
        name: 'stt',
        objective: 95,
        window: '28d',
        sli: { latency: { histogram: 'op_seconds', matchers: 'operation="stt"', threshold: 2 } },
      },
    ]).groups;
    expect(group!.rules[0]!.expr).toBe(
      '(sum(rate(op_seconds_count{operation="stt"}[5m])) - sum(rate(op_seconds_bucket{operation="stt",le=~"2\\\\.0|2"}[5m])))\n/\nsum(rate(op_seconds_count{operation="stt"}[5m]))\n> -Inf',
    );
    expect(group!.rules.at(-2)!.expr).toContain('> (13.44 * 0.05)');
  });

  it('refuse bad definitions, naming the entry and key', () => {
    const problem = (value: unknown) => {
      try {
        load(value);
      } catch (error) {
        if (error instanceof RuleFileError) return error.message;
        throw error;
      }
      return 'accepted';
    };
    expect(problem([{ ...RATIO, objective: 100 }])).toBe(
      'vigil.yaml: slos[0].objective: got 100, expected a percentage below 100 such as 99.9',
    );
    expect(problem([{ ...RATIO, window: '4w' }])).toBe(
      'vigil.yaml: slos[0].window: got "4w", expected a rolling window in days such as 28d or 30d',
    );
    expect(
      problem([{ ...RATIO, sli: { ratio: { good: 'sum(rate(x[5m]))', total: 'sum(rate(y[$window]))' } } }]),
    ).toContain('expected a PromQL query using $window');
    expect(problem([RATIO, RATIO])).toBe(
      'vigil.yaml: slos[1].name: "checkout" is already defined in vigil.yaml',
    );
    expect(
      problem([
        { ...RATIO, sli: { ratio: { good: 'sum(rate(x[$window])', total: 'sum(rate(y[$window]))' } } },
      ]),
    ).toContain('SLO "checkout": the SLI does not give a valid query');
    expect(problem({ name: 'x' })).toBe('vigil.yaml: slos: expected a list of SLO definitions');
  });
});
