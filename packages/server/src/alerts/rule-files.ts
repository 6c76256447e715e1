import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { type ExprCheck, parseRuleFile, type RuleGroupSpec } from './rule-file.js';
import { RuleFileError, type RuleFileProblem } from './rule-file-error.js';

/**
 * The files named by `rule_files` patterns, relative to `baseDir`. Wildcards (`*`, `?`) are allowed
 * in the file name, not in directory names (`rules/*.yml`); a pattern without one names a file that
 * must exist. Sorted, without duplicates.
 */
export function expandRuleFiles(patterns: readonly string[], baseDir: string): string[] {
  const files = new Set<string>();
  for (const pattern of patterns) {
    const full = isAbsolute(pattern) ? pattern : resolve(baseDir, pattern);
    const name = basename(full);
    if (!/[*?[]/.test(name)) {
      files.add(full);
      continue;
    }
    const dir = dirname(full);
    const re = new RegExp(
      `^${name
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')}$`,
    );
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      // A pattern matching nothing is not an error, as in Prometheus.
    }
    for (const entry of entries.sort()) if (re.test(entry)) files.add(join(dir, entry));
  }
  return [...files].sort();
}

/** Reads and checks every file; all problems of all files in one RuleFileError, or every group. */
export function loadRuleFiles(files: readonly string[], checkExpr: ExprCheck): RuleGroupSpec[] {
  const groups: RuleGroupSpec[] = [];
  const problems: RuleFileProblem[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push({
        file,
        line: 0,
        reason: `cannot read the rule file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      });
      continue;
    }
    try {
      groups.push(...parseRuleFile(text, file, checkExpr));
    } catch (error) {
      if (!(error instanceof RuleFileError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new RuleFileError(problems);
  return groups;
}
