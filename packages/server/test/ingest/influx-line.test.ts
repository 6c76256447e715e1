import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canMeasureStretches, longestStretchWhile } from '../../../../test/support/event-loop-stretch.js';
import {
  type InfluxParseOptions,
  parseInfluxLines,
  parseInfluxLinesPaced,
} from '../../src/ingest/influx-line.js';
import { IngestError } from '../../src/ingest/ingest-error.js';

const NOW = 1_795_417_000_000;

/** Series as plain objects, values and timestamps as arrays, for toEqual. */
function parse(body: string, options: Partial<InfluxParseOptions> = {}) {
  const result = parseInfluxLines(body, { nowMs: NOW, ...options });
  return {
    ...result,
    series: result.series.map((s) => ({
      labels: s.labels,
      timestamps: [...s.timestamps],
      values: [...s.values],
    })),
  };
}

function failure(body: string, options: Partial<InfluxParseOptions> = {}): IngestError {
  try {
    parseInfluxLines(body, { nowMs: NOW, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(IngestError);
    return error as IngestError;
  }
  throw new Error(`expected an IngestError for ${JSON.stringify(body)}`);
}

describe('parseInfluxLines: what InfluxDB 1.6 stored from the same lines (shared/peers README §8)', () => {
  it('maps measurement_field, tags to labels, unescapes, skips and counts string fields', () => {
    const body = [
      'cpu,host=server\\ 01,region=us\\,west usage=0.64,count=5i,msg="hello \\"world\\" back\\\\slash",ok=true 1795417184629',
      'cpu,host=server\\ 02,region=eu\\=north usage=0.5,count=7i,msg="plain",ok=false 1795417184630',
      'my\\ measurement,tag\\ key=a\\=b value=1 1795417184631',
    ].join('\n');
    const host1 = { host: 'server 01', region: 'us,west' };
    const host2 = { host: 'server 02', region: 'eu=north' };
    expect(parse(body, { precision: 'ms' })).toEqual({
      series: [
        { labels: { __name__: 'cpu_usage', ...host1 }, timestamps: [1795417184629], values: [0.64] },
        { labels: { __name__: 'cpu_count', ...host1 }, timestamps: [1795417184629], values: [5] },
        { labels: { __name__: 'cpu_ok', ...host1 }, timestamps: [1795417184629], values: [1] },
        { labels: { __name__: 'cpu_usage', ...host2 }, timestamps: [1795417184630], values: [0.5] },
        { labels: { __name__: 'cpu_count', ...host2 }, timestamps: [1795417184630], values: [7] },
        { labels: { __name__: 'cpu_ok', ...host2 }, timestamps: [1795417184630], values: [0] },
        { labels: { __name__: 'my_measurement', tag_key: 'a=b' }, timestamps: [1795417184631], values: [1] },
      ],
      lines: 3,
      samples: 7,
      strings: 2,
      errors: [],
    });
  });

  it.each([
    ['an unescaped space in a tag value', 'cpu,host=server 01 usage=1 1', 'invalid field format'],
    ['an unescaped comma in a tag value', 'cpu,region=us,west usage=1', 'missing tag value'],
    ['no fields', 'cpu,host=a 1795417190846', 'invalid field format'],
    ['an unquoted string', 'cpu msg=hello', 'invalid number'],
    ['an unterminated string', 'cpu msg="hello', 'unbalanced quotes'],
    ['an empty tag value', 'cpu,host= usage=1', 'missing tag value'],
    [
      'an integer out of int64',
      'cpu count=99999999999999999999i',
      'unable to parse integer 99999999999999999999: value out of range',
    ],
    ['NaN', 'cpu usage=NaN', 'invalid number'],
    ['a fractional timestamp', 'cpu usage=1 1795417184629.5', 'bad timestamp'],
    ['a ns timestamp read as ms', 'cpu usage=1 1795417184629000000', 'time outside range'],
    ['a missing field value', 'cpu,host=bad usage= 1', 'missing field value'],
  ])('refuses %s as InfluxDB does', (_, line, message) => {
    const error = failure(line, { precision: 'ms' });
    expect(error.reason).toBe('bad_line');
    expect(error.message).toBe(`line 1: ${message}: ${JSON.stringify(line)}`);
  });

  it('accepts an empty body, comments, blank lines and whitespace-only lines', () => {
    expect(parse('')).toMatchObject({ series: [], lines: 0, errors: [] });
    expect(parse('# a comment\n\n   \n\t# indented comment\ncpu value=1\n\n')).toMatchObject({
      lines: 1,
      series: [{ labels: { __name__: 'cpu' }, values: [1] }],
    });
  });
});

describe('lenient mode: a partial write, as InfluxDB 1.x does', () => {
  it('keeps the good lines and reports each bad one with its line number and text', () => {
    const body =
      'cpu value=1 1000\ncpu,host=bad usage= 2\n\ncpu value=2 2000\ncpu value="unterminated\ncpu value=3 3000';
    expect(parse(body, { lenient: true, precision: 's' })).toEqual({
      series: [
        { labels: { __name__: 'cpu' }, timestamps: [1_000_000, 2_000_000, 3_000_000], values: [1, 2, 3] },
      ],
      lines: 3,
      samples: 3,
      strings: 0,
      errors: [
        { line: 2, message: 'missing field value', text: 'cpu,host=bad usage= 2' },
        { line: 5, message: 'unbalanced quotes', text: 'cpu value="unterminated' },
      ],
    });
  });

  it('stores nothing of a bad line, not even its good fields', () => {
    const result = parse('cpu a=1,b=x,c=3', { lenient: true });
    expect(result.series).toEqual([]);
    expect(result.errors).toEqual([{ line: 1, message: 'invalid number', text: 'cpu a=1,b=x,c=3' }]);
  });

  it('numbers lines after a string field that holds newlines', () => {
    const result = parse('cpu msg="two\nlines",v=1 1\ncpu v=oops', { lenient: true });
    expect(result.strings).toBe(1);
    expect(result.errors).toEqual([{ line: 3, message: 'invalid number', text: 'cpu v=oops' }]);
    expect(result.series).toEqual([{ labels: { __name__: 'cpu_v' }, timestamps: [0], values: [1] }]);
  });

  it('cuts the reported text at 200 characters', () => {
    const line = `cpu v=${'9'.repeat(300)}x`;
    expect(parse(line, { lenient: true }).errors[0]!.text).toBe(line.slice(0, 200));
  });
});

describe('field values', () => {
  it.each([
    ['1', 1],
    ['-1.5', -1.5],
    ['1.', 1],
    ['.5', 0.5],
    ['1e3', 1000],
    ['-2.5E-3', -0.0025],
    ['123i', 123],
    ['-9223372036854775808i', -(2 ** 63)],
    ['9223372036854775807i', 2 ** 63],
    ['123u', 123],
    ['18446744073709551615u', 2 ** 64],
    ['t', 1],
    ['T', 1],
    ['true', 1],
    ['True', 1],
    ['TRUE', 1],
    ['f', 0],
    ['F', 0],
    ['false', 0],
    ['False', 0],
    ['FALSE', 0],
  ])('%s → %d', (text, value) => {
    expect(parse(`m v=${text} 0`).series[0]!.values).toEqual([value]);
  });

  it.each([
    ['9223372036854775808i', 'unable to parse integer 9223372036854775808: value out of range'],
    ['-9223372036854775809i', 'unable to parse integer -9223372036854775809: value out of range'],
    ['18446744073709551616u', 'unable to parse unsigned 18446744073709551616: value out of range'],
    ['-1u', 'invalid number'],
    ['1.5i', 'invalid number'],
    ['i', 'invalid number'],
    ['+1', 'invalid number'],
    ['Inf', 'invalid number'],
    ['1e999', 'invalid number'],
    ['0x10', 'invalid number'],
    ['truth', 'invalid boolean'],
    ['yes', 'invalid number'],
  ])('refuses %s', (text, message) => {
    expect(failure(`m v=${text}`).message).toBe(`line 1: ${message}: ${JSON.stringify(`m v=${text}`)}`);
  });

  it('reads every decimal as Number() does, on both sides of the 15-digit fast path (fast-check)', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^\d{1,18}$/), fc.option(fc.stringMatching(/^\d{0,20}$/)))
      .map(
        ([negative, whole, fraction]) =>
          `${negative ? '-' : ''}${whole}${fraction === null ? '' : `.${fraction}`}`,
      );
    fc.assert(
      fc.property(decimal, fc.integer({ min: -9e12, max: 9e12 }), (text, ts) => {
        const { series } = parse(`m v=${text} ${ts}\nm w=${text.replace(/\..*/, '')}i ${ts}`, {
          precision: 'ms',
        });
        expect(Object.is(series[0]!.values[0], Number(text))).toBe(true);
        expect(series[0]!.timestamps).toEqual([ts]);
        expect(series[1]!.values).toEqual([Number(text.replace(/\..*/, ''))]);
      }),
      { numRuns: 2000 },
    );
  });

  it('names a field `value` after the measurement alone, and sanitises every name', () => {
    expect(parse('disk.io,dev-name=sda value=1,read-bytes=2,3x=4 0').series.map((s) => s.labels)).toEqual([
      { __name__: 'disk_io', dev_name: 'sda' },
      { __name__: 'disk_io_read_bytes', dev_name: 'sda' },
      { __name__: 'disk_io_3x', dev_name: 'sda' },
    ]);
    expect(parse('1m,__name__=x,0tag=y v=1 0').series[0]!.labels).toEqual({
      __name__: '_1m_v',
      x__name__: 'x',
      _0tag: 'y',
    });
  });

  it('unescapes keys and string fields as the docs say: \\, \\= \\space \\\\, any other backslash literal', () => {
    const body = 'we\\,ird\\ m\\=x,k\\=1\\ 2=a\\\\b\\c f\\,1\\=2=1,s="q\\"\\\\\\n" 0';
    expect(parse(body)).toMatchObject({
      series: [{ labels: { __name__: 'we_ird_m__x_f_1_2', k_1_2: 'a\\b\\c' } }],
      strings: 1,
    });
  });

  it('keeps __proto__ as an ordinary tag', () => {
    const labels = parse('m,__proto__=x v=1 0').series[0]!.labels;
    expect(Object.keys(labels)).toEqual(['__name__', 'x__proto__']);
    const raw = parse('m,proto=x v=1 0', { labels: { ['__proto__']: 'y' } }).series[0]!.labels;
    expect(Object.getOwnPropertyDescriptor(raw, '__proto__')?.value).toBe('y');
  });
});

describe('timestamps', () => {
  it.each([
    ['ns', '1795417184629123456', 1795417184629],
    ['n', '1795417184629123456', 1795417184629],
    ['us', '1795417184629123', 1795417184629],
    ['u', '1795417184629123', 1795417184629],
    ['ms', '1795417184629', 1795417184629],
    ['s', '1795417184', 1795417184000],
    ['m', '29923619', 1795417140000],
    ['h', '498727', 1795417200000],
    ['ns', '-1', -1],
    ['ns', '-1000000', -1],
    ['ns', '-1000001', -2],
    ['ns', '999999', 0],
    ['ns', '0', 0],
    ['us', '-1500', -2],
    ['ns', '9223372036854775807', 9223372036854],
    ['ns', '-9223372036854775808', -9223372036855],
  ] as const)('precision %s: %s → %d ms', (precision, ts, ms) => {
    expect(parse(`m v=1 ${ts}`, { precision }).series[0]!.timestamps).toEqual([ms]);
  });

  it('gives a line without a timestamp nowMs', () => {
    expect(parse('m v=1\nm v=2   \n').series[0]!.timestamps).toEqual([NOW, NOW]);
  });

  it.each([
    ['s', '9223372037'],
    ['ms', '9223372036855'],
    ['ns', '99999999999999999999'],
  ] as const)('refuses a time outside int64 ns (precision %s, %s)', (precision, ts) => {
    expect(failure(`m v=1 ${ts}`, { precision }).message).toContain('time outside range');
  });

  it('refuses text after the timestamp, and an unknown precision', () => {
    expect(failure('m v=1 1 2').message).toContain('bad timestamp');
    expect(failure('m v=1 1x').message).toContain('bad timestamp');
    expect(() => parseInfluxLines('', { nowMs: 0, precision: 'd' as 'ns' })).toThrow(
      'parseInfluxLines: precision "d" is not one of ns, n, us, u, ms, s, m, h',
    );
  });
});

describe('line structure', () => {
  it('reads CRLF line endings, leading whitespace, tabs and runs of spaces between sections', () => {
    expect(parse('  m,a=1 v=1  5\r\nm,a=1\tv=2\t6\r\n', { precision: 'ms' }).series).toEqual([
      { labels: { __name__: 'm_v', a: '1' }, timestamps: [5, 6], values: [1, 2] },
    ]);
  });

  it('groups the samples of one series across lines, in order of first appearance', () => {
    const body = 'm,h=a v=1 1\nm,h=b v=2 1\nm,h=a v=3,w=9 2\n';
    expect(parse(body, { precision: 'ms' }).series).toEqual([
      { labels: { __name__: 'm_v', h: 'a' }, timestamps: [1, 2], values: [1, 3] },
      { labels: { __name__: 'm_v', h: 'b' }, timestamps: [1], values: [2] },
      { labels: { __name__: 'm_w', h: 'a' }, timestamps: [2], values: [9] },
    ]);
  });

  it('adds the extra labels over tags of the same name', () => {
    expect(parse('m,db=x,h=a v=1 0', { labels: { db: 'mydb' } }).series[0]!.labels).toEqual({
      __name__: 'm_v',
      db: 'mydb',
      h: 'a',
    });
  });

  it.each([
    [',a=1 v=1', 'missing measurement'],
    [' ', undefined],
    ['m', 'missing fields'],
    ['m,=1 v=1', 'missing tag key'],
    ['m,a v=1', 'missing tag value'],
    ['m,a=b=c v=1', 'invalid tag format'],
    ['m,a=1,A=2,a=3 v=1', 'duplicate tag "a"'],
    ['m,a-b=1,a_b=2 v=1', 'duplicate tag "a_b"'],
    ['m =1', 'missing field key'],
    ['m v', 'invalid field format'],
    ['m v=1,', 'invalid field format'],
    ['m v="x"y', 'bad timestamp'],
    ['m\r v=1', 'missing fields'],
  ])('%j: %s', (line, message) => {
    if (message === undefined) {
      expect(parse(line).lines).toBe(0);
      return;
    }
    expect(failure(line).message).toBe(`line 1: ${message}: ${JSON.stringify(line)}`);
  });
});

/** The escaping a writer does (docs.influxdata.com, "Special characters"). */
const escapeMeasurement = (s: string) => s.replace(/[\\, ]/g, (c) => `\\${c}`);
const escapeKey = (s: string) => s.replace(/[\\,= ]/g, (c) => `\\${c}`);

describe('round trip from escaped text (fast-check)', () => {
  // No newlines (line protocol has no escape for them outside strings) and no leading '#'.
  const word = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
    .filter((s) => !/[\n\r\t]/.test(s) && !s.startsWith('#'));

  it('reads back every measurement, tag and field, whatever characters they hold', () => {
    fc.assert(
      fc.property(
        word,
        fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), word), {
          selector: ([k]) => k,
          maxLength: 4,
        }),
        fc.uniqueArray(fc.tuple(word, fc.double({ noNaN: true, noDefaultInfinity: true })), {
          selector: ([k]) => k,
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: -9e12, max: 9e12 }),
        (measurement, tags, fields, ts) => {
          const line = `${escapeMeasurement(measurement)}${tags.map(([k, v]) => `,${escapeKey(k)}=${escapeKey(v)}`).join('')} ${fields
            .map(([k, v]) => `${escapeKey(k)}=${v}`)
            .join(',')} ${ts}`;
          const result = parse(line, { precision: 'ms' });
          expect(result.series.length).toBe(fields.length);
          result.series.forEach((series, i) => {
            const [, value] = fields[i]!;
            expect(series.values).toEqual([value === 0 ? 0 : value]);
            expect(series.timestamps).toEqual([ts]);
            expect(Object.keys(series.labels).length).toBe(1 + tags.length);
            for (const [k, v] of tags) expect(series.labels[k]).toBe(v);
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never throws anything but an IngestError, and lenient mode never throws', () => {
    const nasty = fc.string({ unit: fc.constantFrom(...'m,= \\"\n\r\t#1i.u-eTf'.split(''), 'a', 'true') });
    fc.assert(
      fc.property(nasty, (body) => {
        try {
          parseInfluxLines(body, { nowMs: 0 });
        } catch (error) {
          expect(error).toBeInstanceOf(IngestError);
        }
        const lenient = parseInfluxLines(body, { nowMs: 0, lenient: true });
        for (const s of lenient.series) expect(s.values.length).toBe(s.timestamps.length);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('parseInfluxLinesPaced', () => {
  /** `n` lines of 100 hosts, every 1,000th one bad and every 700th with a string field across a newline. */
  const body = (n: number, tag: string) =>
    Array.from({ length: n }, (_, i) => {
      if (i % 1000 === 999) return `${tag} broken line ${i}`;
      const note = i % 700 === 0 ? `,note="two\nlines"` : '';
      return `${tag},host=host-${i % 100},line=${i} value=${i},other=${i * 2}i${note} ${NOW + i}`;
    }).join('\n');

  it('parses what parseInfluxLines does, across its pauses, and two bodies at once', async () => {
    // 30,000 lines, about 2 MB each: several pauses in each.
    const a = body(30_000, 'a');
    const b = body(25_000, 'b');
    const options = { nowMs: NOW, precision: 'ms', lenient: true } as const;
    const [pa, pb] = await Promise.all([
      parseInfluxLinesPaced(a, options),
      parseInfluxLinesPaced(b, options),
    ]);
    const sa = parseInfluxLines(a, options);
    expect(pa).toEqual(sa);
    expect(pb).toEqual(parseInfluxLines(b, options));
    // Line 1,000 comes after two string fields that each hold a newline; line 2,000 after three.
    expect(sa.errors.map((e) => e.line).slice(0, 2)).toEqual([1002, 2003]);
    expect(sa.series.length).toBeGreaterThan(50_000);
  });

  it('refuses a bad line of a strict parse with the same error', async () => {
    const text = body(2_000, 'c');
    const options = { nowMs: NOW, precision: 'ms' } as const;
    await expect(parseInfluxLinesPaced(text, options)).rejects.toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^line 1002: /) }),
    );
    expect(() => parseInfluxLines(text, options)).toThrow(IngestError);
  });

  it.runIf(canMeasureStretches)(
    'holds the event loop at most 50 ms at a time over 100,000 lines (7.5 MB)',
    async () => {
      const text = Array.from(
        { length: 100_000 },
        (_, i) => `probe,host=host-${i},region=eu value=${i},other=${i * 2}i ${NOW + i}`,
      ).join('\n');
      // Parsed in one go: 571-617 ms of CPU.
      const { result, cpuMs } = await longestStretchWhile(() =>
        parseInfluxLinesPaced(text, { nowMs: NOW, precision: 'ms' }),
      );
      expect(result.series).toHaveLength(200_000);
      expect(cpuMs).toBeLessThan(50);
    },
    60_000,
  );
});
