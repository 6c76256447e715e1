import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { parseRuleDuration } from './rule-duration.js';
import type { RuleFileProblem } from './rule-file-error.js';
import { RuleFileError } from './rule-file-error.js';
import { Template, TemplateError } from './template.js';
import { expandThreshold, THRESHOLD_KEYS } from './threshold-rule.js';

/** Checks a PromQL expression; throws an Error whose message says what is wrong. Injected so `alerts` needs no parser of its own. */
export type ExprCheck = (expr: string) => void;

export interface AlertingRuleSpec {
  readonly kind: 'alerting';
  readonly name: string;
  readonly expr: string;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, Template>>;
  readonly annotations: Readonly<Record<string, Template>>;
}

export interface RecordingRuleSpec {
  readonly kind: 'recording';
  readonly name: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
}

export type RuleSpec = AlertingRuleSpec | RecordingRuleSpec;

export interface RuleGroupSpec {
  readonly name: string;
  readonly file: string;
  /** Undefined: the global evaluation interval. */
  readonly intervalMs: number | undefined;
  /** Most alerts (or series, for recording rules) one rule may produce; 0 is no limit. */
  readonly limit: number;
  readonly rules: readonly RuleSpec[];
}

const GROUP_KEYS = ['name', 'interval', 'limit', 'rules', 'thresholds'];
const RULE_KEYS = ['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'];
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Parses and checks a rule file in Prometheus's format (plus vigil's `thresholds` short form inside a
 * group). Every field, expression and template is checked; any problem rejects the file whole with a
 * RuleFileError listing each as `file:line: reason`.
 */
export function parseRuleFile(text: string, file: string, checkExpr: ExprCheck): RuleGroupSpec[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problems: RuleFileProblem[] = [];
  const lineOf = (node: Node | null | undefined): number =>
    node?.range ? lines.linePos(node.range[0]).line : 0;
  const problem = (node: Node | null | undefined, reason: string) => {
    problems.push({ file, line: lineOf(node) || 1, reason });
  };
  for (const error of doc.errors)
    problems.push({
      file,
      line: lines.linePos(error.pos[0]).line,
      reason: `not valid YAML: ${error.message.split('\n')[0]}`,
    });
  if (problems.length > 0) throw new RuleFileError(problems);

  const groups: RuleGroupSpec[] = [];
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return groups;
  if (!isMap(root)) {
    problem(root, 'expected a mapping with a "groups" list at the top level');
    throw new RuleFileError(problems);
  }
  unknownKeys(root, ['groups'], 'the top level', problem);
  const list = root.get('groups', true) as Node | undefined;
  if (list !== undefined && !isSeq(list)) problem(list, '"groups" must be a list of rule groups');
  const seen = new Map<string, number>();
  for (const item of isSeq(list) ? list.items : []) {
    const groupNode = item as Node;
    if (!isMap(groupNode)) {
      problem(groupNode, 'a rule group must be a mapping with name and rules');
      continue;
    }
    unknownKeys(groupNode, GROUP_KEYS, 'rule group', problem);
    const name = stringField(groupNode, 'name', problem);
    if (name === undefined || name === '') problem(groupNode, 'rule group: "name" must be set and not empty');
    else if (seen.has(name))
      problem(
        groupNode.get('name', true) as Node,
        `groupname: "${name}" is repeated in the same file (first at line ${seen.get(name)})`,
      );
    else seen.set(name, lineOf(groupNode));
    const intervalNode = groupNode.get('interval', true) as Node | undefined;
    let intervalMs: number | undefined;
    if (intervalNode !== undefined) {
      intervalMs = parseRuleDuration(scalarText(intervalNode));
      if (intervalMs === undefined || intervalMs === 0) {
        problem(
          intervalNode,
          `interval: got ${JSON.stringify(scalarText(intervalNode))}, expected a positive duration such as 30s or 1m`,
        );
        intervalMs = undefined;
      }
    }
    const limitNode = groupNode.get('limit', true) as Node | undefined;
    let limit = 0;
    if (limitNode !== undefined) {
      const value = isScalar(limitNode) ? limitNode.value : undefined;
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
        problem(
          limitNode,
          `limit: got ${JSON.stringify(scalarText(limitNode))}, expected a whole number >= 0`,
        );
      else limit = value;
    }
    const rules: RuleSpec[] = [];
    const rulesNode = groupNode.get('rules', true) as Node | undefined;
    if (rulesNode !== undefined && !isSeq(rulesNode)) problem(rulesNode, '"rules" must be a list');
    for (const r of isSeq(rulesNode) ? rulesNode.items : []) {
      const rule = parseRule(r as Node, checkExpr, problem);
      if (rule) rules.push(rule);
    }
    const thresholdsNode = groupNode.get('thresholds', true) as Node | undefined;
    if (thresholdsNode !== undefined && !isSeq(thresholdsNode))
      problem(thresholdsNode, '"thresholds" must be a list');
    for (const t of isSeq(thresholdsNode) ? thresholdsNode.items : []) {
      const node = t as Node;
      if (!isMap(node)) {
        problem(node, 'a threshold must be a mapping with name, metric, op and warning and/or critical');
        continue;
      }
      unknownKeys(node, THRESHOLD_KEYS, 'threshold', problem);
      const plain = node.toJSON() as Record<string, unknown>;
      const expanded = expandThreshold(plain, (reason) => problem(node, reason));
      for (const rule of expanded) {
        const checked = checkAlerting(rule, node, checkExpr, problem);
        if (checked) rules.push(checked);
      }
    }
    if (name !== undefined) groups.push({ name, file, intervalMs, limit, rules });
  }
  if (problems.length > 0) throw new RuleFileError(problems.sort((a, b) => a.line - b.line));
  return groups;
}

type Problem = (node: Node | null | undefined, reason: string) => void;

function parseRule(node: Node, checkExpr: ExprCheck, problem: Problem): RuleSpec | undefined {
  if (!isMap(node)) {
    problem(node, 'a rule must be a mapping with alert or record, and expr');
    return undefined;
  }
  unknownKeys(node, RULE_KEYS, 'rule', problem);
  const alert = stringField(node, 'alert', problem);
  const record = stringField(node, 'record', problem);
  const expr = stringField(node, 'expr', problem);
  if (alert === undefined && record === undefined) {
    problem(node, "one of 'record' or 'alert' must be set");
    return undefined;
  }
  if (alert !== undefined && record !== undefined) {
    problem(node, "only one of 'record' and 'alert' must be set");
    return undefined;
  }
  if (expr === undefined || expr.trim() === '') {
    problem(node, "field 'expr' must be set in rule");
    return undefined;
  }
  const labelsNode = node.get('labels', true) as Node | undefined;
  const labels = stringMap(labelsNode, 'labels', problem);
  if (record !== undefined) {
    for (const key of Object.keys(labels))
      if (!LABEL_NAME.test(key) || key === '__name__')
        problem(labelsNode, `invalid label name: ${JSON.stringify(key)}`);
    if (!METRIC_NAME.test(record))
      problem(node.get('record', true) as Node, `invalid recording rule name: ${JSON.stringify(record)}`);
    for (const field of ['annotations', 'for', 'keep_firing_for'])
      if (node.has(field))
        problem(node.get(field, true) as Node, `invalid field '${field}' in recording rule`);
    checkExpression(expr, node.get('expr', true) as Node, checkExpr, problem);
    return { kind: 'recording', name: record, expr, labels };
  }
  if (alert === '') {
    problem(node, "field 'alert' must not be empty");
    return undefined;
  }
  const durations: Record<string, number> = { for: 0, keep_firing_for: 0 };
  for (const field of ['for', 'keep_firing_for']) {
    const value = node.get(field, true) as Node | undefined;
    if (value === undefined) continue;
    const ms = parseRuleDuration(scalarText(value));
    if (ms === undefined)
      problem(
        value,
        `${field}: got ${JSON.stringify(scalarText(value))}, expected a duration such as 5m, 1h30m or 0s`,
      );
    else durations[field] = ms;
  }
  const annotationsNode = node.get('annotations', true) as Node | undefined;
  const annotations = stringMap(annotationsNode, 'annotations', problem);
  return checkAlerting(
    {
      name: alert!,
      expr,
      forMs: durations.for!,
      keepFiringForMs: durations.keep_firing_for!,
      labels,
      annotations,
    },
    node,
    checkExpr,
    problem,
  );
}

/** The alerting rule as written, before its templates are compiled. */
export interface AlertingRuleText {
  readonly name: string;
  readonly expr: string;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

function checkAlerting(
  rule: AlertingRuleText,
  node: YAMLMap,
  checkExpr: ExprCheck,
  problem: Problem,
): AlertingRuleSpec | undefined {
  checkExpression(rule.expr, (node.get('expr', true) as Node | undefined) ?? node, checkExpr, problem);
  const compile = (kind: string, entries: Readonly<Record<string, string>>) => {
    const out: Record<string, Template> = {};
    const map = node.get(kind, true) as Node | undefined;
    for (const [key, text] of Object.entries(entries)) {
      const where = (isMap(map) ? (map.get(key, true) as Node | undefined) : undefined) ?? map ?? node;
      if (!LABEL_NAME.test(key) || (kind === 'labels' && key === '__name__')) {
        problem(where, `invalid ${kind === 'labels' ? 'label' : 'annotation'} name: ${JSON.stringify(key)}`);
        continue;
      }
      try {
        out[key] = new Template(text);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        problem(where, `${kind}.${key}: template error: ${error.message}`);
      }
    }
    return out;
  };
  return {
    kind: 'alerting',
    name: rule.name,
    expr: rule.expr,
    forMs: rule.forMs,
    keepFiringForMs: rule.keepFiringForMs,
    labels: compile('labels', rule.labels),
    annotations: compile('annotations', rule.annotations),
  };
}

function checkExpression(expr: string, node: Node, checkExpr: ExprCheck, problem: Problem): void {
  try {
    checkExpr(expr);
  } catch (error) {
    problem(node, `could not parse expression: ${(error as Error).message}`);
  }
}

function unknownKeys(map: YAMLMap, allowed: readonly string[], where: string, problem: Problem): void {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!allowed.includes(key))
      problem(
        pair.key as Node,
        `unknown key ${JSON.stringify(key)} in ${where} (expected one of ${allowed.join(', ')})`,
      );
  }
}

function stringField(map: YAMLMap, key: string, problem: Problem): string | undefined {
  const node = map.get(key, true) as Node | undefined;
  if (node === undefined) return undefined;
  if (!isScalar(node) || node.value === null || typeof node.value === 'object') {
    problem(node, `${key}: expected a string`);
    return undefined;
  }
  return String(node.value);
}

function stringMap(node: Node | undefined, key: string, problem: Problem): Record<string, string> {
  const out: Record<string, string> = {};
  if (node === undefined || (isScalar(node) && node.value === null)) return out;
  if (!isMap(node)) {
    problem(node, `${key}: expected a mapping of names to strings`);
    return out;
  }
  for (const pair of node.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const value = pair.value as Node | null;
    if (!isScalar(value) || typeof value.value === 'object') {
      problem(value ?? (pair.key as Node), `${key}.${name}: expected a string`);
      continue;
    }
    out[name] = String(value.value);
  }
  return out;
}

function scalarText(node: Node): string {
  return isScalar(node) ? String(node.value) : String(node);
}
