import { describe, expect, it } from 'vitest';
import { promqlString } from '../../src/query/format-promql.js';
import { parsePromql } from '../../src/query/parse.js';
import { PromqlParseError } from '../../src/query/query-error.js';

function parseError(query: string): PromqlParseError {
  try {
    parsePromql(query);
  } catch (error) {
    if (error instanceof PromqlParseError) return error;
    throw error;
  }
  throw new Error(`${query} parsed`);
}

describe('parsePromql', () => {
  it('builds the AST of the seed query with matchers, modifiers and grouping', () => {
    const ast = parsePromql(
      'histogram_quantile(0.95, sum(rate(d_bucket{p=~"n.*", q!=""}[5m] offset 1m)) by (p, le))',
    );
    expect(ast).toMatchObject({
      kind: 'call',
      func: 'histogram_quantile',
      args: [
        { kind: 'number', value: 0.95 },
        {
          kind: 'aggregation',
          op: 'sum',
          grouping: ['p', 'le'],
          without: false,
          expr: {
            kind: 'call',
            func: 'rate',
            args: [
              {
                kind: 'matrixSelector',
                rangeMs: 300_000,
                selector: {
                  matchers: [
                    { name: '__name__', type: '=', value: 'd_bucket' },
                    { name: 'p', type: '=~', value: 'n.*' },
                    { name: 'q', type: '!=', value: '' },
                  ],
                  offsetMs: 60_000,
                },
              },
            ],
          },
        },
      ],
    });
  });

  it('reads bool, on/ignoring, group_left, @, subqueries and unary minus', () => {
    expect(parsePromql('a > bool on (x) group_left (y) -b')).toMatchObject({
      kind: 'binary',
      op: '>',
      returnBool: true,
      matching: { on: true, labels: ['x'], card: 'many-to-one', include: ['y'] },
      rhs: { kind: 'unary', op: '-' },
    });
    expect(parsePromql('max_over_time(x[1h:5m] @ end())')).toMatchObject({
      args: [{ kind: 'subquery', rangeMs: 3_600_000, stepMs: 300_000, at: 'end' }],
    });
    expect(parsePromql('x @ 100.5')).toMatchObject({ kind: 'vectorSelector', at: 100_500 });
  });

  it('keeps a duration of milliseconds exact in ranges, offsets and steps, and writes it back so', () => {
    // 1001 ms through seconds and back is 1000.9999999999999, which format_query wrote as 1s.
    expect(parsePromql('x[1001ms]')).toMatchObject({ kind: 'matrixSelector', rangeMs: 1001 });
    expect(parsePromql('x offset 2s7ms')).toMatchObject({ kind: 'vectorSelector', offsetMs: 2007 });
    expect(parsePromql('x offset -2007ms')).toMatchObject({ kind: 'vectorSelector', offsetMs: -2007 });
    expect(parsePromql('x[5m:1003ms]')).toMatchObject({ kind: 'subquery', stepMs: 1003 });
    expect(promqlString(parsePromql('rate(x[1s1ms] offset 2007ms)'))).toBe('rate(x[1s1ms] offset 2s7ms)');
  });

  it.each([
    ['sum(x', 5, 'unclosed left parenthesis'],
    ['x{a=}', 4, 'unexpected "}" in label matching, expected string'],
    ['foo bar', 4, 'unexpected identifier "bar"'],
    ['x +', 3, 'unexpected end of input'],
    ['rate(x)', 5, 'expected type range vector in call to function "rate", got instant vector'],
    ['1 > 2', 2, 'comparisons between scalars must use BOOL modifier'],
    ['{a=""}', 0, 'vector selector must contain at least one non-empty matcher'],
    ['x and 1', 2, 'set operator "and" not allowed in binary scalar expression'],
    ['nope(x)', 0, 'unknown function with name "nope"'],
  ])('reports %s at its position', (query, position, detail) => {
    const error = parseError(query);
    expect(error).toMatchObject({ position, detail, type: 'bad_data' });
    expect(error.message).toBe(`parse error at char ${position + 1}: ${detail}`);
  });

  it('counts lines and columns in a multi-line query', () => {
    expect(parseError('sum(\n  rate(x)\n)').message).toBe(
      'parse error at line 2, char 8: expected type range vector in call to function "rate", got instant vector',
    );
  });
});
