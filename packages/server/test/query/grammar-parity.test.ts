import { describe, expect, it } from 'vitest';
import { parsePromql } from '../../src/query/parse.js';
import { PromqlParseError } from '../../src/query/query-error.js';
import type { QueryResult } from '../../src/query/query-result.js';
import { engineOverStore } from './engine-over-store.js';

// Expected trees and values follow Prometheus's parser (promql/parser/parse_test.go, lex.go and the
// precedence table of generated_parser.y), not what vigil happened to answer before.

const sel = (name: string) => ({
  kind: 'vectorSelector',
  matchers: [{ name: '__name__', type: '=', value: name }],
});

function parseError(query: string): string {
  try {
    parsePromql(query);
  } catch (error) {
    if (error instanceof PromqlParseError) return error.detail;
    throw error;
  }
  throw new Error(`${query} parsed`);
}

describe('PromQL grammar as Prometheus reads it', () => {
  it.each([
    ['5.', 5],
    ['.5', 0.5],
    ['123.4567', 123.4567],
    ['5e-3', 0.005],
    ['5e3', 5000],
    ['1.e3', 1000],
    ['0x123', 0x123],
    ['0X1f', 31],
    ['0755', 0o755],
    ['Inf', Infinity],
    ['+Inf', Infinity],
    ['-inf', -Infinity],
  ])('reads the number literal %s as %d', (query, value) => {
    expect(parsePromql(query)).toMatchObject({ kind: 'number', value });
  });

  it('reads NaN in any case', () => {
    for (const query of ['NaN', 'nan', 'NAN'])
      expect(parsePromql(query)).toMatchObject({ kind: 'number', value: Number.NaN });
  });

  it('reads 5./6. and 1./6. as divisions of numbers', () => {
    expect(parsePromql('5./6.')).toMatchObject({
      kind: 'binary',
      op: '/',
      lhs: { kind: 'number', value: 5 },
      rhs: { kind: 'number', value: 6 },
    });
    expect(parsePromql('histogram_quantile(1./6., x)')).toMatchObject({
      args: [{ kind: 'binary', lhs: { value: 1 }, rhs: { value: 6 } }, sel('x')],
    });
  });

  it('keeps a trailing dot inside strings and label values as written', () => {
    expect(parsePromql('x{a="1.", b=\'2.\'}')).toMatchObject({
      matchers: [
        { name: '__name__', value: 'x' },
        { name: 'a', value: '1.' },
        { name: 'b', value: '2.' },
      ],
    });
  });

  it.each([
    ['SUM(x) BY (job)', 'sum', ['job'], false],
    ['Count(x) by (group)', 'count', ['group'], false],
    ['AVG WITHOUT (a) (x)', 'avg', ['a'], true],
    ['sum(x) WiThOuT (a)', 'sum', ['a'], true],
    ['MAX by(a)(x)', 'max', ['a'], false],
  ])('reads the aggregation %s in any case', (query, op, grouping, without) => {
    expect(parsePromql(query)).toMatchObject({ kind: 'aggregation', op, grouping, without, expr: sel('x') });
  });

  it('reads TOPK, QUANTILE and COUNT_VALUES with their parameter', () => {
    expect(parsePromql('TOPK(3, x)')).toMatchObject({ op: 'topk', param: { value: 3 } });
    expect(parsePromql('Quantile(0.9, x)')).toMatchObject({ op: 'quantile', param: { value: 0.9 } });
    expect(parsePromql('COUNT_VALUES("v", x)')).toMatchObject({ op: 'count_values', param: { value: 'v' } });
  });

  it('reads bool, on, ignoring, group_left/right and set operators in any case', () => {
    expect(parsePromql('a > BOOL 1')).toMatchObject({ op: '>', returnBool: true });
    expect(parsePromql('a * ON(x) GROUP_LEFT(y) b')).toMatchObject({
      matching: { on: true, labels: ['x'], card: 'many-to-one', include: ['y'] },
    });
    expect(parsePromql('a / IGNORING(x) Group_Right b')).toMatchObject({
      matching: { on: false, labels: ['x'], card: 'one-to-many' },
    });
    expect(parsePromql('a AND b')).toMatchObject({ op: 'and', matching: { card: 'many-to-many' } });
    expect(parsePromql('a Or b')).toMatchObject({ op: 'or' });
    expect(parsePromql('a UNLESS b')).toMatchObject({ op: 'unless' });
    expect(parsePromql('a OFFSET 5m')).toMatchObject({ offsetMs: 300_000 });
  });

  it('keeps function names case-sensitive', () => {
    expect(parseError('RATE(x[5m])')).toBe('unknown function with name "RATE"');
  });

  it('binds @ and offset tighter than unary minus', () => {
    expect(parsePromql('-x @ 100')).toMatchObject({
      kind: 'unary',
      op: '-',
      expr: { ...sel('x'), at: 100_000 },
    });
    expect(parsePromql('-x offset 5m')).toMatchObject({
      kind: 'unary',
      expr: { ...sel('x'), offsetMs: 300_000 },
    });
    expect(parsePromql('-x offset 5m @ 10')).toMatchObject({
      kind: 'unary',
      expr: { ...sel('x'), offsetMs: 300_000, at: 10_000 },
    });
  });

  it('binds offset to the operand on its left, not to the binary expression', () => {
    expect(parsePromql('x offset 1m or x offset 2m')).toMatchObject({
      kind: 'binary',
      op: 'or',
      lhs: { ...sel('x'), offsetMs: 60_000 },
      rhs: { ...sel('x'), offsetMs: 120_000 },
    });
    expect(parsePromql('a + b * c offset 1m')).toMatchObject({
      lhs: { ...sel('a'), offsetMs: 0 },
      rhs: { lhs: { ...sel('b'), offsetMs: 0 }, rhs: { ...sel('c'), offsetMs: 60_000 } },
    });
  });

  it('still refuses modifiers where Prometheus does', () => {
    expect(parseError('sum(x) offset 1m')).toMatch(/offset modifier must be preceded by/);
    expect(parseError('rate(a[5m]) offset 1m')).toMatch(/offset modifier must be preceded by/);
    expect(parseError('(a or b) offset 1m')).toMatch(/offset modifier must be preceded by/);
    expect(parseError('x offset 1m offset 2m')).toBe('offset may not be set multiple times');
    expect(parseError('-x @ 1 @ 2')).toBe('@ <timestamp> may not be set multiple times');
  });

  it('accepts absent() with two matchers on one label and string arguments in parentheses', () => {
    expect(parsePromql('absent(nonexistent{job="a",job=~"b",foo="bar"})')).toMatchObject({
      func: 'absent',
    });
    expect(parsePromql('label_replace((x), ("dst"), ("x-$1"), ("group"), ("(.*)"))')).toMatchObject({
      func: 'label_replace',
      args: [{ kind: 'paren' }, { kind: 'paren', expr: { kind: 'string', value: 'dst' } }, {}, {}, {}],
    });
  });
});

describe('answers to the forms Prometheus accepts', () => {
  const T0 = Date.UTC(2026, 0, 10, 12);

  const promql = engineOverStore({
    now: T0 + 3_600_000,
    fill: async (store) => {
      // x = 10 × minutes since T0 for two groups, one sample a minute for 10 minutes.
      await store.append(
        ['production', 'canary'].map((group) => ({
          labels: { __name__: 'x', job: 'api', group },
          timestamps: Array.from({ length: 11 }, (_, i) => T0 + i * 60_000),
          values: Float64Array.from({ length: 11 }, (_, i) => i * 10),
        })),
      );
    },
  });

  const at = T0 + 10 * 60_000;
  const answer = async (query: string, time = at) => flatten(await promql.engine.instantQuery(query, time));

  it('evaluates - - - 1 to -1 and 5./6. to a sixth of 5', async () => {
    expect(await answer('- - - 1')).toEqual({ '': -1 });
    expect(await answer('5./6.')).toEqual({ '': 5 / 6 });
    expect(await answer('.5 + 1')).toEqual({ '': 1.5 });
  });

  it('negates the sample at the @ time, not the whole expression', async () => {
    expect(await answer(`-x{group="canary"} @ ${(T0 + 3 * 60_000) / 1000}`)).toEqual({
      '{"group":"canary","job":"api"}': -30,
    });
  });

  it('applies each offset to its own operand of or', async () => {
    // The left side has both groups one minute back, so or adds nothing from the right side.
    expect(await answer('x offset 1m or x offset 2m')).toEqual({
      '{"__name__":"x","group":"canary","job":"api"}': 90,
      '{"__name__":"x","group":"production","job":"api"}': 90,
    });
    expect(await answer('x{group="canary"} offset 1m - x{group="canary"} offset 3m')).toEqual({
      '{"group":"canary","job":"api"}': 20,
    });
  });

  it('aggregates in upper case', async () => {
    expect(await answer('SUM(x) BY (job)')).toEqual({ '{"job":"api"}': 200 });
  });

  it('reads string arguments in parentheses', async () => {
    expect(
      await answer('label_replace((x{group="canary"}), ("dst"), ("x-$1"), ("group"), ("(.*)"))'),
    ).toEqual({ '{"__name__":"x","dst":"x-canary","group":"canary","job":"api"}': 100 });
  });

  it('leaves a label matched twice out of absent()', async () => {
    expect(await answer('absent(nonexistent{job="a",job=~"b",foo="bar"})')).toEqual({
      '{"foo":"bar"}': 1,
    });
  });
});

/** A scalar as `'' → value`, a vector as `labels → value`. */
function flatten(data: QueryResult): Record<string, number> {
  if (data.resultType === 'scalar') return { '': data.value };
  if (data.resultType !== 'vector') throw new Error(`expected a vector, got ${data.resultType}`);
  return Object.fromEntries(data.result.map((r) => [JSON.stringify(r.metric), r.value]));
}
