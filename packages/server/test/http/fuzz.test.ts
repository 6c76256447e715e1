import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PROTOBUF_CONTENT_TYPE, Registry, toProtobuf } from '@vigil/metrics';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { snappyCompress } from '../../src/ingest/snappy.js';
import { encodeWriteRequest } from '../../src/ingest/write-request-encoder.js';

/**
 * The fuzz suite: every ingest path and PromQL, over HTTP (and UDP for StatsD) against a real
 * in-process server, with seeded random and hostile input. Whatever arrives, the server answers
 * below 500 (503 only with a limit's documented `unavailable` or `timeout`), stays up, and a series
 * written before is unchanged after. FUZZ_RUNS sets the cases per path (default 400, up to 3,200 in
 * all within a time budget per path), FUZZ_SEED the seed; a failure prints the seed and the path to
 * replay it.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_207);
/** Each path stops after this long, passing with the cases it ran: CI time is bounded, FUZZ_RUNS asks for more. */
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? (process.env.FUZZ_RUNS ? 600_000 : 4_000));

let server: RunningServer;
let data: string;
const KNOWN = 'fuzz_known_total{job="fuzz",instance="a"}';
const KNOWN_TIME = 1_700_000_000;
let knownAnswer: unknown;

beforeAll(async () => {
  data = mkdtempSync(join(tmpdir(), 'vigil-fuzz-'));
  server = await serve(
    loadConfig({ listen: '127.0.0.1:0', data, statsd: '127.0.0.1:0' }, { VIGIL_QUERY_MAX_CONCURRENCY: '4' }),
  );
  const write = await send('POST', '/api/v1/import/prometheus', `${KNOWN} 42 ${KNOWN_TIME}000\n`);
  expect(write.status).toBe(200);
  knownAnswer = await known();
});
afterAll(async () => {
  await server.close();
  rmSync(data, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly text: string;
}

function send(
  method: string,
  path: string,
  body?: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function known(): Promise<unknown> {
  const query = encodeURIComponent(KNOWN);
  const answer = await send('GET', `/api/v1/query?query=${query}&time=${KNOWN_TIME}`);
  return JSON.parse(answer.text);
}

/** What every answer must be: not a 5xx, except the limits' documented 503s. */
function acceptable(answer: Answer, what: string): void {
  if (answer.status < 500) return;
  const documented = answer.status === 503 && /"(errorType|code)":"(unavailable|timeout)"/.test(answer.text);
  expect(documented, `${what} answered ${answer.status}: ${answer.text.slice(0, 300)}`).toBe(true);
}

/** The server is up and the known series reads as it did. */
async function intact(): Promise<void> {
  expect((await send('GET', '/-/healthy')).status).toBe(200);
  expect(await known()).toEqual(knownAnswer);
}

async function fuzz<T>(name: string, input: fc.Arbitrary<T>, run: (value: T) => Promise<void>) {
  const result = await fc.check(
    fc.asyncProperty(input, async (value) => {
      await run(value);
    }),
    { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false },
  );
  if (result.failed)
    throw new Error(
      `${name}: ${fc.defaultReportMessage(result)}\nreplay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} (path ${result.counterexamplePath})`,
    );
  await intact();
  // A budget that let nothing run would pass without testing anything.
  expect(result.numRuns, `${name}: cases run in ${BUDGET_MS} ms`).toBeGreaterThanOrEqual(Math.min(RUNS, 10));
  console.log(`fuzz ${name}: ${result.numRuns} cases, seed ${SEED}`);
}

// Building blocks that look like the formats, so that the parsers get past their first byte.
const nameChar = fc.constantFrom(...'abcxyz_:AZ09{}="\\,.# \n\t-+eEinfNa'.split(''));
const name = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);
const labelValue = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));
const number = fc.oneof(
  fc.double().map(String),
  fc.constantFrom('NaN', '+Inf', '-Inf', '1e309', '-0', '0x1p3', '', '1_000', '٣'),
  fc.integer().map(String),
);
const timestamp = fc.oneof(
  fc.constant(''),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
  fc.integer({ min: 0, max: 4_102_444_800_000 }).map(String),
);
const expositionLine = fc.oneof(
  fc.tuple(name, fc.dictionary(name, labelValue, { maxKeys: 4 }), number, timestamp).map(
    ([n, labels, v, t]) =>
      `${n}{${Object.entries(labels)
        .map(([k, x]) => `${k}=${JSON.stringify(x)}`)
        .join(',')}} ${v} ${t}`,
  ),
  fc
    .tuple(fc.constantFrom('# HELP', '# TYPE', '# UNIT', '# EOF'), name, fc.string({ maxLength: 20 }))
    .map((p) => p.join(' ')),
  fc.string({ unit: nameChar, maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
);
const exposition = fc.array(expositionLine, { maxLength: 12 }).map((lines) => lines.join('\n'));
const bytes = fc.uint8Array({ maxLength: 400 });

/** A valid remote-write body's bytes with some of them changed, cut or doubled. */
const mutated = (valid: Uint8Array) =>
  fc
    .tuple(fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 6 }), fc.nat(), fc.boolean())
    .map(([changes, cut, twice]) => {
      const out = Uint8Array.from(valid);
      for (const [at, b] of changes) if (out.length > 0) out[at % out.length] = b;
      const body = out.subarray(0, out.length === 0 ? 0 : (cut % out.length) + 1);
      return twice ? Uint8Array.from([...body, ...body]) : body;
    });

const writeRequest = fc
  .array(
    fc.record({
      labels: fc.dictionary(fc.oneof(name, fc.constant('__name__')), labelValue, { maxKeys: 4 }),
      timestamps: fc.array(fc.integer({ min: -1e15, max: 1e15 }), { minLength: 1, maxLength: 3 }),
      value: fc.double(),
    }),
    { maxLength: 4 },
  )
  .map((series) =>
    encodeWriteRequest(
      series.map((s) => ({
        labels: s.labels,
        timestamps: s.timestamps,
        values: Float64Array.from(s.timestamps, () => s.value),
      })),
    ),
  );

describe('fuzz: every ingest path and PromQL, over HTTP', () => {
  it('Prometheus text import', async () => {
    await fuzz('import', exposition, async (text) => {
      acceptable(await send('POST', '/api/v1/import/prometheus', text), 'import');
    });
  }, 60_000);

  it('Pushgateway: text and protobuf, any grouping key', async () => {
    const registry = new Registry();
    registry.histogram({ name: 'fuzz_latency_seconds', help: 'h' }).observe(0.3);
    registry.gauge({ name: 'fuzz_rows', help: 'r' }).set(12);
    const protobuf = toProtobuf(await registry.snapshot({ native: true }));
    const key = fc.array(fc.oneof(name, fc.string({ maxLength: 8 }).map(encodeURIComponent)), {
      minLength: 1,
      maxLength: 4,
    });
    await fuzz(
      'pushgateway',
      fc.tuple(
        key,
        fc.constantFrom('PUT', 'POST', 'DELETE'),
        fc.oneof(
          exposition.map((t) => ({ body: t as string | Uint8Array, type: 'text/plain' })),
          mutated(protobuf).map((b) => ({
            body: b as string | Uint8Array,
            type: PROTOBUF_CONTENT_TYPE,
          })),
        ),
      ),
      async ([segments, method, { body, type }]) => {
        acceptable(
          await send(method, `/metrics/job/${segments.join('/')}`, body, { 'content-type': type }),
          'pushgateway',
        );
      },
    );
  }, 60_000);

  it('remote write: mutated protobuf, bad snappy, random bytes', async () => {
    const headers = { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' };
    await fuzz(
      'remote write',
      fc.oneof(
        writeRequest.map((b) => snappyCompress(b)),
        writeRequest.chain(mutated).map((b) => snappyCompress(b)),
        writeRequest.map((b) => snappyCompress(b)).chain(mutated),
        bytes,
      ),
      async (body) => {
        acceptable(await send('POST', '/api/v1/write', body, headers), 'remote write');
      },
    );
  }, 60_000);

  it('OTLP: protobuf and JSON, gzip or not', async () => {
    const point = fc.record({
      asDouble: fc.oneof(fc.double(), fc.constant('NaN'), fc.string({ maxLength: 5 })),
      timeUnixNano: fc.oneof(fc.bigInt({ min: -1n, max: 2n ** 64n }).map(String), fc.integer()),
      attributes: fc.array(
        fc.record({ key: fc.string({ maxLength: 10 }), value: fc.anything({ maxDepth: 2 }) }),
        { maxLength: 3 },
      ),
    });
    const metric = fc.record({
      name: fc.string({ maxLength: 20 }),
      gauge: fc.option(fc.record({ dataPoints: fc.array(point, { maxLength: 3 }) })),
      sum: fc.option(
        fc.record({
          dataPoints: fc.array(point, { maxLength: 3 }),
          aggregationTemporality: fc.integer({ min: -1, max: 3 }),
          isMonotonic: fc.boolean(),
        }),
      ),
      histogram: fc.option(fc.anything({ maxDepth: 3 })),
    });
    const json = fc.oneof(
      fc
        .record({
          resourceMetrics: fc.array(
            fc.record({
              resource: fc.anything({ maxDepth: 2 }),
              scopeMetrics: fc.array(fc.record({ metrics: fc.array(metric, { maxLength: 3 }) }), {
                maxLength: 2,
              }),
            }),
            { maxLength: 2 },
          ),
        })
        .map((o) => JSON.stringify(o)),
      fc.json(),
      fc.string({ maxLength: 100 }),
    );
    await fuzz(
      'otlp',
      fc.tuple(
        fc.oneof(
          json.map((j) => ({ body: Buffer.from(j) as Uint8Array, type: 'application/json' })),
          bytes.map((b) => ({ body: b, type: 'application/x-protobuf' })),
        ),
        fc.boolean(),
      ),
      async ([{ body, type }, zipped]) => {
        const headers: Record<string, string> = { 'content-type': type };
        if (zipped) headers['content-encoding'] = 'gzip';
        acceptable(await send('POST', '/v1/metrics', zipped ? gzipSync(body) : body, headers), 'otlp');
      },
    );
  }, 60_000);

  it('Influx line protocol, v1 and v2', async () => {
    const line = fc.oneof(
      fc
        .tuple(
          name,
          fc.dictionary(name, fc.string({ maxLength: 10 }), { maxKeys: 3 }),
          fc.dictionary(
            name,
            fc.oneof(
              number,
              number.map((n) => `${n}i`),
              fc.constantFrom('t', 'false', '"str"'),
            ),
            { maxKeys: 3 },
          ),
          timestamp,
        )
        .map(
          ([m, tags, fields, t]) =>
            `${m}${Object.entries(tags)
              .map(([k, v]) => `,${k}=${v}`)
              .join('')} ${Object.entries(fields)
              .map(([k, v]) => `${k}=${v}`)
              .join(',')} ${t}`,
        ),
      fc.string({ unit: nameChar, maxLength: 60 }),
    );
    await fuzz(
      'influx',
      fc.tuple(
        fc.array(line, { maxLength: 8 }),
        fc.constantFrom('/write', '/api/v2/write'),
        fc.constantFrom('', 'ns', 's', 'ms', 'h', 'x'),
      ),
      async ([lines, path, precision]) => {
        const query = precision ? `?precision=${precision}` : '';
        acceptable(await send('POST', `${path}${query}`, lines.join('\n')), 'influx');
      },
    );
  }, 60_000);

  it('JSON ingest', async () => {
    const series = fc.record({
      labels: fc.oneof(
        fc.dictionary(fc.oneof(name, fc.string({ maxLength: 5 })), fc.anything({ maxDepth: 1 }), {
          maxKeys: 4,
        }),
        fc.anything({ maxDepth: 1 }),
      ),
      samples: fc.oneof(
        fc.array(
          fc.tuple(
            fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 })),
            fc.oneof(fc.double(), fc.string({ maxLength: 5 }), fc.constant(null)),
          ),
          { maxLength: 3 },
        ),
        fc.anything({ maxDepth: 1 }),
      ),
    });
    await fuzz(
      'json',
      fc.oneof(
        fc.record({ series: fc.array(series, { maxLength: 4 }) }).map((o) => JSON.stringify(o)),
        fc.json(),
        fc.string({ maxLength: 80 }),
      ),
      async (body) => {
        acceptable(await send('POST', '/api/v1/push', body), 'json');
      },
    );
  }, 60_000);

  it('StatsD datagrams', async () => {
    const socket = createSocket('udp4');
    const metric = fc.oneof(
      fc
        .tuple(
          fc.string({ unit: nameChar, maxLength: 20 }),
          number,
          fc.constantFrom('c', 'g', 'ms', 'h', 's', 'd', 'x', ''),
          fc.constantFrom('', '|@0.5', '|@0', '|@-1', '|#a:b,c', '|#'),
        )
        .map(([n, v, t, extra]) => `${n}:${v}|${t}${extra}`),
      fc.string({ maxLength: 60 }),
    );
    try {
      await fuzz('statsd', fc.array(metric, { minLength: 1, maxLength: 10 }), async (lines) => {
        await new Promise<void>((resolve, reject) =>
          socket.send(lines.join('\n'), server.statsdPort!, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
        );
      });
    } finally {
      socket.close();
    }
  }, 60_000);

  it('PromQL: generated expressions and hostile strings through query and query_range', async () => {
    const selector = fc
      .tuple(
        fc.oneof(name, fc.constant('fuzz_known_total'), fc.constant('')),
        fc.array(
          fc.tuple(
            name,
            fc.constantFrom('=', '!=', '=~', '!~'),
            fc.oneof(
              fc.string({ maxLength: 10 }),
              fc.constantFrom('.*', '(a+)+$', '[', '\\', '(?i)x', '.{0,1000}'),
            ),
          ),
          { maxLength: 3 },
        ),
      )
      .map(
        ([n, matchers]) => `${n}{${matchers.map(([k, op, v]) => `${k}${op}${JSON.stringify(v)}`).join(',')}}`,
      );
    const duration = fc.constantFrom('1ms', '5m', '1h', '24h', '1y', '0s', '-1m', '99999999999y');
    const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        selector,
        number,
        fc
          .tuple(
            tie('e'),
            fc.constantFrom('+', '-', '*', '/', '%', '^', '==', '>', 'and', 'or', 'unless', 'atan2'),
            tie('e'),
          )
          .map(([a, op, b]) => `(${a}) ${op} (${b})`),
        fc
          .tuple(
            fc.constantFrom(
              'rate',
              'increase',
              'max_over_time',
              'quantile_over_time(0.5,',
              'predict_linear(',
              'holt_winters(',
              'absent_over_time',
              'changes',
            ),
            selector,
            duration,
            fc.option(duration),
          )
          .map(([f, s, r, step]) => {
            const open = f.endsWith('(') || f.endsWith(',') ? f : `${f}(`;
            const range = step ? `[${r}:${step}]` : `[${r}]`;
            return f.startsWith('predict') || f.startsWith('holt')
              ? `${open}${s}${range}, 1${f.startsWith('holt') ? ', 0.5' : ''})`
              : `${open}${s}${range})`;
          }),
        fc
          .tuple(
            fc.constantFrom('sum', 'avg', 'count', 'topk(3,', 'quantile(2,', 'count_values("x",', 'stddev'),
            tie('e'),
            fc.option(fc.array(name, { maxLength: 2 })),
          )
          .map(
            ([agg, e, by]) =>
              `${agg.includes('(') ? agg : `${agg}(`}${e})${by ? ` by (${by.join(',')})` : ''}`,
          ),
        fc
          .tuple(
            fc.constantFrom(
              'label_replace(',
              'histogram_quantile(0.9,',
              'abs(',
              'sort(',
              'timestamp(',
              'vector(',
              'scalar(',
            ),
            tie('e'),
          )
          .map(([f, e]) => (f === 'label_replace(' ? `${f}${e}, "a", "$1", "job", "(.*)+")` : `${f}${e})`)),
        fc.tuple(tie('e'), duration).map(([e, d]) => `(${e}) offset ${d}`),
        fc.tuple(tie('e'), duration, duration).map(([e, r, s]) => `(${e})[${r}:${s}]`),
      ),
    })).e;
    const query = fc.oneof(expr, fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }));
    const time = fc.oneof(
      fc.constant(String(KNOWN_TIME)),
      fc.double().map(String),
      fc.constantFrom('', 'now', '-1', '1e20', '2026-12-07T00:00:00Z', 'NaN'),
    );
    const step = fc.oneof(
      fc.constantFrom('1', '15s', '0', '-5', '1ms', '0.001', 'x', '1e-9'),
      fc.double().map(String),
    );
    await fuzz(
      'promql',
      fc.tuple(query, fc.boolean(), time, time, step, fc.constantFrom('', '1s', '10ms', '-1s', 'x')),
      async ([q, range, start, end, s, timeout]) => {
        const params = new URLSearchParams({ query: q });
        if (timeout) params.set('timeout', timeout);
        if (range) {
          params.set('start', start);
          params.set('end', end);
          params.set('step', s);
        } else if (start) params.set('time', start);
        const path = range ? '/api/v1/query_range' : '/api/v1/query';
        // GET with the query in the URL, POST as a form: both go through the same parameters.
        const answer =
          q.length % 2
            ? await send('GET', `${path}?${params}`)
            : await send('POST', path, params.toString(), {
                'content-type': 'application/x-www-form-urlencoded',
              });
        acceptable(answer, `${path} ${JSON.stringify(Object.fromEntries(params))}`);
      },
    );
  }, 90_000);
});
