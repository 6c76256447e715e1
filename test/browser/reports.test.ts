import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSamples, launchBrowser, startServer } from './harness.js';

describe('dashboard: Reports page', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer();
    // Two days of speech-to-text calls, every 5 minutes: 100 an hour the day before, 150 an hour
    // the last day, 2% of them failing the last day and none before.
    const now = Date.now();
    const lines: string[] = [];
    let ok = 0;
    let failed = 0;
    for (let t = now - 48 * 3_600_000; t <= now; t += 300_000) {
      const lastDay = t > now - 24 * 3_600_000;
      ok += lastDay ? (150 / 12) * 0.98 : 100 / 12;
      failed += lastDay ? (150 / 12) * 0.02 : 0;
      lines.push(
        `latency_operations_total{operation="stt",provider="deepgram",status="success"} ${ok} ${t}`,
        `latency_operations_total{operation="stt",provider="deepgram",status="error"} ${failed} ${t}`,
      );
    }
    await importSamples(server.url, lines);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const [device, viewport] of [
    ['desktop', { width: 1440, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    it(`shows the report over the picked period, each figure with its change (${device})`, async () => {
      await page.setViewportSize(viewport);
      await page.goto(`${server.url}/#/reports?from=now-24h&to=now`);
      const traffic = page.locator('[data-report-section="traffic"]');
      const row = traffic.locator('tr', { hasText: 'deepgram' });
      await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
      // About 3,600 requests against 2,400 the day before: up about 50%.
      const requests = (await row.locator('td[data-column="requests"]').textContent())!;
      const [, up] = /▲ (\d+)%/.exec(requests) ?? [];
      expect(Number(up)).toBeGreaterThan(40);
      expect(Number(up)).toBeLessThan(60);
      // The error rate went from none to 2%: up 2 points. A report of a day reads hourly rollups,
      // whose edges are read to the whole hour (docs/reports.md): the day before may take in part
      // of the hour the errors began, up to 2% of an hour in 24, so 1.9 points.
      expect(await row.locator('td[data-column="errorRate"]').textContent()).toMatch(
        /^2(\.0)?%\s+▲ (1\.9|2\.0) pts$/,
      );
      // The same sections as the API's document, in the same order.
      const api = (await (await fetch(`${server.url}/api/reports?period=1d`)).json()) as {
        sections: { title: string }[];
      };
      expect(await page.locator('[data-report-section] h3').allTextContents()).toEqual(
        api.sections.map((s) => s.title),
      );
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        viewport.width,
      );
    });
  }

  it("writes the period in the browser's own time zone, asking the API for it", async () => {
    const context = await browser.newContext({ timezoneId: 'Asia/Kolkata' });
    try {
      const kolkata = await context.newPage();
      await kolkata.goto(`${server.url}/#/reports?from=now-24h&to=now`);
      const span = kolkata.locator('.report-span');
      await expect.poll(() => span.textContent(), { timeout: 15_000 }).toMatch(/UTC\+5:30, each figure/);
      // The same text as the API writes for that zone (the period of the page's own request).
      const text = (await span.textContent())!;
      const [, period] = /^(.*), each figure/.exec(text)!;
      const [, end] = / to (\d{4}-\d\d-\d\d \d\d:\d\d) UTC\+5:30$/.exec(period!)!;
      const endMs = Date.parse(`${end!.replace(' ', 'T')}:00+05:30`);
      const api = (await (
        await fetch(`${server.url}/api/reports?period=1d&end=${endMs / 1000}&timezone=Asia/Kolkata`)
      ).json()) as { period: string };
      expect(period).toBe(api.period);
    } finally {
      await context.close();
    }
  });
});
