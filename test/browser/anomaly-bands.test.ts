import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { importText } from '../../bench/lib/dashboard-history.js';
import { launchBrowser, seriesPixels, startServer } from './harness.js';

const SERIES = 'job:demo_requests:rate1m';

/**
 * A chart of a series with anomaly band rules (docs/forecasts.md) shades the band's expected range;
 * a chart of a series without them does not. The server evaluates the rules that
 * anomalyBandRules() writes (a 10-minute season, so that 40 minutes of imported history hold three
 * seasons) every second; the page draws what they recorded.
 */
describe('dashboard: anomaly bands on charts', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    const { anomalyBandRules } = (await import('../../packages/server/dist/figures/anomaly-band.js')) as {
      anomalyBandRules: (spec: object) => { record: string; expr: string }[];
    };
    dir = mkdtempSync(join(tmpdir(), 'vigil-browser-bands-'));
    const rules = anomalyBandRules({ series: SERIES, season: '10m', seasons: 3, window: '2m' });
    writeFileSync(join(dir, 'bands.yml'), stringify({ groups: [{ name: 'bands', rules }] }));
    mkdirSync(join(dir, 'dashboards'));
    const chart = (title: string, expr: string) => ({
      type: 'timeseries',
      title,
      width: 6,
      unit: 'ops',
      queries: [{ expr }],
    });
    writeFileSync(
      join(dir, 'dashboards', 'bands.json'),
      JSON.stringify({
        title: 'Bands',
        order: 9,
        panels: [chart('Requests', SERIES), chart('Other', 'demo_other_rate')],
      }),
    );
    server = await startServer({
      VIGIL_RULE_FILES: join(dir, 'bands.yml'),
      VIGIL_EVALUATION_INTERVAL: '1s',
      VIGIL_DASHBOARDS: join(dir, 'dashboards'),
    });
    // 40 minutes of a rate that goes round every 10 minutes, as a recording rule would have stored it.
    const now = Date.now();
    const lines: string[] = [];
    for (let t = now - 40 * 60_000; t <= now; t += 15_000) {
      const phase = (2 * Math.PI * (t % 600_000)) / 600_000;
      const wobble = ((t / 15_000) % 7) / 10;
      lines.push(`${SERIES}{job="demo"} ${(10 + 3 * Math.sin(phase) + wobble).toFixed(3)} ${t}`);
      lines.push(`demo_other_rate{job="demo"} ${(5 + wobble).toFixed(3)} ${t}`);
    }
    await importText(server.url, `${lines.join('\n')}\n`);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shades the expected range around the series with band rules, and only there', async () => {
    await page.goto(`${server.url}/#/bands?from=now-15m&to=now`);
    const charts = page.locator('[data-page="bands"] .panel-timeseries');
    // Each second's evaluation records one more point of the band: reload until the chart has a few.
    await expect
      .poll(
        async () => {
          await page.reload();
          await charts.first().locator('canvas').waitFor();
          return Number((await charts.first().getAttribute('data-band-points')) ?? 0);
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBeGreaterThanOrEqual(3);
    await expect.poll(() => page.locator('.panel[data-state="loading"]').count()).toBe(0);
    const [requests, other] = [
      page.locator('.panel-timeseries').first(),
      page.locator('.panel-timeseries').nth(1),
    ];
    expect(await requests.getAttribute('data-state')).toBe('ok');
    expect(await requests.getAttribute('data-bands')).toBe('1');
    expect(await other.getAttribute('data-state')).toBe('ok');
    expect(await other.getAttribute('data-bands')).toBe('0');
    expect(await seriesPixels(requests.locator('canvas'))).toBeGreaterThan(500);
    // The legend names the band's edges, with the low one below the high one.
    const legend = (edge: string) =>
      requests
        .locator('.u-legend tr', { hasText: `expected ${edge}` })
        .locator('.u-value')
        .textContent()
        .then((text) => Number.parseFloat(text ?? ''));
    const [low, high] = [await legend('low'), await legend('high')];
    // The low edge may sit below zero (median minus the spread over a quiet stretch): any number.
    expect(Number.isFinite(low)).toBe(true);
    expect(high).toBeGreaterThan(0);
    expect(high).toBeGreaterThan(low);
    expect(await other.locator('.u-legend', { hasText: 'expected' }).count()).toBe(0);
  }, 90_000);
});
