import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/base/errors.js';
import { ExpositionParseError } from '../../src/expo/exposition-parse-error.js';
import { parsePrometheusText } from '../../src/expo/parse-prometheus-text.js';

/** Shared with the peers report: small inputs and what promtool 2.42 said about each. */
// A copy of shared/peers/bad-expositions (39 inputs and what promtool 2.42 said of each).
const BAD = join(import.meta.dirname, 'fixtures/bad-expositions');

function promtoolResults(): Map<string, { rc: number; line?: number }> {
  const results = new Map<string, { rc: number; line?: number }>();
  let file = '';
  for (const row of readFileSync(join(BAD, 'promtool-results.txt'), 'utf8').split('\n')) {
    const head = /^### (\S+) rc=(\d)/.exec(row);
    if (head) {
      file = head[1] ?? '';
      results.set(file, { rc: Number(head[2]) });
      continue;
    }
    const at = /in line (\d+)/.exec(row);
    const entry = results.get(file);
    if (at && entry) entry.line = Number(at[1]);
  }
  return results;
}

function parseError(text: string, options: { openMetrics?: boolean } = {}): ExpositionParseError {
  try {
    parsePrometheusText(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpositionParseError);
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('VIGIL_PARSE');
    return error as ExpositionParseError;
  }
  throw new Error(`expected a parse error for ${JSON.stringify(text)}`);
}

describe('parsePrometheusText against promtool (shared/peers/bad-expositions)', () => {
  const results = promtoolResults();
  const files = readdirSync(BAD).filter((name) => name.endsWith('.prom'));

  it('has the 39 cases of the peers report', () => {
    expect(files).toHaveLength(39);
    expect(results.size).toBe(39);
  });

  // A string cannot hold invalid UTF-8; the caller's decoder rejects it before the parser sees it.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  it('leaves invalid UTF-8 (27) to a fatal decoder', () => {
    expect(() => decoder.decode(readFileSync(join(BAD, '27-invalid-utf8-label.prom')))).toThrow(TypeError);
  });

  for (const file of files.filter((name) => !name.startsWith('27-'))) {
    const result = results.get(file);
    const text = readFileSync(join(BAD, file), 'utf8');
    if (result?.rc === 1) {
      const line = result.line;
      it(`rejects ${file} at line ${line}, as promtool does`, () => {
        const error = parseError(text);
        expect(error.line).toBe(line);
        expect(error.message).toMatch(new RegExp(`^line ${line}: `));
      });
    } else {
      it(`accepts ${file}, as promtool does (rc ${result?.rc})`, () => {
        expect(() => parsePrometheusText(text)).not.toThrow();
      });
    }
  }
});

describe('parsePrometheusText error messages say what was wrong and what was expected', () => {
  it.each([
    ['# HELP a x\n# HELP a y\n', 2, /second HELP line for metric "a"/],
    ['a{l="bad\\q"} 1\n', 1, /invalid escape sequence '\\q'.*expected/],
    ['a{l="un"escaped"} 1\n', 1, /unexpected 'e' after label value "un"; expected ',' or '}'/],
    ['a{l="raw\nnewline"} 1\n', 1, /label value "raw" is not closed before the end of the line/],
    ['# TYPE a counter\n# TYPE a counter\n', 2, /second TYPE line for metric "a"/],
    ['a 1\n# TYPE a counter\n', 2, /TYPE after its samples/],
    ['# HELP 1bad x\n', 1, /invalid metric name in HELP line at "1bad x"/],
    ['1bad 1\n', 1, /invalid metric name at "1bad 1"; expected \[a-zA-Z_:\]/],
    ['a 1', 1, /ends without a line feed/],
    ['a{l="x",l="y"} 1\n', 1, /duplicate label name "l" in "a"/],
    [
      '# TYPE h histogram\nh_bucket{le="abc"} 1\n',
      2,
      /expected a float as value for the 'le' label, got "abc"/,
    ],
    ['# TYPE h histogram\nh_bucket 1\n', 2, /has no 'le' label/],
    [
      '# TYPE h histogram\nh 1\n',
      2,
      /sample "h" does not fit histogram "h"; expected h_bucket, h_count, h_sum/,
    ],
    ['# TYPE s summary\ns{quantile="x"} 1\n', 2, /'quantile' label, got "x"/],
    ['# TYPE a bogus\n', 1, /unknown metric type "bogus"; expected counter, gauge/],
    ['# TYPE a counter\r\n', 1, /carriage return \(CRLF\)/],
    ['a 1\r\n', 1, /carriage return \(CRLF\)/],
    ['a 1 \n', 1, /expected an integer timestamp in milliseconds, got ""/],
    ['a 1 2 3\n', 1, /unexpected " 3" after the timestamp; expected the end of the line/],
    ['a 0x1F\n', 1, /expected a float as value, got "0x1F"/],
    ['a{__name__="b"} 1\n', 1, /"__name__" is reserved/],
    ['a{1l="b"} 1\n', 1, /invalid label name at "1l=/],
    ['a{l"b"} 1\n', 1, /expected '=' after label name "l"/],
    ['a{l=b} 1\n', 1, /expected '"' to open the value of label "l"/],
    ['a-b 1\n', 1, /unexpected '-' after metric name "a"/],
    ['a\n', 1, /unexpected the end of the line after metric name "a"/],
    ['# HELP a x\\\n', 1, /lone backslash/],
    ['# HELP a x\\t\n', 1, /invalid escape sequence '\\t' in HELP/],
  ])('%j → line %d', (text, line, message) => {
    const error = parseError(text);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
  });
});

describe('parsePrometheusText, Prometheus text format', () => {
  it('reads families, labels, values and timestamps', () => {
    const text = [
      '# HELP x_total A counter that grows 10/s.',
      '# TYPE x_total counter',
      'x_total{path="/a",note="quote\\" backslash\\\\ newline\\n end"} 13',
      'x_total{path="/b",note="plain"} 26 1700000000000',
      '# HELP h Request latency histogram (seconds).',
      '# TYPE h histogram',
      'h_bucket{le="0.1"} 4',
      'h_bucket{le="+Inf"} 13',
      'h_sum 8.900000',
      'h_count 13',
      '  # a comment',
      '',
      'untyped_metric -Inf',
      '',
    ].join('\n');
    expect(parsePrometheusText(text)).toEqual([
      {
        name: 'x_total',
        type: 'counter',
        help: 'A counter that grows 10/s.',
        unit: '',
        samples: [
          { name: 'x_total', labels: { path: '/a', note: 'quote" backslash\\ newline\n end' }, value: 13 },
          {
            name: 'x_total',
            labels: { path: '/b', note: 'plain' },
            value: 26,
            timestampMs: 1_700_000_000_000,
          },
        ],
      },
      {
        name: 'h',
        type: 'histogram',
        help: 'Request latency histogram (seconds).',
        unit: '',
        samples: [
          { name: 'h_bucket', labels: { le: '0.1' }, value: 4 },
          { name: 'h_bucket', labels: { le: '+Inf' }, value: 13 },
          { name: 'h_sum', labels: {}, value: 8.9 },
          { name: 'h_count', labels: {}, value: 13 },
        ],
      },
      {
        name: 'untyped_metric',
        type: 'untyped',
        help: '',
        unit: '',
        samples: [{ name: 'untyped_metric', labels: {}, value: Number.NEGATIVE_INFINITY }],
      },
    ]);
  });

  it('allows blanks and tabs around tokens and a trailing comma, as Go does', () => {
    const [family] = parsePrometheusText('a\t{ l = "x" , m="y", }  1\t5\n');
    expect(family?.samples).toEqual([{ name: 'a', labels: { l: 'x', m: 'y' }, value: 1, timestampMs: 5 }]);
  });

  it('keeps families that have metadata and no samples', () => {
    expect(parsePrometheusText('# HELP a_total x\n# TYPE a_total counter\n')).toEqual([
      { name: 'a_total', type: 'counter', help: 'x', unit: '', samples: [] },
    ]);
  });

  it('reads a label named __proto__ as a label, not a prototype', () => {
    const [family] = parsePrometheusText('a{__proto__="x"} 1\n');
    const labels = family?.samples[0]?.labels ?? {};
    expect(Object.keys(labels)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value).toBe('x');
  });

  it('reads a HELP text that ends in a carriage return, which no escape can express', () => {
    expect(parsePrometheusText('# HELP a x\r\na 1\n')[0]?.help).toBe('x\r');
  });

  it('treats # EOF as a comment, as promtool does', () => {
    expect(parsePrometheusText('a 1\n# EOF\n')).toHaveLength(1);
  });

  it('parses an empty input to no families', () => {
    expect(parsePrometheusText('')).toEqual([]);
  });
});

describe('parsePrometheusText, OpenMetrics', () => {
  const om = { openMetrics: true } as const;

  it('reads the spec example: units, counters by family name, created, float-second timestamps', () => {
    const text = [
      '# TYPE acme_http_router_request_seconds summary',
      '# UNIT acme_http_router_request_seconds seconds',
      "# HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.",
      'acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32',
      'acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0',
      'acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0',
      '# TYPE process_cpu_seconds counter',
      '# UNIT process_cpu_seconds seconds',
      '# HELP process_cpu_seconds Total user and system CPU time spent in seconds.',
      'process_cpu_seconds_total 4.20072246e+06 1520879607.789',
      '# EOF',
    ].join('\n');
    const families = parsePrometheusText(text, om);
    expect(families.map((f) => [f.name, f.type, f.unit, f.samples.length])).toEqual([
      ['acme_http_router_request_seconds', 'summary', 'seconds', 3],
      ['process_cpu_seconds', 'counter', 'seconds', 1],
    ]);
    expect(families[1]?.samples[0]).toEqual({
      name: 'process_cpu_seconds_total',
      labels: {},
      value: 4200722.46,
      timestampMs: 1_520_879_607_789,
    });
  });

  it('reads exemplars on buckets and totals', () => {
    const text = [
      '# TYPE foo histogram',
      'foo_bucket{le="0.1"} 8 # {} 0.054',
      'foo_bucket{le="10"} 17 # {trace_id="oHg5SJYRHA0"} 9.8 1520879607.789',
      'foo_bucket{le="+Inf"} 17',
      'foo_count 17',
      'foo_sum 324789.3',
      '# EOF',
      '',
    ].join('\n');
    const samples = parsePrometheusText(text, om)[0]?.samples ?? [];
    expect(samples[0]?.exemplar).toEqual({ labels: {}, value: 0.054 });
    expect(samples[1]?.exemplar).toEqual({
      labels: { trace_id: 'oHg5SJYRHA0' },
      value: 9.8,
      timestampMs: 1_520_879_607_789,
    });
  });

  it('keeps an undefined escape as the two characters, as its ABNF allows', () => {
    const samples = parsePrometheusText('a{l="x\\qy"} 1\n# EOF\n', om)[0]?.samples;
    expect(samples?.[0]?.labels).toEqual({ l: 'x\\qy' });
  });

  it('accepts # EOF without a final line feed', () => {
    expect(parsePrometheusText('a 1\n# EOF', om)).toHaveLength(1);
  });

  it.each([
    ['a 1\n', 2, /ends without "# EOF"/],
    ['', 1, /ends without "# EOF"/],
    ['# EOF\na 1\n', 2, /content after "# EOF"/],
    ['a 1\n\n# EOF\n', 2, /blank line/],
    ['# a comment\n# EOF\n', 1, /unexpected comment/],
    ['# TYPE a gauge\na 1\n# HELP a x\n# EOF\n', 3, /HELP line for "a" after its samples/],
    ['# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n# EOF\n', 5, /must not be interleaved/],
    [
      '# TYPE foo counter\n# UNIT foo seconds\n# EOF\n',
      2,
      /unit "seconds" is not a suffix of the family name "foo"/,
    ],
    ['# TYPE a untyped\n# EOF\n', 1, /unknown metric type "untyped"/],
    ['# TYPE a counter\na 1\n# EOF\n', 2, /sample "a" does not fit counter "a"; expected a_total, a_created/],
    ['a{l="x",} 1\n# EOF\n', 1, /trailing ','/],
    ['a  1\n# EOF\n', 1, /expected a float as value, got ""/],
    ['a{l="x"}  1\n# EOF\n', 1, /expected a float as value/],
    ['a 1 1.5.5\n# EOF\n', 1, /expected a timestamp in seconds/],
    ['a 1 # {} 1\n# EOF\n', 1, /OpenMetrics allows exemplars on counter _total and _bucket samples only/],
    ['# TYPE c counter\nc_total 1 # x\n# EOF\n', 2, /expected '\{' to open the exemplar's labels/],
    ['# TYPE c counter\nc_total 1 # {} 1 2 3\n# EOF\n', 2, /after the exemplar/],
    ['# HELP a x\n# HELP a y\n# EOF\n', 2, /second HELP line/],
    ['# TYPE a gauge\n# TYPE a gauge\n# EOF\n', 2, /second TYPE line/],
    ['# UNIT a_s s\n# UNIT a_s s\n# EOF\n', 2, /second UNIT line/],
    ['# UNIT a_s s-s\n# EOF\n', 1, /invalid unit "s-s"/],
    ['# HELP 1a x\n# EOF\n', 1, /invalid metric name in HELP line/],
  ])('%j → line %d', (text, line, message) => {
    const error = parseError(text, om);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
  });
});

describe('parsePrometheusText, lenient', () => {
  it('keeps every good line and reports each bad one', () => {
    const text = [
      '# TYPE a_total counter',
      'a_total{l="x"} 1',
      'a_total{l="bad\\q"} 2',
      'a_total{l="y"} 3',
      '# TYPE a_total counter',
      'b 0x1',
      'b 4',
    ].join('\n');
    const { families, errors } = parsePrometheusText(text, { strict: false });
    expect(families.map((f) => [f.name, f.samples.map((s) => s.value)])).toEqual([
      ['a_total', [1, 3]],
      ['b', [4]],
    ]);
    expect(errors.map((e) => e.line)).toEqual([3, 5, 6, 7]);
    expect(errors[0]?.message).toMatch(/^line 3: invalid escape sequence/);
    expect(errors[3]?.message).toMatch(/^line 7: the input ends without a line feed/);
  });

  it('leaves no family behind for a line it rejects', () => {
    expect(parsePrometheusText('x 0x1\n', { strict: false }).families).toEqual([]);
  });

  it('reports a missing # EOF but keeps the families', () => {
    const { families, errors } = parsePrometheusText('a 1\n', { openMetrics: true, strict: false });
    expect(families).toHaveLength(1);
    expect(errors).toEqual([
      {
        line: 2,
        message: 'line 2: the input ends without "# EOF"; OpenMetrics requires it as the last line',
      },
    ]);
  });
});
