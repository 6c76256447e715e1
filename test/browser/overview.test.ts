import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHistory, writeLive } from '../../bench/lib/dashboard-history.js';
import { launchBrowser, seriesPixels, startServer } from './harness.js';

describe('dashboard: overview, time picker, live updates and explore', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let stopLive: () => void;
  const ranges: { start: number; end: number }[] = [];

  beforeAll(async () => {
    server = await startServer();
    const workload = await writeHistory(server.url, {
      end: Date.now(),
      durationMs: 6 * 3_600_000,
      stepMs: 15_000,
    });
    stopLive = writeLive(server.url, workload, { intervalMs: 1000 });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname !== '/api/v1/query_range') return;
      ranges.push({ start: Number(url.searchParams.get('start')), end: Number(url.searchParams.get('end')) });
    });
  });

  afterAll(async () => {
    stopLive?.();
    await browser?.close();
    await server?.close();
  });

  it('serves the page at / and draws every overview panel with data', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-page="overview"]');
    const panels = page.locator('[data-page="overview"] .panel');
    expect(await panels.count()).toBeGreaterThanOrEqual(8);
    await expect
      .poll(() => page.locator('.panel[data-state="loading"]').count(), { timeout: 15_000 })
      .toBe(0);
    expect(await page.locator('.panel[data-state="error"]').count()).toBe(0);
    expect(await page.locator('.panel[data-state="empty"]').count()).toBe(0);
    const charts = page.locator('.panel-timeseries canvas');
    expect(await charts.count()).toBe(4);
    for (let i = 0; i < 4; i++) {
      const drawn = await seriesPixels(charts.nth(i));
      expect(drawn, `chart ${i} has its first series drawn`).toBeGreaterThan(1000);
    }
    const operations = await page.locator('.panel-table tbody tr').allTextContents();
    expect(operations.join(' ')).toContain('speech_to_text');
    for (const row of operations) expect(row, 'every cell has a value').not.toContain('—');
  });

  it('draws the latency distribution as a heatmap over the picked range, cells coloured by rate', async () => {
    await page.goto(`${server.url}/#/overview`);
    const heatmap = page.locator('.panel-heatmap');
    await expect.poll(() => heatmap.getAttribute('data-state'), { timeout: 15_000 }).toBe('ok');
    // The workload's operations are written as classic buckets (text import): a row per `le`.
    expect(await heatmap.getAttribute('data-source')).toBe('classic');
    expect(Number(await heatmap.getAttribute('data-rows'))).toBeGreaterThanOrEqual(10);
    // Six hours of history at the last hour's range: a column per step, most with observations.
    const columns = Number(await heatmap.getAttribute('data-columns'));
    expect(columns).toBeGreaterThan(50);
    expect(Number(await heatmap.getAttribute('data-cells'))).toBeGreaterThan(columns);
    const span =
      Number(await heatmap.getAttribute('data-x-max')) - Number(await heatmap.getAttribute('data-x-min'));
    expect(span).toBe(3_600_000);
    expect(await seriesPixels(heatmap.locator('canvas'))).toBeGreaterThan(5_000);
    await heatmap.locator('.u-over').hover();
    // Pointing at a cell says what it holds: when, the bucket's bounds in the panel's unit, the rate.
    await expect
      .poll(() => heatmap.locator('.heatmap-readout').textContent())
      .toMatch(/ · [\d.]+ m?s – [\d.]+ m?s · [\d.]+( k)?\/s$/);
  });

  it('has every query sent once, by the inlined boot script, and uses each answer', async () => {
    const fresh = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const asked: string[] = [];
    fresh.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/')) asked.push(url.pathname + url.search);
    });
    await fresh.goto(`${server.url}/#/overview`);
    await fresh.waitForSelector('[data-page="overview"]');
    await expect
      .poll(() => fresh.locator('.panel[data-state="loading"]').count(), { timeout: 15_000 })
      .toBe(0);
    expect(await fresh.locator('.panel[data-state="ok"]').count()).toBeGreaterThanOrEqual(8);
    // The server wrote the list and the definition into the page: neither is asked for.
    expect(asked.filter((path) => path.startsWith('/api/dashboards'))).toEqual([]);
    const queries = asked.filter((path) => path.startsWith('/api/v1/query'));
    expect(queries.length).toBeGreaterThanOrEqual(8);
    expect(new Set(queries).size, 'no query sent twice').toBe(queries.length);
    // Every answer boot.ts received was taken by a panel, for the range it was sent for.
    const early = await fresh.evaluate(() => {
      const e = (window as unknown as { vigilEarly: { responses: Map<string, unknown>; nowTaken: boolean } })
        .vigilEarly;
      return { left: [...e.responses.keys()], nowTaken: e.nowTaken };
    });
    expect(early).toEqual({ left: [], nowTaken: true });
    await fresh.close();
  });

  it('updates the live throughput without reloading the page', async () => {
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 1;
    });
    await expect
      .poll(() => page.locator('.live-status').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('open');
    const stat = page.locator('.panel-stat').first().locator('.stat-value');
    const first = await stat.textContent();
    await expect.poll(() => stat.textContent(), { timeout: 15_000 }).not.toBe(first);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  });

  it('queries the range the time picker is set to', async () => {
    ranges.length = 0;
    await page.click('.time-button');
    await page.click('.quick-ranges button[data-from="now-6h"]');
    await expect.poll(() => ranges.length, { timeout: 10_000 }).toBeGreaterThan(0);
    for (const { start, end } of ranges) expect(end - start).toBeCloseTo(6 * 3600, 0);
    expect(page.url()).toContain('from=now-6h');

    ranges.length = 0;
    const end = new Date(Date.now() - 3_600_000);
    const start = new Date(end.getTime() - 2 * 3_600_000);
    await page.click('.time-button');
    await page.fill('.time-form input[name="from"]', start.toISOString());
    await page.fill('.time-form input[name="to"]', end.toISOString());
    await page.click('.time-form button[type="submit"]');
    // Until the form is submitted the page may still ask for the last 6 hours (a refresh): every
    // query from the first one over the typed range on must be over it.
    const typed = (r: { start: number }) => Math.abs(r.start - start.getTime() / 1000) < 0.5;
    await expect.poll(() => ranges.some(typed), { timeout: 10_000 }).toBe(true);
    for (const r of ranges.slice(ranges.findIndex(typed))) {
      expect(r.start).toBeCloseTo(start.getTime() / 1000, 0);
      expect(r.end).toBeCloseTo(end.getTime() / 1000, 0);
    }
  });

  it('runs a PromQL query on the explore page, and shows an error at its position', async () => {
    await page.goto(`${server.url}/#/explore?from=now-1h&to=now`);
    await page.fill('.explore-query', 'sum by (provider) (rate(latency_operations_total[5m]))');
    await page.click('.explore-form button[type="submit"]');
    await expect
      .poll(() => page.locator('.panel-timeseries').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('ok');
    expect(await page.locator('.panel-timeseries').count()).toBe(1);
    expect(await seriesPixels(page.locator('.panel-timeseries canvas'))).toBeGreaterThan(1000);

    await page.fill('.explore-query', 'sum(rate(latency_operations_total[5m]) +');
    await page.click('.explore-form button[type="submit"]');
    const error = page.locator('.explore-error');
    await expect.poll(() => error.textContent(), { timeout: 10_000 }).toContain('parse error');
    expect(await error.locator('.error-at').count()).toBe(1);
  });
});
