import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHistory } from '../../bench/lib/dashboard-history.js';
import { launchBrowser, startServer } from './harness.js';

const TOKEN = 'browser-test-token-0123456789';

describe('dashboard: a server with a bearer token', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer({ VIGIL_TOKEN: TOKEN });
    await writeHistory(server.url, { end: Date.now(), durationMs: 3_600_000, stepMs: 15_000, token: TOKEN });
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('asks for the token once, sends it on every call and on the WebSocket, and keeps it', async () => {
    const authorizations: (string | undefined)[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/'))
        authorizations.push(request.headers().authorization);
    });
    await page.goto(`${server.url}/`);
    await page.waitForSelector('.modal input[name="token"]');
    await page.fill('.modal input[name="token"]', 'wrong-token');
    await page.click('.modal button[type="submit"]');
    // A refused token asks again, saying so.
    await expect.poll(() => page.locator('.modal').textContent(), { timeout: 10_000 }).toContain('refused');
    await page.fill('.modal input[name="token"]', TOKEN);
    await page.click('.modal button[type="submit"]');
    await page.waitForSelector('[data-page="overview"]');
    await expect
      .poll(() => page.locator('.panel[data-state="ok"]').count(), { timeout: 15_000 })
      .toBeGreaterThan(4);
    expect(authorizations).toContain(`Bearer ${TOKEN}`);
    await expect
      .poll(() => page.locator('.live-status').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('open');

    await page.reload();
    await page.waitForSelector('[data-page="overview"]');
    await expect
      .poll(() => page.locator('.panel[data-state="ok"]').count(), { timeout: 15_000 })
      .toBeGreaterThan(4);
    expect(await page.locator('.modal').count()).toBe(0);
  });
});
