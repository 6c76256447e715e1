import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { canMeasureStretches, longestStretchWhile } from '../../../../test/support/event-loop-stretch.js';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { encodeRemoteWrite } from '../../src/ingest/remote-write.js';

const dirs: string[] = [];
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(data = mkdtempSync(join(tmpdir(), 'vigil-hostile-'))) {
  dirs.push(data);
  server = await serve(loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off' }, {}));
  return data;
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON bodies of several shapes
async function call(path: string, init?: RequestInit): Promise<{ status: number; body: any; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${server!.url}${path}`, init);
  const text = await res.text();
  return {
    status: res.status,
    body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text,
    ms: performance.now() - started,
  };
}

/**
 * A POST on a connection of its own: flushing 50,000 new series holds the server for seconds on a
 * loaded machine, past Node's 5 s keep-alive timeout, and a request sent on the idle connection just
 * as the server closes it is reset.
 */
function postOnNewConnection(path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${server!.url}${path}`, { method: 'POST', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const query = (expr: string, time: number, timeout = '30s') =>
  call(`/api/v1/query?${new URLSearchParams({ query: expr, time: String(time / 1000), timeout })}`);

/** 25 characters: JavaScript's backtracking engine takes about 2^25 steps on `([a-z_]+)+!` over it. */
const LONG_NAME = 'memory_analysis_durations';
const NOW = Math.floor(Date.now() / 1000) * 1000;

async function importSeries() {
  let text = '';
  for (let i = 0; i < 40; i++) {
    const t = NOW - 600_000 + i * 15_000;
    text += `${LONG_NAME} ${i} ${t}\n`;
    text += `http_requests_total{group="production"} ${i} ${t}\n`;
    text += `http_requests_total{group="canary"} ${i} ${t}\n`;
    text += `http_requests_total{group="multi\\nline"} ${i} ${t}\n`;
    text += `http_requests_total{group="a.b*"} ${i} ${t}\n`;
  }
  const res = await call('/api/v1/import/prometheus', { method: 'POST', body: text });
  expect(res.status).toBeLessThan(300);
}

/**
 * How much longer `/-/healthy` takes while `send`'s request is in flight than the slowest of three
 * lone health checks just before, the best of five rounds: on a machine shared with other work a
 * lone check can already take tens of milliseconds, while a server frozen by the request is slow in
 * every round.
 */
async function healthDelayWhile(send: () => Promise<{ status: number }>): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    let alone = 0;
    for (let i = 0; i < 3; i++) alone = Math.max(alone, (await call('/-/healthy')).ms);
    const pending = send();
    const health = await call('/-/healthy');
    expect(health.status).toBe(200);
    await pending;
    best = Math.min(best, health.ms - alone);
  }
  return best;
}

const groups = (body: { data: { result: { metric: Record<string, string> }[] } }) =>
  body.data.result.map((r) => r.metric.group).sort();

describe('hostile regular expressions', () => {
  it('answers /-/healthy within 100 ms while a catastrophic regex matcher runs', async () => {
    await start();
    await importSeries();
    await query('{__name__=~"[a-z_]+!"}', NOW);
    const hostile = () => query('{__name__=~"([a-z_]+)+!"}', NOW);
    expect(await healthDelayWhile(hostile)).toBeLessThan(100);
    const answer = await hostile();
    expect(answer.status).toBe(200);
    expect(answer.body.data.result).toEqual([]);
  });

  it('answers /-/healthy within 100 ms while a regex runs over 300,000 label values of the index', async () => {
    await start();
    const count = 300_000;
    for (let from = 0; from < count; from += 50_000) {
      let text = '';
      for (let i = from; i < from + 50_000; i++)
        text += `big_index{id="value_${i}_abcdefghij"} ${i} ${NOW}\n`;
      expect(await postOnNewConnection('/api/v1/import/prometheus', text)).toBeLessThan(300);
    }
    // No literal narrows the search: every value of `id` is tested; 1 in 100 ends in 99 before the suffix.
    const slow = () => query('count(big_index{id=~".*99_abcdefghij"})', NOW);
    expect(await healthDelayWhile(slow)).toBeLessThan(100);
    const answer = await slow();
    expect(answer.status).toBe(200);
    expect(answer.body.data.result[0].value[1]).toBe(String(count / 100));
    // The store's read stops at its deadline instead of matching every value first.
    const late = await query('count(big_index{id=~".*99_abcdefghij"})', NOW, '20ms');
    expect(late.status).toBe(503);
    expect(late.body).toMatchObject({ status: 'error', errorType: 'timeout' });
    expect(late.ms).toBeLessThan(answer.ms / 2);
  }, 180_000);

  it.runIf(canMeasureStretches)(
    'holds the event loop at most 50 ms at a time while a regex query runs over 20,000 labels of 3,000 characters',
    async () => {
      await start();
      const filler = 'x'.repeat(3000);
      for (let from = 0; from < 20_000; from += 500) {
        const body = encodeRemoteWrite(
          Array.from({ length: 500 }, (_, i) => ({
            labels: { __name__: 'long_labels', path: `${from + i}-${filler}` },
            timestamps: [NOW],
            values: Float64Array.of(1),
          })),
        );
        const res = await fetch(`${server!.url}/api/v1/write`, {
          method: 'POST',
          headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' },
          body,
        });
        expect(res.status).toBe(204);
      }
      await server!.store.flush();
      // Every series matches, no literal narrows the regex, every group is a series of its own, and
      // the answer is 60 MB: the label index, the aggregation and the JSON each cost in proportion
      // to the labels. Before they were paced by it, the longest stretch was 200-400 ms.
      const expr = 'sum by (path) (long_labels{path=~".*-x+"})';
      const healthMs: number[] = [];
      // Measured until the answer's headers arrive, when the server has done its work: reading the
      // 60 MB body here (text, JSON.parse) is this thread's own stretch of 200 ms, not the server's.
      const { result, cpuMs, wallMs } = await longestStretchWhile(async () => {
        let done = false;
        const pending = fetch(
          `${server!.url}/api/v1/query?${new URLSearchParams({ query: expr, time: String(NOW / 1000) })}`,
        ).finally(() => {
          done = true;
        });
        while (!done) {
          const health = await call('/-/healthy');
          expect(health.status).toBe(200);
          healthMs.push(health.ms);
        }
        return pending;
      });
      expect(result.status).toBe(200);
      expect(((await result.json()) as { data: { result: unknown[] } }).data.result).toHaveLength(20_000);
      // Health was answered all along, several times a second.
      expect(healthMs.length).toBeGreaterThan(5);
      // The aim is 100 ms; the work between two turns of the loop is paced to about 10 ms (25 ms at
      // a query's start, which parses it and reads the first page of the index), and CPU time on a
      // loaded machine runs slower than on an idle one (cache, frequency): half the aim is the bound.
      expect(cpuMs).toBeLessThan(50);
      // Wall time is the machine's as much as vigil's (see longestStretchWhile): only a freeze fails.
      expect(wallMs).toBeLessThan(2000);
    },
    180_000,
  );

  it('speaks RE2 in PromQL: inline flags, \\Q…\\E, anchoring, `.` matching a newline', async () => {
    await start();
    await importSeries();
    expect(groups((await query('http_requests_total{group=~"(?i)PROD.*"}', NOW)).body)).toEqual([
      'production',
    ]);
    expect(groups((await query('http_requests_total{group=~".*(?i:CAN).*"}', NOW)).body)).toEqual(['canary']);
    expect(groups((await query('http_requests_total{group=~"\\\\Qa.b*\\\\E"}', NOW)).body)).toEqual(['a.b*']);
    expect(groups((await query('http_requests_total{group=~"prod"}', NOW)).body)).toEqual([]);
    expect(groups((await query('http_requests_total{group=~"multi.line"}', NOW)).body)).toEqual([
      'multi\nline',
    ]);
    const replaced = await query(
      'label_replace(http_requests_total{group=~"(?i)CANARY"}, "g", "$1", "group", "(?i)(C)anary")',
      NOW,
    );
    expect(replaced.body.data.result.map((r: { metric: { g: string } }) => r.metric.g)).toEqual(['c']);
  });

  it('refuses an invalid or oversized pattern with 400 bad_data naming the fault', async () => {
    await start();
    const lookahead = await query('up{job=~"(?=a)b"}', NOW);
    expect(lookahead.status).toBe(400);
    expect(lookahead.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(lookahead.body.error).toMatch(/invalid regular expression/);
    const huge = await call('/api/v1/query', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: `up{job=~"${'a|'.repeat(40_000)}b"}` }).toString(),
    });
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatch(/longer than 65536 characters/);
    const series = await call(`/api/v1/series?${new URLSearchParams({ 'match[]': 'up{job=~"(?=a)b"}' })}`);
    expect(series.status).toBe(400);
  });

  it('keeps a silence with a catastrophic matcher across a restart without freezing', async () => {
    const data = await start();
    const created = await call('/api/v2/silences', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: '([a-z_]+)+!', isRegex: true }],
        startsAt: new Date(NOW - 60_000).toISOString(),
        endsAt: new Date(NOW + 3_600_000).toISOString(),
        createdBy: 'test',
        comment: 'hostile',
      }),
    });
    expect(created.status).toBe(200);
    await server!.close();
    server = undefined;
    await start(data);
    const push = (alertname = LONG_NAME) =>
      call('/api/v2/alerts', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ labels: { alertname }, startsAt: new Date(NOW).toISOString() }]),
      });
    await push('Warmup');
    expect(await healthDelayWhile(push)).toBeLessThan(100);
    expect((await push()).status).toBe(200);
    const listed = await call(
      `/api/v2/alerts?${new URLSearchParams({ filter: 'alertname=~"([a-z_]+)+!"' })}`,
    );
    expect(listed.ms).toBeLessThan(1000);
    expect(listed.body).toEqual([]);
    const all = await call(`/api/v2/alerts?${new URLSearchParams({ filter: `alertname="${LONG_NAME}"` })}`);
    expect(all.body).toHaveLength(1);
    expect(all.body[0]).toMatchObject({ labels: { alertname: LONG_NAME }, status: { silencedBy: [] } });
  });
});

describe('query cost bounded before it is paid', () => {
  it('refuses a runaway subquery with 422 execution at once, whatever its range', async () => {
    await start();
    await importSeries();
    for (const expr of [
      `max_over_time(${LONG_NAME}[24h:1ms])`,
      `max_over_time(${LONG_NAME}[1y:1ms])`,
      `sum_over_time(rate(${LONG_NAME}[1m:1ms])[30d:1ms])`,
    ]) {
      const refused = await query(expr, NOW);
      expect(refused.status, expr).toBe(422);
      expect(refused.body, expr).toMatchObject({ status: 'error', errorType: 'execution' });
      expect(refused.body.error, expr).toMatch(
        /query processing would (load too many samples|use about \d+ MiB)/,
      );
      expect(refused.ms, expr).toBeLessThan(1000);
    }
    const fine = await query(`max_over_time(${LONG_NAME}[10m:1s])`, NOW);
    expect(fine.status).toBe(200);
    expect(fine.body.data.result[0].value[1]).toBe('39');
  });

  it('answers /-/healthy within 100 ms while a long subquery evaluates, and 503 timeout past its deadline', async () => {
    await start();
    await importSeries();
    // 120,000 inner steps: within the limits; the step-by-step evaluation of old froze the server for a second.
    const long = () => query(`max_over_time(${LONG_NAME}[10m:5ms])`, NOW, '10s');
    expect(await healthDelayWhile(long)).toBeLessThan(100);
    const late = await query(`max_over_time((${LONG_NAME} * 1)[10m:2ms])`, NOW, '5ms');
    expect(late.status).toBe(503);
    expect(late.body).toMatchObject({ status: 'error', errorType: 'timeout' });
  }, 20_000);
});
