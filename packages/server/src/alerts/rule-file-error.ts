import { ServerError } from '../errors/server-error.js';
/** One thing wrong in a rule file, at a 1-based line (0 when the file could not be read at all). */
export interface RuleFileProblem {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/**
 * A rule file that cannot be loaded, with every problem found in it, each as `file:line: reason`
 * (the way promtool and compilers print them, so editors jump to the place). One broken rule rejects
 * the whole file: half a file of alerts silently missing is worse than none loading.
 */
export class RuleFileError extends ServerError {
  readonly problems: readonly RuleFileProblem[];

  /** `context` goes before the problems, as in `failed to reload rules: file:3: …`. */
  constructor(problems: readonly RuleFileProblem[], context?: string) {
    const list = problems.map(formatProblem).join('\n');
    super('VIGIL_RULE_FILE', context === undefined ? list : `${context}: ${list}`);
    this.name = 'RuleFileError';
    this.problems = problems;
  }
}

export function formatProblem(p: RuleFileProblem): string {
  return p.line > 0 ? `${p.file}:${p.line}: ${p.reason}` : `${p.file}: ${p.reason}`;
}
