import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startServer } from './harness.js';

describe('dashboard: incidents and SLO pages', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-browser-incidents-'));
    writeFileSync(
      join(dir, 'vigil.yaml'),
      `notifications:
  route: { receiver: log, group_wait: 0s, group_interval: 1s, group_by: [alertname] }
  receivers: [{ name: log }]
slos:
  - name: checkout-availability
    objective: 99.9
    sli:
      ratio:
        errors: sum(rate(checkout_requests_total{code="500"}[$window]))
        total: sum(rate(checkout_requests_total[$window]))
`,
    );
    server = await startServer({ VIGIL_CONFIG: join(dir, 'vigil.yaml') });
    const res = await fetch(`${server.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'CheckoutDown', severity: 'critical' },
          annotations: { summary: 'checkout answers 503', runbook_url: 'https://runbooks.example/checkout' },
        },
      ]),
    });
    expect(res.status).toBe(200);
    // The group flushes at once (group_wait 0s) and opens the incident.
    for (let i = 0; i < 100; i++) {
      const body = (await (await fetch(`${server.url}/api/incidents`)).json()) as { incidents: unknown[] };
      if (body.incidents.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the open incident, acknowledges it with a click, and shows its timeline and runbook', async () => {
    await page.goto(`${server.url}/#/incidents`);
    const row = page.locator('[data-page="incidents"] tr[data-status]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.getAttribute('data-status')).toBe('open');
    await page.click('button[data-ack]');
    await expect.poll(() => row.getAttribute('data-status')).toBe('acknowledged');
    await page.click('a[data-incident]');
    const kinds = page.locator('[data-section="timeline"] tr[data-kind]');
    await expect
      .poll(async () => await kinds.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind'))))
      // The receiver has no integration, so nothing was sent that the timeline could note.
      .toEqual(['opened', 'alert_firing', 'acknowledged']);
    expect(
      await page.locator('[data-section="incident"] a[href="https://runbooks.example/checkout"]').count(),
    ).toBe(1);
  });

  it('shows each SLO with its objective, on a phone too', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/#/slos`);
    const row = page.locator('[data-page="slos"] tr[data-slo="checkout-availability"]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('td').nth(1).textContent()).toBe('99.90% / 30d');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
  });
});
