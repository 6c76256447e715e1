import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkRules } from '../../src/cli/check-rules.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-check-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = checkRules(
    args,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('vigil check rules', () => {
  const good = join(dir, 'good.yml');
  writeFileSync(
    good,
    `groups:
  - name: g
    rules:
      - alert: Down
        expr: up == 0
        for: 5m
      - record: job:up:sum
        expr: sum by (job) (up)
    thresholds:
      - { name: Slow, metric: 'avg(latency_seconds)', op: '>', warning: 1, critical: 5 }
`,
  );
  const bad = join(dir, 'bad.yml');
  writeFileSync(bad, 'groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up = 0\n');

  it('prints SUCCESS with the rule count and exits 0 for good files', () => {
    expect(run([good])).toEqual({
      code: 0,
      out: `Checking ${good}\n  SUCCESS: 4 rules found`,
      // A warning, not a failure: the critical threshold pages someone with nothing to follow.
      err: `  WARNING: ${good}: alert "Slow" pages (severity critical) but has no runbook_url or playbook annotation`,
    });
  });

  it('prints each problem as file:line: reason and exits 1 when any file is broken', () => {
    const result = run([good, bad, join(dir, 'missing.yml')]);
    expect(result.code).toBe(1);
    expect(result.out).toContain('SUCCESS: 4 rules found');
    expect(result.err).toContain(`${bad}:5: could not parse expression: `);
    expect(result.err).toContain(`${join(dir, 'missing.yml')}: cannot read the rule file (ENOENT)`);
  });

  it('accepts experimental functions only with --enable-feature=promql-experimental-functions, as Prometheus', () => {
    const sampled = join(dir, 'sampled.yml');
    writeFileSync(
      sampled,
      'groups:\n  - name: g\n    rules:\n      - record: job:up:sampled\n        expr: limit_ratio(0.1, up)\n',
    );
    const off = run([sampled]);
    expect(off.code).toBe(1);
    expect(off.err).toContain(
      'limit_ratio() is experimental and must be enabled with --enable-feature=promql-experimental-functions',
    );
    expect(run(['--enable-feature=promql-experimental-functions', sampled])).toMatchObject({
      code: 0,
      out: `Checking ${sampled}\n  SUCCESS: 1 rules found`,
    });
    expect(run(['--enable-feature=exemplar-storage', sampled])).toEqual({
      code: 2,
      out: '',
      err: 'vigil check rules: --enable-feature=exemplar-storage: unknown feature; vigil knows promql-experimental-functions, promql-duration-expr',
    });
    writeFileSync(
      sampled,
      'groups:\n  - name: g\n    rules:\n      - record: job:c:rate10m\n        expr: rate(c[5m * 2])\n',
    );
    const plain = run([sampled]);
    expect(plain.code).toBe(1);
    expect(plain.err).toContain(
      'experimental duration expression is not enabled (--enable-feature=promql-duration-expr)',
    );
    expect(run(['--enable-feature=promql-duration-expr', sampled])).toMatchObject({ code: 0 });
  });

  it('expands thresholds into a plain Prometheus rule file with --expand', () => {
    const result = run(['--expand', good]);
    expect(result.code).toBe(0);
    expect(parse(result.out)).toEqual({
      groups: [
        {
          name: 'g',
          rules: [
            { alert: 'Down', expr: 'up == 0', for: '5m' },
            { record: 'job:up:sum', expr: 'sum by (job) (up)' },
            {
              alert: 'Slow',
              expr: '(avg(latency_seconds)) > 1',
              labels: { severity: 'warning' },
              annotations: { summary: 'Slow {{ $value | humanize }} > 1 (warning)' },
            },
            {
              alert: 'Slow',
              expr: '(avg(latency_seconds)) > 5',
              labels: { severity: 'critical' },
              annotations: { summary: 'Slow {{ $value | humanize }} > 5 (critical)' },
            },
          ],
        },
      ],
    });
  });

  it('asks for a file', () => {
    expect(run([]).code).toBe(2);
  });
});
