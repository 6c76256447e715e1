import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ExprCheck, RuleGroupSpec } from '../alerts/rule-file.js';
import { RuleFileError, type RuleFileProblem } from '../alerts/rule-file-error.js';
import { expandRuleFiles } from '../alerts/rule-files.js';
import { sloRuleGroup } from './slo-rules.js';
import { parseSlos, type SloSpec } from './slo-spec.js';

export interface SloSources {
  /** The `slos:` list of vigil.yaml, and where it came from. */
  readonly inline?: { readonly value: unknown; readonly source: string };
  /** `slo_files` patterns, as `rule_files` (wildcards in the file name). */
  readonly files: readonly string[];
  readonly baseDir: string;
}

export interface LoadedSlos {
  readonly slos: readonly SloSpec[];
  /** One rule group per SLO: its recording rules and burn-rate alerts. */
  readonly groups: readonly RuleGroupSpec[];
}

/**
 * Reads every SLO definition (vigil.yaml's `slos:` and the SLO files, each a YAML document with a
 * top-level `slos:` list) and derives their rules. Any problem anywhere throws one RuleFileError
 * naming each, and nothing is loaded, as with rule files.
 */
export function loadSlos(sources: SloSources, checkExpr: ExprCheck): LoadedSlos {
  const problems: RuleFileProblem[] = [];
  const seen = new Map<string, string>();
  const slos: SloSpec[] = [];
  if (sources.inline && sources.inline.value !== undefined)
    slos.push(...parseSlos(sources.inline.value, sources.inline.source, problems, seen));
  for (const file of expandRuleFiles(sources.files, sources.baseDir)) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push({
        file,
        line: 0,
        reason: code
          ? `cannot read the SLO file (${code})`
          : `not valid YAML: ${(error as Error).message.split('\n')[0]}`,
      });
      continue;
    }
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== 'object' || Array.isArray(doc) || Object.keys(doc).some((k) => k !== 'slos')) {
      problems.push({ file, line: 0, reason: 'expected a mapping with a "slos" list at the top level' });
      continue;
    }
    slos.push(...parseSlos((doc as { slos?: unknown }).slos ?? [], file, problems, seen));
  }
  const groups = slos.map((slo) => sloRuleGroup(slo, checkExpr, problems));
  if (problems.length > 0) throw new RuleFileError(problems);
  return { slos, groups };
}
