import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSamples, launchBrowser, startServer } from './harness.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const GB = 1e9;

/**
 * The forecasts a person reads on the Cost and Health pages, on a phone and on a desktop: the cost
 * at the month's end with its range, and when the disk is full, from 9 days of history.
 */
describe('forecasts on the dashboard', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  const now = Date.now();

  beforeAll(async () => {
    server = await startServer();
    // 9 days, a sample every 15 minutes: $24 a day of LLM cost, evenly, and a disk that loses 1 GB
    // a day and has 5 GB left now.
    const lines: string[] = [];
    for (let t = now - 9 * DAY; t <= now; t += 15 * MINUTE) {
      const ago = (now - t) / DAY;
      lines.push(
        `vigil_llm_cost_usd_total{provider="openai",model="gpt-4o"} ${24 * (9 - ago)} ${t}`,
        `vigil_system_disk_free_bytes{path="/"} ${5 * GB + ago * GB} ${t}`,
      );
    }
    await importSamples(server.url, lines);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const [width, height] of [
    [390, 844],
    [1440, 900],
  ] as const) {
    it(`shows the month-end cost with its range and when the disk is full, at ${width} px`, async () => {
      const page = await browser.newPage({ viewport: { width, height } });
      const forecast = (title: string) =>
        page.locator('.panel-forecast', { has: page.locator('.panel-title', { hasText: title }) });
      const visible = async (title: string) => {
        const box = (await forecast(title).boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(width);
      };

      await page.goto(`${server.url}/#/cost?from=now-24h&to=now`);
      const month = forecast('Cost at month end');
      await expect.poll(() => month.getAttribute('data-state'), { timeout: 20_000 }).toBe('ok');
      await visible('Cost at month end');
      // Every day of the month at $24, whatever day of it this runs on.
      const date = new Date(now);
      const days = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
      const dollars = (text: string | null) => Number(text!.replace(/[$,]/g, ''));
      const expected = dollars(await month.locator('.forecast-value').textContent());
      expect(Math.abs(expected / (24 * days) - 1)).toBeLessThan(0.02);
      // Every day alike: the range is narrow, and around the figure.
      const range = (await month.locator('.forecast-range').textContent())!;
      const [low, high] = /^80% range (\S+) – (\S+)$/.exec(range)!.slice(1).map(dollars);
      expect(low).toBeLessThanOrEqual(expected);
      expect(high).toBeGreaterThanOrEqual(expected);
      expect(high! - low!).toBeLessThan(0.05 * expected);
      expect(await month.locator('.stat-basis').textContent()).toMatch(
        /^month to date \$[\d,.]+ · from (7|8|9) days$/,
      );

      await page.goto(`${server.url}/#/health?from=now-24h&to=now`);
      const disk = forecast('Disk full in');
      await expect.poll(() => disk.getAttribute('data-state'), { timeout: 20_000 }).toBe('ok');
      await visible('Disk full in');
      await disk.scrollIntoViewIfNeeded();
      expect(await disk.locator('.forecast-value').textContent()).toBe('~5 days');
      expect(await disk.locator('.forecast-range').textContent()).toBe('80% range ~5 days to ~5 days');
      expect(await disk.locator('.stat-basis').textContent()).toMatch(/^path="\/": 4\.66 GiB left$/);
      await page.close();
    });
  }
});
