import { describe, expect, it } from 'vitest';
import { formatPromql } from '../../src/query/format-promql.js';
import { parsePromql } from '../../src/query/parse.js';

const format = (query: string) => formatPromql(parsePromql(query));

// Expected text from Prometheus's printer (printer_test.go), its prettier's rules (prettier.go: one
// line up to 100 characters, else each child on its own line two spaces in) and the API docs' example.
describe('formatPromql', () => {
  it.each([
    ['foo/bar', 'foo / bar'],
    ['sum(rate(x[5m]))by(job)', 'sum by (job) (rate(x[5m]))'],
    ['sum by() (task:errors:rate10s{job="s"})', 'sum(task:errors:rate10s{job="s"})'],
    ['sum without() (task:errors:rate10s{job="s"})', 'sum without () (task:errors:rate10s{job="s"})'],
    ['SUM(x) BY (a, b)', 'sum by (a, b) (x)'],
    ['topk(5, task:errors:rate10s{job="s"})', 'topk(5, task:errors:rate10s{job="s"})'],
    ['count_values("value", x)', 'count_values("value", x)'],
    ['a - on() c', 'a - on () c'],
    ['a - on(b) c', 'a - on (b) c'],
    ['a - on(b) group_left(x, y) c', 'a - on (b) group_left (x, y) c'],
    ['a - on(b) group_right c', 'a - on (b) group_right () c'],
    ['a - ignoring(b) c', 'a - ignoring (b) c'],
    ['a - ignoring() c', 'a - c'],
    ['up > bool 0', 'up > bool 0'],
    ['a offset 1m', 'a offset 1m'],
    ['a offset -7m', 'a offset -7m'],
    ['a{c="d"}[3m] offset 2m', 'a{c="d"}[3m] offset 2m'],
    ['a @ 10', 'a @ 10.000'],
    ['a[1m] @ 10', 'a[1m] @ 10.000'],
    ['a @ start()', 'a @ start()'],
    ['a[1m] @ end()', 'a[1m] @ end()'],
    ['a[5m:] offset 90m', 'a[5m:] offset 1h30m'],
    ['a[1h:5m]', 'a[1h:5m]'],
    ['{__name__="a",b!="c"}', 'a{b!="c"}'],
    ['x{b="1",a=~"2"}', 'x{a=~"2",b="1"}'],
    ['(a + b) * c', '(a + b) * c'],
    ['-a', '-a'],
    ['- - - 1', '-1'],
    ['1e6 + 1e-5 + 123456 + 0.0001', '1e+06 + 1e-05 + 123456 + 0.0001'],
    ['Inf - -Inf + NaN', '+Inf - -Inf + NaN'],
    ["label_replace(x, 'dst', \"a\\\"b\", `src`, '(.*)')", 'label_replace(x, "dst", "a\\"b", "src", "(.*)")'],
  ])('%s → %s', (query, expected) => {
    expect(format(query)).toBe(expected);
  });

  it('keeps a name matcher inside the braces beside another one, so the text parses again', () => {
    const text = format('{__name__="a_total", __name__=~".+_total", job="x"}');
    expect(text).toBe('{__name__="a_total",__name__=~".+_total",job="x"}');
    expect(format(text)).toBe(text);
    expect(format('{__name__="a_total", job="x"}')).toBe('a_total{job="x"}');
  });

  it('splits an expression longer than 100 characters, each child two spaces in', () => {
    expect(
      format(
        'histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{job="api-server",handler="/api/v1/query_range"}[5m])))',
      ),
    ).toBe(
      [
        'histogram_quantile(',
        '  0.9,',
        '  sum by (le) (',
        '    rate(http_request_duration_seconds_bucket{handler="/api/v1/query_range",job="api-server"}[5m])',
        '  )',
        ')',
      ].join('\n'),
    );
    const long = 'a_very_long_metric_name_number_one{label="value"}';
    expect(format(`${long} + ${long.replace('one', 'two')} > bool 1`)).toBe(
      [
        '    a_very_long_metric_name_number_one{label="value"}',
        '  +',
        '    a_very_long_metric_name_number_two{label="value"}',
        '> bool',
        '  1',
      ].join('\n'),
    );
  });
});
