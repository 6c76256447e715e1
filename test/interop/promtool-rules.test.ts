import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toPrometheusRuleFile } from '../../packages/server/src/alerts/prometheus-rule-file.js';
import { parseRuleFile } from '../../packages/server/src/alerts/rule-file.js';
import { parsePromql } from '../../packages/server/src/query/parse.js';

/**
 * The shipped rule files must load in the real Prometheus too: promtool 2.42 (Debian's prometheus
 * package, from scripts/install-peers.sh) checks each; a file using vigil's `thresholds` short form
 * is checked through its expansion, and promtool must refuse what vigil refuses.
 */
const examples = join(import.meta.dirname, '../../examples/rules');
const work = mkdtempSync(join(tmpdir(), 'vigil-promtool-rules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promtool(file: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
  if (run.error)
    throw new Error(`promtool did not run (${run.error.message}); install it with scripts/install-peers.sh`);
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

function vigilRules(text: string, name: string) {
  return parseRuleFile(text, name, (e) => {
    parsePromql(e);
  });
}

describe('promtool check rules on the example rule files', () => {
  for (const name of readdirSync(examples).sort()) {
    it(`accepts ${name}`, () => {
      const text = readFileSync(join(examples, name), 'utf8');
      const groups = vigilRules(text, name);
      const count = groups.reduce((n, g) => n + g.rules.length, 0);
      let file = join(examples, name);
      if (/^\s+thresholds:/m.test(text)) {
        file = join(work, name);
        writeFileSync(file, toPrometheusRuleFile(groups));
      }
      const result = promtool(file);
      expect(result.output).toContain(`SUCCESS: ${count} rules found`);
      expect(result.status).toBe(0);
    });
  }

  it('refuses the broken files vigil refuses', () => {
    const broken = [
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(x[5m]\n',
      'groups:\n  - name: g\n    rules:\n      - record: bad name\n        expr: up\n',
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: 5 minutes\n',
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations: { s: "{{ $labels.x | nosuchfunc }}" }\n',
      'groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n',
    ];
    broken.forEach((text, i) => {
      const file = join(work, `broken-${i}.yml`);
      writeFileSync(file, text);
      expect(() => vigilRules(text, file), text).toThrow();
      expect(promtool(file).status, text).toBe(1);
    });
  });
});

describe('promtool check rules on the rules derived from SLOs', () => {
  it('accepts `vigil check slos --expand` of the example SLOs', async () => {
    const { checkSlos } = await import('../../packages/server/src/cli/check-slos.js');
    const out: string[] = [];
    const code = await checkSlos(
      ['--expand', join(examples, '../slos/providers.yml')],
      (l) => out.push(l),
      () => {},
    );
    expect(code).toBe(0);
    const file = join(work, 'slos-expanded.yml');
    writeFileSync(file, out.join('\n'));
    const result = promtool(file);
    expect(result.output).toContain('SUCCESS: 60 rules found');
    expect(result.status).toBe(0);
  });
});
