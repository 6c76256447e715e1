import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/base/errors.js';
import type { MetricSnapshot, RegistrySnapshot } from '../../src/core/snapshot.js';
import { canonicalNumber } from '../../src/expo/canonical-number.js';
import { toOpenMetrics } from '../../src/expo/openmetrics.js';
import {
  type ParsedFamily,
  type ParsedSample,
  parsePrometheusText,
} from '../../src/expo/parse-prometheus-text.js';
import { toPrometheusText } from '../../src/expo/prometheus-text.js';
import { counterPoint, gaugePoint, histogramPoint, nastySnapshot } from './fixture.js';

/** Property tests: whatever the serialisers write, the parser reads back to the same samples. */

const FORMATS = [
  ['Prometheus text', (s: RegistrySnapshot) => toPrometheusText(s), false],
  ['OpenMetrics', (s: RegistrySnapshot) => toOpenMetrics(s), true],
] as const;

function snapshotOf(metrics: readonly MetricSnapshot[]): RegistrySnapshot {
  return { timestamp: 0, startTime: 0, scopeLabel: 'session', scopes: [], metrics };
}

/** -0 is written as 0; NaN stays NaN, which toEqual treats as equal to itself. */
function written(value: number): number {
  return Object.is(value, -0) ? 0 : value;
}

const anyString = fc.string({ unit: 'binary', maxLength: 24 });
const labelName = fc
  .stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,6}$/)
  .filter((name) => !name.startsWith('__') && name !== 'le');
const labels = fc.dictionary(labelName, anyString, { maxKeys: 3 });
const value = fc.double();

const metric = (index: number): fc.Arbitrary<MetricSnapshot> => {
  const base = fc.record({
    prefix: fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,6}$/),
    help: anyString,
    unit: fc.constantFrom('', 'seconds', 'bytes'),
  });
  const name = (prefix: string, unit: string) => `${prefix}_${index}${unit === '' ? '' : `_${unit}`}`;
  return fc.oneof(
    fc
      .record({ base, points: fc.array(fc.tuple(labels, value), { maxLength: 4 }) })
      .map(({ base: b, points }) => ({
        type: 'counter' as const,
        name: `${name(b.prefix, b.unit)}_total`,
        help: b.help,
        unit: b.unit,
        points: points.map(([l, v]) => counterPoint(l, v)),
      })),
    fc
      .record({ base, points: fc.array(fc.tuple(labels, value), { maxLength: 4 }) })
      .map(({ base: b, points }) => ({
        type: 'gauge' as const,
        name: name(b.prefix, b.unit),
        help: b.help,
        unit: b.unit,
        points: points.map(([l, v]) => gaugePoint(l, v)),
      })),
    fc
      .record({
        base,
        bounds: fc.uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 5 }),
        points: fc.array(
          fc.tuple(labels, fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { maxLength: 6 })),
          {
            maxLength: 3,
          },
        ),
      })
      .map(({ base: b, bounds, points }) => {
        const sorted = [...new Set(bounds.map(written))].sort((x, y) => x - y);
        return {
          type: 'histogram' as const,
          name: name(b.prefix, b.unit),
          help: b.help,
          unit: b.unit,
          bounds: sorted,
          quantiles: [],
          points: points.map(([l, observations]) => histogramPoint(l, sorted, observations)),
        };
      }),
  );
};

const snapshot = fc
  .integer({ min: 0, max: 5 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => metric(i))))
  .map((metrics) => snapshotOf(metrics));

/** What the parser should give back for a snapshot: the model of both formats. */
function expectedFamilies(s: RegistrySnapshot, openMetrics: boolean): ParsedFamily[] {
  return s.metrics.map((m) => {
    const name = openMetrics && m.type === 'counter' ? m.name.replace(/_total$/, '') : m.name;
    const help = m.help.toWellFormed();
    const samples: ParsedSample[] = [];
    const labelsOf = (l: Readonly<Record<string, string>>) =>
      Object.fromEntries(
        Object.entries(l)
          .filter(([, v]) => v !== '')
          .map(([k, v]) => [k, v.toWellFormed()]),
      );
    if (m.type === 'histogram') {
      for (const p of m.points) {
        const own = labelsOf(p.labels);
        m.bounds.forEach((bound, i) => {
          samples.push({
            name: `${m.name}_bucket`,
            labels: { ...own, le: canonicalNumber(bound, openMetrics) },
            value: p.buckets[i] ?? Number.NaN,
          });
        });
        samples.push({ name: `${m.name}_bucket`, labels: { ...own, le: '+Inf' }, value: p.count });
        samples.push({ name: `${m.name}_sum`, labels: own, value: written(p.sum) });
        samples.push({ name: `${m.name}_count`, labels: own, value: p.count });
      }
    } else {
      const sampleName = openMetrics && m.type === 'counter' ? `${name}_total` : m.name;
      for (const p of m.points)
        samples.push({ name: sampleName, labels: labelsOf(p.labels), value: written(p.value) });
    }
    return {
      name,
      type: m.type,
      // The text format's parser (Go's too) skips the blanks between the name and the HELP text.
      help: openMetrics ? help : help.replace(/^[ \t]+/, ''),
      unit: openMetrics && m.unit !== '' && name.endsWith(`_${m.unit}`) ? m.unit : '',
      samples,
    };
  });
}

describe.each(FORMATS)('%s round trip', (_, format, openMetrics) => {
  const options = { openMetrics };

  it('reads any label value back as written (lone surrogates become U+FFFD)', () => {
    fc.assert(
      fc.property(anyString, (v) => {
        const text = format(
          snapshotOf([{ type: 'gauge', name: 'g', help: '', unit: '', points: [gaugePoint({ l: v }, 1)] }]),
        );
        const [family] = parsePrometheusText(text, options);
        expect(family?.samples[0]?.labels).toEqual(v === '' ? {} : { l: v.toWellFormed() });
      }),
      { numRuns: 500 },
    );
  });

  it('reads any value back as written, NaN and infinities included', () => {
    fc.assert(
      fc.property(value, (v) => {
        const text = format(
          snapshotOf([{ type: 'gauge', name: 'g', help: '', unit: '', points: [gaugePoint({}, v)] }]),
        );
        expect(parsePrometheusText(text, options)[0]?.samples[0]?.value).toEqual(written(v));
      }),
      { numRuns: 500 },
    );
  });

  it('parse(format(snapshot)) has the same families, samples and values', () => {
    fc.assert(
      fc.property(snapshot, (s) => {
        expect(parsePrometheusText(format(s), options)).toEqual(expectedFamilies(s, openMetrics));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips the nasty fixture', () => {
    const s = nastySnapshot();
    expect(parsePrometheusText(format(s), options)).toEqual(expectedFamilies(s, openMetrics));
  });

  it('reads its own output the same in lenient mode, with no errors', () => {
    const text = format(nastySnapshot());
    expect(parsePrometheusText(text, { openMetrics, strict: false })).toEqual({
      families: parsePrometheusText(text, options),
      errors: [],
    });
  });
});

describe('parsePrometheusText on arbitrary input', () => {
  const mutated = fc
    .tuple(
      fc.constantFrom(...FORMATS.map(([, f]) => f(nastySnapshot()))),
      fc.nat(),
      anyString,
      fc.nat({ max: 8 }),
    )
    .map(([text, at, insert, remove]) => {
      const i = at % (text.length + 1);
      return text.slice(0, i) + insert + text.slice(i + remove);
    });
  const input = fc.oneof(fc.string({ unit: 'binary' }), mutated);

  it('throws nothing but a VigilError with code VIGIL_PARSE, in either format', () => {
    fc.assert(
      fc.property(input, fc.boolean(), (text, openMetrics) => {
        try {
          parsePrometheusText(text, { openMetrics });
        } catch (error) {
          expect(error).toBeInstanceOf(VigilError);
          expect((error as VigilError).code).toBe('VIGIL_PARSE');
          expect((error as VigilError).message).toMatch(/^line \d+: /);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws in lenient mode, and reports the first error strict mode throws', () => {
    fc.assert(
      fc.property(input, fc.boolean(), (text, openMetrics) => {
        const { errors } = parsePrometheusText(text, { openMetrics, strict: false });
        let strictMessage: string | undefined;
        try {
          parsePrometheusText(text, { openMetrics });
        } catch (error) {
          strictMessage = (error as Error).message;
        }
        expect(errors[0]?.message).toBe(strictMessage);
      }),
      { numRuns: 2000 },
    );
  });
});
