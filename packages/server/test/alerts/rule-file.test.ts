import { describe, expect, it } from 'vitest';
import { parseRuleFile } from '../../src/alerts/rule-file.js';
import { RuleFileError } from '../../src/alerts/rule-file-error.js';
import { parsePromql } from '../../src/query/parse.js';

const check = (expr: string) => {
  parsePromql(expr);
};

function problems(text: string): string[] {
  try {
    parseRuleFile(text, 'rules.yml', check);
  } catch (error) {
    if (error instanceof RuleFileError) return error.message.split('\n');
    throw error;
  }
  throw new Error('the file was accepted');
}

describe('rule files', () => {
  it('reads groups, alerting and recording rules with every field', () => {
    const groups = parseRuleFile(
      `groups:
  - name: api
    interval: 30s
    limit: 10
    rules:
      - record: job:http_errors:rate5m
        expr: sum by (job) (rate(http_errors_total[5m]))
        labels: { team: web }
      - alert: HighErrorRate
        expr: job:http_errors:rate5m > 0.1
        for: 5m
        keep_firing_for: 1m30s
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.job }} errors at {{ $value | humanize }}/s"
`,
      'rules.yml',
      check,
    );
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group).toMatchObject({ name: 'api', file: 'rules.yml', intervalMs: 30_000, limit: 10 });
    expect(group!.rules[0]).toEqual({
      kind: 'recording',
      name: 'job:http_errors:rate5m',
      expr: 'sum by (job) (rate(http_errors_total[5m]))',
      labels: { team: 'web' },
    });
    const alert = group!.rules[1]!;
    expect(alert).toMatchObject({
      kind: 'alerting',
      name: 'HighErrorRate',
      forMs: 300_000,
      keepFiringForMs: 90_000,
    });
    if (alert.kind !== 'alerting') throw new Error('expected an alerting rule');
    expect(alert.annotations.summary!.source).toBe('{{ $labels.job }} errors at {{ $value | humanize }}/s');
  });

  it('accepts an empty file as no groups', () => {
    expect(parseRuleFile('', 'empty.yml', check)).toEqual([]);
    expect(parseRuleFile('groups: []\n', 'empty.yml', check)).toEqual([]);
  });

  it('rejects a broken file whole, with file:line: reason for every problem', () => {
    const lines = problems(`groups:
  - name: api
    rules:
      - alert: Good
        expr: up == 0
      - alert: BadExpr
        expr: rate(http_requests_total[5m] > 1
      - alert: BadFor
        expr: up == 0
        for: 5 minutes
      - record: bad name
        expr: up
      - alert: Both
        record: both
        expr: up
      - alert: NoExpr
      - alert: BadTemplate
        expr: up == 0
        annotations:
          summary: "{{ $labels.job | humanise }}"
      - alert: Typo
        expr: up == 0
        anotations: {}
  - name: api
    rules: []
`);
    expect(lines).toEqual([
      expect.stringMatching(/^rules\.yml:7: could not parse expression: parse error at char \d+: /),
      'rules.yml:10: for: got "5 minutes", expected a duration such as 5m, 1h30m or 0s',
      'rules.yml:11: invalid recording rule name: "bad name"',
      "rules.yml:13: only one of 'record' and 'alert' must be set",
      "rules.yml:16: field 'expr' must be set in rule",
      'rules.yml:20: annotations.summary: template error: function "humanise" not defined',
      'rules.yml:23: unknown key "anotations" in rule (expected one of record, alert, expr, for, keep_firing_for, labels, annotations)',
      'rules.yml:24: groupname: "api" is repeated in the same file (first at line 2)',
    ]);
  });

  it('names YAML syntax errors with their line', () => {
    expect(problems('groups:\n  - name: a\n    rules:\n      - alert: x\n     expr: y\n')).toEqual([
      'rules.yml:5: not valid YAML: All mapping items must start at the same column',
    ]);
  });

  it('expands the short form into one alerting rule per level with severity', () => {
    const [group] = parseRuleFile(
      `groups:
  - name: streaming
    thresholds:
      - name: HighLatency
        metric: avg by (session) (vigil_latency_ms)
        op: '>'
        warning: 10
        critical: 50
        for: 1m
        labels: { team: stream }
`,
      'short.yml',
      check,
    );
    const rules = group!.rules;
    expect(rules.map((r) => [r.name, r.expr])).toEqual([
      ['HighLatency', '(avg by (session) (vigil_latency_ms)) > 10'],
      ['HighLatency', '(avg by (session) (vigil_latency_ms)) > 50'],
    ]);
    const [warning, critical] = rules;
    if (warning?.kind !== 'alerting' || critical?.kind !== 'alerting')
      throw new Error('expected alerting rules');
    expect(warning.forMs).toBe(60_000);
    expect(warning.labels.severity!.source).toBe('warning');
    expect(critical.labels.severity!.source).toBe('critical');
    expect(critical.labels.team!.source).toBe('stream');
    expect(critical.annotations.summary!.source).toBe('HighLatency {{ $value | humanize }} > 50 (critical)');
  });

  it('rejects a bad short form with its line', () => {
    expect(
      problems(`groups:
  - name: s
    thresholds:
      - name: X
        metric: up
        op: '=>'
        warning: high
`),
    ).toEqual([
      'rules.yml:4: threshold: op: got "=>", expected one of ">", "<", ">=", "<="',
      'rules.yml:4: threshold: warning: got "high", expected a number',
    ]);
  });
});
