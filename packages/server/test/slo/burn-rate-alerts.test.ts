import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertHistory } from '../../src/alerts/alert-history.js';
import { RuleManager } from '../../src/alerts/rule-manager.js';
import { parsePromql } from '../../src/query/parse.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { loadSlos } from '../../src/slo/slo-files.js';
import { sloStatuses } from '../../src/slo/slo-status.js';
import { SqliteEventLog } from '../../src/store/sqlite-event-log.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const RPS = 100;
const check = (e: string) => {
  parsePromql(e);
};

/** 99.9% of requests succeed over 30 days: a budget of 0.1% errors, 43.2 minutes. */
const SLO = {
  name: 'api-availability',
  objective: 99.9,
  window: '30d',
  sli: {
    ratio: {
      errors: 'sum(rate(http_requests_total{code=~"5.."}[$window]))',
      total: 'sum(rate(http_requests_total[$window]))',
    },
  },
};

let dir: string;
let store: SqliteStore;
let clock: ManualClock;
let history: AlertHistory;
let manager: RuleManager | undefined;
const counts = { ok: 0, error: 0 };

/** Starts evaluating the SLO's rules every `intervalMs` from now on. */
async function start(intervalMs = MIN): Promise<RuleManager> {
  const slos = loadSlos({ inline: { value: [SLO], source: 'vigil.yaml' }, files: [], baseDir: dir }, check);
  manager = new RuleManager({
    files: [],
    baseDir: dir,
    generated: () => slos.groups,
    engine: new PromqlEngine({ store, clock }),
    store,
    checkExpr: check,
    sink: { receive: () => {} },
    events: history,
    clock,
    evaluationIntervalMs: intervalMs,
  });
  await manager.load();
  manager.start();
  return manager;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-slo-'));
  clock = new ManualClock(T0);
  store = await openSqliteStore({ dir, clock });
  history = new AlertHistory(new SqliteEventLog({ path: ':memory:', what: 'the alert history', clock }));
  // Three healthy days before the test starts (a burn rate of 0.5), so every window the alerts read is full.
  const minutes = 3 * 24 * 60;
  const ts = Float64Array.from({ length: minutes }, (_, i) => T0 - (minutes - i) * MIN);
  const ok = Float64Array.from(ts, (_, i) => (i + 1) * RPS * 60 * (1 - 0.0005));
  const error = Float64Array.from(ts, (_, i) => (i + 1) * RPS * 60 * 0.0005);
  await store.append([
    { labels: { __name__: 'http_requests_total', code: '200' }, timestamps: ts, values: ok },
    { labels: { __name__: 'http_requests_total', code: '500' }, timestamps: ts, values: error },
  ]);
  counts.ok = ok[minutes - 1]!;
  counts.error = error[minutes - 1]!;
});
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  history.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One minute of requests whose errors burn the budget at `burnRate`, then the clock moves a minute. */
async function traffic(burnRate: number): Promise<void> {
  const total = RPS * 60;
  const errors = total * burnRate * 0.001;
  counts.ok += total - errors;
  counts.error += errors;
  const ts = [clock.now()];
  await store.append([
    { labels: { __name__: 'http_requests_total', code: '200' }, timestamps: ts, values: [counts.ok] },
    { labels: { __name__: 'http_requests_total', code: '500' }, timestamps: ts, values: [counts.error] },
  ]);
  clock.advance(MIN);
  await manager?.settled();
}

/** Minutes of traffic at `burnRate` until a burn-rate alert of `severity` fires; undefined if none in `limit`. */
async function minutesToFire(
  burnRate: number,
  limit: number,
  severity = 'page',
): Promise<number | undefined> {
  for (let minute = 1; minute <= limit; minute++) {
    await traffic(burnRate);
    if (manager!.alerts().some((a) => a.state === 'firing' && a.labels.slo_severity === severity))
      return minute;
  }
  return undefined;
}

describe('SLO burn-rate alerts on a 30-day 99.9% objective', () => {
  it('page within 40 minutes of an outage spending 3% of the budget an hour', async () => {
    // 3%/h is a burn rate of 0.03 * 720 h = 21.6; the 1h window crosses 14.4 once two thirds of it
    // (40 minutes) is outage, and the 5m window is over it from the fifth minute.
    const m = await start();
    const fired = await minutesToFire(21.6, 60);
    expect(fired).toBeGreaterThanOrEqual(38);
    expect(fired).toBeLessThanOrEqual(41);
    const [alert] = m.alerts().filter((a) => a.state === 'firing');
    expect(alert!.labels).toEqual({
      alertname: 'SloErrorBudgetBurn',
      severity: 'critical',
      slo: 'api-availability',
      slo_severity: 'page',
    });
    const [status] = await sloStatuses(slos(), new PromqlEngine({ store, clock }), m.alerts(), clock.now());
    expect(status!.burnRate5m).toBeCloseTo(21.6, 1);
    expect(status!.alerts).toHaveLength(1);
  }, 30_000);

  it('do not page in two hours of errors spending 1.5% of the budget an hour', async () => {
    // Burn rate 10.8: under 14.4 on the 1h window; the 6h window reaches 6 only after 3h20m.
    const m = await start();
    expect(await minutesToFire(10.8, 120)).toBeUndefined();
    expect(m.alerts()).toEqual([]);
  }, 30_000);

  it('stay silent through a healthy day, and the budget left is what the day spent', async () => {
    // Evaluated every 5 minutes to keep the test short; the windows are the same.
    const m = await start(5 * MIN);
    for (let minute = 0; minute < 24 * 60; minute++) {
      await traffic(0.5);
      expect(m.alerts()).toEqual([]);
    }
    const [status] = await sloStatuses(slos(), new PromqlEngine({ store, clock }), [], clock.now());
    // A burn rate of 0.5 spends the budget at half the rate the objective allows: an error ratio of
    // 0.05% over what has been recorded, half the budget left.
    expect(status!.sli).toBeCloseTo(0.9995, 6);
    expect(status!.budgetRemaining).toBeCloseTo(0.5, 3);
    expect(status!.budgetMinutes).toBeCloseTo(43.2, 6);
    expect(status!.burnRate1h).toBeCloseTo(0.5, 3);
    // A day of rule evaluations: 15 s of CPU at load 18 on the two shared cores, twice that beside a bench.
  }, 90_000);
});

function slos() {
  return loadSlos({ inline: { value: [SLO], source: 'vigil.yaml' }, files: [], baseDir: dir }, check).slos;
}
