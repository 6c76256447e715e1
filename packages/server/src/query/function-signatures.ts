import type { ValueType } from './ast.js';

export interface FunctionSignature {
  readonly args: readonly ValueType[];
  /** How many trailing arguments may be left out (-1: the last one repeats without bound). */
  readonly optional: number;
  readonly returns: ValueType;
  /** Behind `promql-experimental-functions`, as in Prometheus 3. */
  readonly experimental?: boolean;
}

const V: ValueType = 'vector';
const M: ValueType = 'matrix';
const S: ValueType = 'scalar';
const STR: ValueType = 'string';

const sig = (args: ValueType[], returns: ValueType, optional = 0): FunctionSignature => ({
  args,
  optional,
  returns,
});
const experimental = (args: ValueType[], returns: ValueType, optional = 0): FunctionSignature => ({
  ...sig(args, returns, optional),
  experimental: true,
});

const overTime = [
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'present_over_time',
  'absent_over_time',
  'rate',
  'irate',
  'increase',
  'delta',
  'idelta',
  'deriv',
  'resets',
  'changes',
];
const math = [
  'abs',
  'ceil',
  'floor',
  'exp',
  'ln',
  'log2',
  'log10',
  'sqrt',
  'sgn',
  'acos',
  'acosh',
  'asin',
  'asinh',
  'atan',
  'atanh',
  'cos',
  'cosh',
  'sin',
  'sinh',
  'tan',
  'tanh',
  'deg',
  'rad',
  'timestamp',
  'sort',
  'sort_desc',
  'absent',
];
const dates = [
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'hour',
  'minute',
  'month',
  'year',
];

/** The functions vigil evaluates, with Prometheus's argument and result types. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSignature> = new Map([
  ...overTime.map((name) => [name, sig([M], V)] as const),
  ...math.map((name) => [name, sig([V], V)] as const),
  ...dates.map((name) => [name, sig([V], V, 1)] as const),
  ['quantile_over_time', sig([S, M], V)],
  ['predict_linear', sig([M, S], V)],
  ['round', sig([V, S], V, 1)],
  ['clamp', sig([V, S, S], V)],
  ['clamp_min', sig([V, S], V)],
  ['clamp_max', sig([V, S], V)],
  ['scalar', sig([V], S)],
  ['vector', sig([S], V)],
  ['time', sig([], S)],
  ['pi', sig([], S)],
  ['histogram_quantile', sig([S, V], V)],
  ...['histogram_count', 'histogram_sum', 'histogram_avg', 'histogram_stddev', 'histogram_stdvar'].map(
    (name) => [name, sig([V], V)] as const,
  ),
  ['histogram_fraction', sig([S, S, V], V)],
  ['label_replace', sig([V, STR, STR, STR, STR], V)],
  ['label_join', sig([V, STR, STR, STR], V, -1)],
  ...[
    'mad_over_time',
    'first_over_time',
    'ts_of_first_over_time',
    'ts_of_min_over_time',
    'ts_of_max_over_time',
    'ts_of_last_over_time',
  ].map((name) => [name, experimental([M], V)] as const),
  ['double_exponential_smoothing', experimental([M, S, S], V)],
  ['sort_by_label', experimental([V, STR], V, -1)],
  ['sort_by_label_desc', experimental([V, STR], V, -1)],
  ['info', experimental([V, V], V, 1)],
  ...['start', 'end', 'range', 'step'].map((name) => [name, experimental([], S)] as const),
  ['min_of', experimental([S, S], S)],
  ['max_of', experimental([S, S], S)],
]);
