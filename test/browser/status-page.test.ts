import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startServer } from './harness.js';

/**
 * The public status page as its visitors see it, on a desktop and on a phone: it fits the screen
 * (nothing to scroll sideways), and each component's 90 day bars are all there and wide enough to
 * see. Query components keep the page independent of the clock: `vector(1)` is up every day.
 */
describe('status page in Chromium', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;

  beforeAll(async () => {
    const config = join(
      (await import('node:os')).tmpdir(),
      `vigil-status-browser-${process.pid}-${Date.now()}.yaml`,
    );
    writeFileSync(
      config,
      `status_pages:
  - slug: acme
    title: Acme Corporation — public status of every service we run
    description: A long description, so that a phone has to wrap it over several lines rather than scroll.
    groups:
      - name: Core
        components:
          - { name: Public API, query: vector(1) }
          - { name: A component with a very long name that needs wrapping on a phone screen, query: vector(0.5) }
          - { name: Nightly export, query: vector(0) }
      - name: Providers
        components:
          - { name: OpenAI, health: openai }
`,
    );
    server = await startServer({ VIGIL_CONFIG: config });
    const post = await fetch(`${server.url}/api/status-pages/acme/incidents`, {
      method: 'POST',
      body: JSON.stringify({
        title: 'Exports delayed',
        body: 'The nightly export runs late; a fix is being tested.\nNext update within the hour: https://example.com/a-very-long-link-that-should-wrap-rather-than-overflow',
      }),
    });
    expect(post.status).toBe(201);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const [name, width, height] of [
    ['desktop', 1440, 900],
    ['phone', 390, 844],
  ] as const) {
    it(`fits a ${name} (${width}×${height}) and shows every day's bar`, async () => {
      const page = await browser.newPage({ viewport: { width, height } });
      await page.goto(`${server.url}/status/acme`);
      await expect.poll(() => page.locator('.overall').textContent()).toBe('Partial outage');
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        bars: [...document.querySelectorAll('svg.bars')].map((svg) => {
          const box = svg.getBoundingClientRect();
          const rects = [...svg.querySelectorAll('rect')].map((r) => r.getBoundingClientRect());
          return {
            left: box.left,
            right: box.right,
            height: box.height,
            count: rects.length,
            narrowest: Math.min(...rects.map((r) => r.width)),
            green: svg.querySelectorAll('rect.d-ok').length,
          };
        }),
      }));
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
      expect(layout.bars).toHaveLength(4);
      for (const bar of layout.bars) {
        expect(bar.count).toBe(90);
        expect(bar.left).toBeGreaterThanOrEqual(0);
        expect(bar.right).toBeLessThanOrEqual(width);
        expect(bar.height).toBeGreaterThanOrEqual(20);
        // 90 bars with gaps across a phone's ~330 px: about 2.7 px each, still visible.
        expect(bar.narrowest).toBeGreaterThan(2);
      }
      // vector(1) was up at every hour of the 90 days; the provider has no data.
      expect(layout.bars[0]!.green).toBe(90);
      expect(layout.bars[3]!.green).toBe(0);
      await expect.poll(() => page.locator('.incident h2').textContent()).toBe('Exports delayed');
      await page.close();
    });
  }
});
