import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The anomaly band's recording rules (examples/anomaly-bands.yml) run in Prometheus as they are:
 * promtool 2.42 loads them and, in `promtool test rules`, records 8 days of a request rate that
 * wobbles by ±10% around 1/s, then triples for the last half hour; the band flags the tripling and
 * nothing in a quiet hour before it.
 */
const RULES = join(import.meta.dirname, '../../examples/anomaly-bands.yml');
const work = mkdtempSync(join(tmpdir(), 'vigil-promtool-bands-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const STEP_S = 300;
const STEPS = (8 * 86_400) / STEP_S;

describe('anomaly band rules in Prometheus', () => {
  it('load in promtool and flag a tripled rate, not the quiet hour before it', () => {
    let seed = 7;
    const wobble = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return 0.9 + (0.2 * seed) / 2 ** 31;
    };
    const values: number[] = [0];
    for (let i = 1; i <= STEPS; i++) {
      const rate = i > STEPS - 6 ? 3 : wobble();
      values.push(values[i - 1]! + Math.round(rate * STEP_S));
    }
    const test = join(work, 'bands.test.yml');
    writeFileSync(
      test,
      JSON.stringify({
        rule_files: [RULES],
        evaluation_interval: '5m',
        tests: [
          {
            interval: '5m',
            input_series: [
              { series: 'http_request_duration_seconds_count{job="api"}', values: values.join(' ') },
            ],
            promql_expr_test: [
              {
                expr: 'job:http_requests:rate5m:anomalous > 2',
                eval_time: '192h',
                exp_samples: [{ labels: 'job:http_requests:rate5m:anomalous{job="api"}', value: 3 }],
              },
              ...[60, 75, 90, 105, 120].map((m) => ({
                expr: 'job:http_requests:rate5m:anomalous',
                eval_time: `${192 * 60 - m}m`,
                exp_samples: [],
              })),
            ],
          },
        ],
      }),
    );
    const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8', timeout: 30_000 });
    if (check.error)
      throw new Error(`promtool did not run (${check.error.message}); see scripts/install-peers.sh`);
    expect(check.stdout).toContain('SUCCESS: 6 rules found');
    const run = spawnSync('promtool', ['test', 'rules', test], { encoding: 'utf8', timeout: 300_000 });
    expect(`${run.stdout}${run.stderr}`).toContain('SUCCESS');
    expect(run.status).toBe(0);
  }, 360_000);
});
