import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { toPrometheusRuleFile } from '../alerts/prometheus-rule-file.js';
import { parseRuleFile, type RuleGroupSpec } from '../alerts/rule-file.js';
import { RuleFileError } from '../alerts/rule-file-error.js';
import {
  DURATION_EXPRESSIONS_FEATURE,
  EXPERIMENTAL_FUNCTIONS_FEATURE,
  type ParseOptions,
  parsePromql,
} from '../query/parse.js';

/** The `--enable-feature` names rule checks know, and the parser option each turns on. */
const FEATURES: Readonly<Record<string, keyof ParseOptions>> = {
  [EXPERIMENTAL_FUNCTIONS_FEATURE]: 'experimentalFunctions',
  [DURATION_EXPRESSIONS_FEATURE]: 'durationExpressions',
};

/**
 * `vigil check rules [--expand] [--enable-feature=promql-experimental-functions] FILE...`: checks
 * rule files offline as `promtool check rules` does, with the same parser and checks the server
 * uses. Exit code 0 when every file is good, 1 otherwise. `--expand` prints each good file as a
 * plain Prometheus rule file (short forms expanded); the feature flags accept Prometheus 3's
 * experimental functions and duration expressions, as the server does with the same flags.
 */
export function checkRules(args: string[], out: (line: string) => void, err: (line: string) => void): number {
  const { values, positionals } = parseArgs({
    args,
    options: {
      expand: { type: 'boolean', default: false },
      'enable-feature': { type: 'string', multiple: true },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) {
    err('vigil check rules: name at least one rule file');
    return 2;
  }
  const features = (values['enable-feature'] ?? []).flatMap((f) => f.split(',')).map((f) => f.trim());
  const unknown = features.find((f) => !(f in FEATURES));
  if (unknown !== undefined) {
    err(
      `vigil check rules: --enable-feature=${unknown}: unknown feature; vigil knows ${Object.keys(FEATURES).join(', ')}`,
    );
    return 2;
  }
  const options: ParseOptions = Object.fromEntries(features.map((f) => [FEATURES[f], true]));
  let failed = 0;
  for (const file of positionals) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      err(
        `${file}: cannot read the rule file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
      failed++;
      continue;
    }
    try {
      const groups = parseRuleFile(text, file, (expr) => {
        parsePromql(expr, options);
      });
      const count = groups.reduce((n, g) => n + g.rules.length, 0);
      if (values.expand) out(toPrometheusRuleFile(groups).trimEnd());
      else out(`Checking ${file}\n  SUCCESS: ${count} rules found`);
      for (const warning of runbookWarnings(groups)) err(`  WARNING: ${file}: ${warning}`);
    } catch (error) {
      if (!(error instanceof RuleFileError)) throw error;
      err(`Checking ${file}\n  FAILED:\n${error.message}`);
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}

/** Severities that page someone, who then needs to know what to do. */
const PAGING = new Set(['critical', 'page']);

/** Paging alerts with neither a `runbook_url` nor a `playbook` annotation: a warning, not a failure. */
function runbookWarnings(groups: readonly RuleGroupSpec[]): string[] {
  const warnings: string[] = [];
  for (const g of groups)
    for (const r of g.rules) {
      if (r.kind !== 'alerting') continue;
      const severity = r.labels.severity?.source;
      if (severity === undefined || !PAGING.has(severity)) continue;
      if (r.annotations.runbook_url === undefined && r.annotations.playbook === undefined)
        warnings.push(
          `alert "${r.name}" pages (severity ${severity}) but has no runbook_url or playbook annotation`,
        );
    }
  return warnings;
}
