import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

let dir: string;
let server: RunningServer;
let clock: ManualClock;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-slo-routes-'));
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `evaluation_interval: 1m
slos:
  - name: api
    objective: 99
    window: 28d
    labels: { team: web }
    sli:
      ratio:
        errors: sum(rate(req_total{code="500"}[$window]))
        total: sum(rate(req_total[$window]))
`,
  );
  clock = new ManualClock(T0);
  const config = loadConfig(
    { config: join(dir, 'vigil.yaml'), listen: '127.0.0.1:0', data: join(dir, 'data'), statsd: 'off' },
    {},
  );
  server = await serve(config, clock);
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string) {
  const res = await fetch(`${server.url}${path}`);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return { status: res.status, body: await res.json() };
}

describe('GET /api/slos', () => {
  it('answers each SLO with nulls before any data, then its SLI, budget left and burn rate', async () => {
    const before = await get('/api/slos');
    expect(before.body.slos).toEqual([
      {
        name: 'api',
        description: '',
        labels: { team: 'web' },
        objective: 0.99,
        window: '28d',
        sli: null,
        errorBudget: { ratio: 0.01, remaining: null, minutes: 403.2, remainingMinutes: null },
        burnRate: { '5m': null, '1h': null },
        alerts: [],
      },
    ]);
    // 2% errors for ten minutes: twice the budget's rate.
    for (let i = 0; i <= 10; i++) {
      const res = await fetch(`${server.url}/api/v1/import/prometheus`, {
        method: 'POST',
        body: `req_total{code="200"} ${i * 5880} ${clock.now()}\nreq_total{code="500"} ${i * 120} ${clock.now()}\n`,
      });
      expect(res.status).toBe(200);
      clock.advance(MIN);
      await server.rules.settled();
    }
    const after = (await get('/api/slos')).body.slos[0];
    expect(after.sli).toBeCloseTo(0.98, 6);
    expect(after.burnRate['5m']).toBeCloseTo(2, 6);
    expect(after.errorBudget.remaining).toBeCloseTo(-1, 6);
    expect(after.errorBudget.remainingMinutes).toBeCloseTo(-403.2, 3);
  });

  async function write(lines: (minute: number) => string, minutes: number, from = 0) {
    for (let i = from; i <= from + minutes; i++) {
      const res = await fetch(`${server.url}/api/v1/import/prometheus`, {
        method: 'POST',
        body: lines(i)
          .split('\n')
          .map((l) => `${l} ${clock.now()}\n`)
          .join(''),
      });
      expect(res.status).toBe(200);
      clock.advance(MIN);
      await server.rules.settled();
    }
  }

  it('keeps the SLI through a quiet stretch: minutes without events do not turn the window into NaN', async () => {
    // 2% errors for ten minutes, then twenty minutes in which the counters stand still.
    await write((i) => `req_total{code="200"} ${i * 5880}\nreq_total{code="500"} ${i * 120}`, 10);
    await write(() => 'req_total{code="200"} 58800\nreq_total{code="500"} 1200', 20, 11);
    const quiet = (await get('/api/slos')).body.slos[0];
    expect(quiet.sli).toBeCloseTo(0.98, 6);
    expect(quiet.errorBudget.remaining).toBeCloseTo(-1, 6);
    // No events in the last 5 minutes: no burn rate, rather than 0/0.
    expect(quiet.burnRate['5m']).toBeNull();
  });

  it('reads an SLI of 100% for a service whose errors no series has counted yet', async () => {
    await write((i) => `req_total{code="200"} ${i * 600}`, 10);
    const healthy = (await get('/api/slos')).body.slos[0];
    expect(healthy.sli).toBe(1);
    expect(healthy.errorBudget.remaining).toBe(1);
    expect(healthy.burnRate).toEqual({ '5m': 0, '1h': 0 });
  });
});
