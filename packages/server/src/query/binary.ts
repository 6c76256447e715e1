import type { BinaryOp, VectorMatching } from './ast.js';
import {
  dropName,
  type Metric,
  makeMetric,
  matchKey,
  metricString,
  type Sample,
  type Vector,
} from './metric.js';
import { QueryError } from './query-error.js';

const ARITHMETIC = new Set<BinaryOp>(['+', '-', '*', '/', '%', '^', 'atan2']);
// Prometheus 2.42's shouldDropMetricName leaves atan2 out: `x atan2 y` keeps the name of x.
const DROPS_NAME = new Set<BinaryOp>(['+', '-', '*', '/', '%', '^']);

/** `[value, keep]`: comparisons return the left value and whether the sample survives. */
export function binaryValue(op: BinaryOp, lhs: number, rhs: number): [number, boolean] {
  switch (op) {
    case '+':
      return [lhs + rhs, true];
    case '-':
      return [lhs - rhs, true];
    case '*':
      return [lhs * rhs, true];
    case '/':
      return [lhs / rhs, true];
    case '%':
      return [lhs % rhs, true];
    case '^':
      return [pow(lhs, rhs), true];
    case 'atan2':
      return [Math.atan2(lhs, rhs), true];
    case '==':
      return [lhs, lhs === rhs];
    case '!=':
      return [lhs, lhs !== rhs];
    case '>':
      return [lhs, lhs > rhs];
    case '<':
      return [lhs, lhs < rhs];
    case '>=':
      return [lhs, lhs >= rhs];
    case '<=':
      return [lhs, lhs <= rhs];
    default:
      throw new Error(`unreachable operator ${op}`);
  }
}

/** Go's math.Pow where it differs from Math.pow: 1^x and (-1)^±Inf are 1, x^0 is 1 even for NaN. */
function pow(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}

export function scalarBinary(op: BinaryOp, lhs: number, rhs: number, returnBool: boolean): number {
  const [value, keep] = binaryValue(op, lhs, rhs);
  return returnBool ? (keep ? 1 : 0) : value;
}

/** A vector against a scalar; the vector's value is the result of a filtering comparison either way round. */
export function vectorScalar(
  op: BinaryOp,
  vector: Vector,
  scalar: number,
  scalarOnLeft: boolean,
  returnBool: boolean,
): Vector {
  const out: Vector = [];
  const dropsName = DROPS_NAME.has(op) || returnBool;
  for (const s of vector) {
    let [value, keep] = scalarOnLeft ? binaryValue(op, scalar, s.value) : binaryValue(op, s.value, scalar);
    if (!ARITHMETIC.has(op) && scalarOnLeft) value = s.value;
    if (returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (keep) out.push({ metric: dropsName ? dropName(s.metric) : s.metric, value });
  }
  return out;
}

/**
 * Vector against vector, Prometheus's VectorBinop (promql/engine.go, v2.42): the "one" side is
 * indexed by its matching labels, each sample of the "many" side finds its partner; duplicates on
 * the "one" side, or two results with the same labels, are errors, unless a side is empty.
 */
export function vectorVector(
  op: BinaryOp,
  lhs: Vector,
  rhs: Vector,
  matching: VectorMatching,
  returnBool: boolean,
  cache: Map<string, Metric>,
): Vector {
  if (op === 'and' || op === 'or' || op === 'unless') return setOperation(op, lhs, rhs, matching);
  // Nothing can match: no result and no duplicate check, so an empty side never makes the other
  // side's duplicates an error (Prometheus's short-circuit).
  if (lhs.length === 0 || rhs.length === 0) return [];
  const swapped = matching.card === 'one-to-many';
  const many = swapped ? rhs : lhs;
  const one = swapped ? lhs : rhs;
  const key = (m: Metric) => matchKey(m, matching.on, matching.labels);
  const ones = new Map<string, Sample>();
  for (const s of one) {
    const k = key(s.metric);
    const duplicate = ones.get(k);
    if (duplicate)
      throw execution(
        `found duplicate series for the match group on the ${swapped ? 'left' : 'right'} hand-side of the operation: ` +
          `[${metricString(s.metric)}, ${metricString(duplicate.metric)}];` +
          'many-to-many matching not allowed: matching labels must be unique on one side',
      );
    ones.set(k, s);
  }
  const matched = new Map<string, Set<string> | null>();
  const out: Vector = [];
  for (const ls of many) {
    const k = key(ls.metric);
    const rs = ones.get(k);
    if (!rs) continue;
    let [value, keep] = swapped ? binaryValue(op, rs.value, ls.value) : binaryValue(op, ls.value, rs.value);
    if (returnBool) value = keep ? 1 : 0;
    else if (!keep) continue;
    let metric = resultMetric(ls.metric, rs.metric, op, matching, cache);
    if (returnBool) metric = dropName(metric);
    const seen = matched.get(k);
    if (matching.card === 'one-to-one') {
      if (seen !== undefined)
        throw execution(
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      matched.set(k, null);
    } else {
      const inserted = seen ?? new Set<string>();
      if (inserted.has(metric.key))
        throw execution('multiple matches for labels: grouping labels must ensure unique matches');
      inserted.add(metric.key);
      matched.set(k, inserted);
    }
    out.push({ metric, value });
  }
  return out;
}

function resultMetric(
  many: Metric,
  one: Metric,
  op: BinaryOp,
  matching: VectorMatching,
  cache: Map<string, Metric>,
): Metric {
  const include = matching.include;
  const cacheKey = `${many.key}\x00${include.length > 0 ? one.key : ''}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const labels: Record<string, string> = { ...many.labels };
  if (DROPS_NAME.has(op)) delete labels.__name__;
  if (matching.card === 'one-to-one') {
    for (const name of Object.keys(labels)) {
      if (matching.on ? !matching.labels.includes(name) : matching.labels.includes(name)) delete labels[name];
    }
  }
  for (const name of include) {
    const value = one.labels[name];
    if (value !== undefined) labels[name] = value;
    else delete labels[name];
  }
  const metric = makeMetric(labels);
  cache.set(cacheKey, metric);
  return metric;
}

function setOperation(
  op: 'and' | 'or' | 'unless',
  lhs: Vector,
  rhs: Vector,
  matching: VectorMatching,
): Vector {
  const key = (m: Metric) => matchKey(m, matching.on, matching.labels);
  if (op === 'or') {
    const left = new Set(lhs.map((s) => key(s.metric)));
    return [...lhs, ...rhs.filter((s) => !left.has(key(s.metric)))];
  }
  const right = new Set(rhs.map((s) => key(s.metric)));
  return lhs.filter((s) => right.has(key(s.metric)) === (op === 'and'));
}

function execution(message: string): QueryError {
  return new QueryError('VIGIL_QUERY_EXECUTION', message);
}
