import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSIONS, writeHistory, writeLive } from '../../bench/lib/dashboard-history.js';
import { launchBrowser, lowContrastText, seriesPixels, startServer } from './harness.js';

const EVIL_SESSIONS = ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>'];
const EVIL_VERSION = '"><img src=y onerror=alert(2)><script>alert(3)</script>';

const RULES = `groups:
  - name: demo
    interval: 1s
    rules:
      - alert: TrafficFlowing
        expr: sum(rate(latency_operations_total[2m])) > 0
        labels: { severity: info }
        annotations: { summary: "operations are being recorded" }
      - alert: SlowRag
        expr: histogram_quantile(0.95, sum by (le) (rate(latency_operation_duration_seconds_bucket{operation="rag_inference"}[5m]))) > 0.5
        for: 1h
        labels: { severity: warning }
        annotations: { summary: "RAG p95 above 500 ms" }
      - alert: BuildProbe
        expr: demo_build_info > 0
        labels: { severity: critical }
        annotations: { summary: "<img src=z onerror=alert(4)>" }
`;

describe('dashboard: sessions, health, cost and alerts pages; escaping', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let stopLive: () => void;
  let rulesDir: string;
  const dialogs: string[] = [];

  beforeAll(async () => {
    rulesDir = mkdtempSync(join(tmpdir(), 'vigil-browser-rules-'));
    writeFileSync(join(rulesDir, 'demo.yml'), RULES);
    server = await startServer({
      VIGIL_RULE_FILES: join(rulesDir, 'demo.yml'),
      VIGIL_EVALUATION_INTERVAL: '1s',
    });
    const workload = await writeHistory(server.url, {
      end: Date.now(),
      durationMs: 26 * 3_600_000,
      stepMs: 60_000,
      sessionIds: [...SESSIONS, ...EVIL_SESSIONS],
      extraLabels: { version: EVIL_VERSION },
    });
    stopLive = writeLive(server.url, workload, { intervalMs: 1000 });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  afterAll(async () => {
    stopLive?.();
    await browser?.close();
    await server?.close();
    if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
  });

  /** Opens a page and waits until no panel is loading; returns the panel states. */
  async function open(hash: string): Promise<string[]> {
    await page.goto(`${server.url}/${hash}`);
    await page.waitForSelector('.page');
    await expect
      .poll(() => page.locator('.panel[data-state="loading"]').count(), { timeout: 20_000 })
      .toBe(0);
    return page
      .locator('.panel')
      .evaluateAll((panels) => panels.map((p) => (p as HTMLElement).dataset.state ?? ''));
  }

  it('sessions: the table has every session with its figures, and the charts draw', async () => {
    const states = await open('#/sessions?from=now-6h&to=now');
    expect(states.filter((s) => s !== 'ok')).toEqual([]);
    const rows = page.locator('.panel-table tbody tr');
    expect(await rows.count()).toBe(SESSIONS.length + EVIL_SESSIONS.length);
    const row = page.locator(`.panel-table tbody tr[data-row="${SESSIONS[0]}"] td`);
    const cells = await row.allTextContents();
    expect(cells[0]).toBe(SESSIONS[0]);
    expect(cells[1]).toBe('running');
    // Every cell of every live session has a value: state, memory and connections come from the
    // session gauges the workload exports, not from a document that may not have them.
    for (const text of await page.locator('.panel-table tbody td').allTextContents())
      expect(text).not.toBe('—');
    expect(await page.locator('.panel-table thead th').allTextContents()).toContain('Memory');
    expect(
      await page.locator(`.panel-table tbody tr[data-row="${SESSIONS[0]}"] td`).last().textContent(),
    ).toMatch(/^\d+$/);
    // Packets sent: 40 a second for the 26 h written, and counting.
    expect(Number(cells[2]!.replace(/[^0-9.]/g, '')) * (cells[2]!.includes('M') ? 1e6 : 1)).toBeGreaterThan(
      3.7e6,
    );
    for (const canvas of await page.locator('.panel-timeseries canvas').all())
      expect(await seriesPixels(canvas)).toBeGreaterThan(1000);
  });

  it('renders label values holding markup as text: no dialog, no injected element', async () => {
    // The sessions page shows the hostile session ids in its table and its chart legends.
    for (const id of EVIL_SESSIONS) {
      expect(await page.locator('.panel-table tbody td.row-key', { hasText: id }).count()).toBe(1);
      expect(await page.locator('.u-legend', { hasText: id }).count()).toBeGreaterThan(0);
    }
    await page.goto(`${server.url}/#/explore?from=now-1h&to=now&q=${encodeURIComponent('demo_build_info')}`);
    await expect
      .poll(() => page.locator('.panel-timeseries').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('ok');
    expect(await page.locator('.u-legend').textContent()).toContain(EVIL_VERSION);
    const injected = await page.evaluate(
      () =>
        document.querySelectorAll('img[src="x"], img[src="y"], img[src="z"], #app script, .content script')
          .length,
    );
    expect(injected).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('health: uptime bars for 24 hours and 30 days, the outage hour in red', async () => {
    await open('#/health?from=now-24h&to=now');
    const uptime = page.locator('.panel-uptime').first();
    expect(await uptime.getAttribute('data-state')).toBe('ok');
    const google = uptime.locator('.uptime-row[data-row="google"] .bar');
    expect(await google.count()).toBe(24);
    expect(await uptime.locator('.uptime-row[data-row="google"] .bar-down').count()).toBeGreaterThanOrEqual(
      1,
    );
    expect(await uptime.locator('.uptime-row[data-row="openai"] .bar-down').count()).toBe(0);
    const month = page.locator('.panel-uptime').nth(1);
    expect(await month.locator('.uptime-row[data-row="openai"] .bar').count()).toBe(30);
    // Dependencies are not in this data: an empty state, not an error.
    expect(await page.locator('.panel-uptime').nth(2).getAttribute('data-state')).toBe('empty');
  });

  it('cost: totals, the month-end forecast, the trend chart and the per-model table', async () => {
    const states = await open('#/cost?from=now-24h&to=now');
    expect(states.filter((s) => s !== 'ok')).toEqual([]);
    const stats = await page.locator('.panel-stat .stat-value').allTextContents();
    for (const text of stats.slice(0, 2)) expect(text).toMatch(/^\$\d/);
    // A day of history and more: the hour's figure says its window is full.
    expect(await page.locator('.panel-stat .stat-basis').allTextContents()).toEqual([
      'based on the last 1 h',
    ]);
    // But a day is not the week the month-end forecast needs: it says so, and gives no figure.
    const forecast = page.locator('.panel-forecast');
    expect(await forecast.locator('.forecast-value').textContent()).toBe('not enough history');
    expect(await forecast.locator('.stat-basis').textContent()).toMatch(
      /^2[5-6] h( \d+ min)? of data, 7 days needed · month to date \$[\d,.]+$/,
    );
    const models = await page.locator('.panel-table tbody td.row-key').allTextContents();
    expect(models.sort()).toEqual(['claude-3-5-sonnet', 'gpt-4o', 'gpt-4o-mini']);
    expect(await page.locator('.panel-table tbody tr[data-row="gpt-4o"] td').nth(1).textContent()).toBe(
      'openai',
    );
    expect(await seriesPixels(page.locator('.panel-timeseries canvas').first())).toBeGreaterThan(1000);
  });

  it('alerts: firing and pending alerts from the rules, history, and annotations as text', async () => {
    await page.goto(`${server.url}/#/alerts`);
    await page.waitForSelector('[data-page="alerts"]');
    const firing = page.locator('[data-section="firing"] tbody tr');
    await expect.poll(() => firing.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-section="firing"]').textContent()).toContain('TrafficFlowing');
    expect(await page.locator('[data-section="pending"]').textContent()).toContain('SlowRag');
    expect(await page.locator('[data-section="firing"]').textContent()).toContain(
      '<img src=z onerror=alert(4)>',
    );
    await expect
      .poll(() => page.locator('[data-section="history"] tbody tr').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect(await page.evaluate(() => document.querySelectorAll('img[src="z"], img[src="y"]').length)).toBe(0);
    expect(dialogs).toEqual([]);
    expect(await lowContrastText(page), 'alerts page: text under 4.5:1').toEqual([]);
  });

  it('alerts: creates a silence from an alert row', async (ctx) => {
    const probe = await fetch(`${server.url}/api/silences`);
    if (probe.status === 404) {
      const why =
        'POST /api/silences is not on this server yet (the notify slice): silence creation not tested';
      console.warn(`SKIPPED: ${why}`);
      ctx.skip(why);
      return;
    }
    await page.goto(`${server.url}/#/alerts`);
    await page.locator('[data-section="firing"] tr', { hasText: 'TrafficFlowing' }).locator('button').click();
    expect(await page.inputValue('.silence-form input[name="matchers"]')).toContain(
      'alertname="TrafficFlowing"',
    );
    const prefilled = await page.inputValue('.silence-form input[name="matchers"]');
    await page.fill('.silence-form input[name="createdBy"]', 'browser test');
    await page.fill('.silence-form input[name="comment"]', 'silenced from the dashboard');
    // The server reads what was typed: its message is the form's.
    await page.fill('.silence-form input[name="matchers"]', 'alertname TrafficFlowing');
    await page.click('.silence-form button[type="submit"]');
    await expect
      .poll(() => page.locator('.silence-form .form-status').textContent(), { timeout: 10_000 })
      .toMatch(/expected name="value" with =, !=, =~ or !~/);
    await page.fill('.silence-form input[name="matchers"]', prefilled);
    await page.click('.silence-form button[type="submit"]');
    await expect
      .poll(() => page.locator('.silence-form .form-status').textContent(), { timeout: 10_000 })
      .toMatch(/Silence .+ created/);
    const silences = (await (await fetch(`${server.url}/api/silences`)).json()) as {
      comment: string;
      status: { state: string };
    }[];
    expect(
      silences.some((s) => s.comment === 'silenced from the dashboard' && s.status.state === 'active'),
    ).toBe(true);
    await expect
      .poll(() => page.locator('[data-section="silenced"]').textContent(), { timeout: 15_000 })
      .toContain('TrafficFlowing');
    expect(await page.locator('[data-section="silences"] tbody tr').count()).toBe(1);
  });
});
