import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSamples, launchBrowser, seriesPixels, startServer } from './harness.js';

describe('dashboard: incidents and SLO pages', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-browser-incidents-'));
    writeFileSync(
      join(dir, 'rules.yml'),
      `groups:
  - name: queue
    rules:
      - alert: QueueStuck
        expr: vector(1) > 0
        labels: { severity: critical }
        annotations: { summary: the import queue stopped moving }
`,
    );
    writeFileSync(
      join(dir, 'vigil.yaml'),
      `rule_files: [rules.yml]
evaluation_interval: 1s
notifications:
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
    // Thirty days of the SLO's recorded window ratio, as its rules would have written them: the
    // budget left falls from 100% to 40% over the month (0.0006 of a 0.001 budget spent).
    const now = Date.now();
    // From 719 hours ago: a sample 30 days old is past the store's retention, refused as too_old.
    const lines: string[] = [];
    for (let h = 30 * 24 - 1; h >= 1; h--)
      lines.push(
        `slo:sli_error:ratio_rate30d{slo="checkout-availability",slo_window="30d"} ${(0.0006 * (1 - h / 720)).toFixed(8)} ${now - h * 3_600_000}`,
      );
    // And a minute of checkout traffic without a single error (no code="500" series at all), from
    // which the SLO's own rules record the current SLI: the table's figures.
    lines.push(
      `checkout_requests_total{code="200"} 0 ${now - 60_000}`,
      `checkout_requests_total{code="200"} 20000 ${now}`,
    );
    await importSamples(server.url, lines);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the open incident, acknowledges it with a click, and shows its timeline and runbook', async () => {
    await page.goto(`${server.url}/#/incidents`);
    const row = page.locator('[data-page="incidents"] tr[data-status]', {
      has: page.locator('a', { hasText: 'CheckoutDown' }),
    });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.getAttribute('data-status')).toBe('open');
    await row.locator('button[data-ack]').click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('acknowledged');
    await row.locator('a[data-incident]').click();
    const kinds = page.locator('[data-section="timeline"] tr[data-kind]');
    await expect
      .poll(async () => await kinds.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind'))))
      // The receiver has no integration, so nothing was sent that the timeline could note.
      .toEqual(['opened', 'alert_firing', 'acknowledged']);
    expect(
      await page.locator('[data-section="incident"] a[href="https://runbooks.example/checkout"]').count(),
    ).toBe(1);
  });

  it("acknowledges a firing alert's incident from the Alerts page, then notes, sees a silence and resolves it on the incident", async () => {
    await page.evaluate(() => localStorage.setItem('vigil.silence.author', 'dana'));
    await page.goto(`${server.url}/#/alerts`);
    const alertRow = page.locator('[data-section="firing"] tr', { hasText: 'QueueStuck' });
    const cell = alertRow.locator('[data-incident]');
    await expect.poll(() => cell.count(), { timeout: 15_000 }).toBe(1);
    const id = (await cell.getAttribute('data-incident'))!;
    await cell.locator('button[data-ack]').click();
    await expect.poll(() => cell.locator('a').textContent()).toBe('acknowledged');
    expect(await cell.locator('button').count()).toBe(0);
    const acked = (await (await fetch(`${server.url}/api/incidents/${id}`)).json()) as {
      acknowledgedBy: string;
    };
    expect(acked.acknowledgedBy).toBe('dana');

    // The alert row's link opens the incident itself.
    await cell.locator('a').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#/incidents/${id}`);
    const detail = page.locator('[data-section="incident"]');
    await expect.poll(() => detail.locator('h3').textContent()).toContain(`QueueStuck (${id})`);
    await detail.locator('textarea[name="note"]').fill('restarted the importer');
    await detail.locator('button[type="submit"]').click();
    const kinds = detail.locator('[data-section="timeline"] tr[data-kind]');
    await expect.poll(() => kinds.last().locator('td').nth(1).textContent()).toBe('restarted the importer');
    expect(await kinds.last().locator('td').nth(2).textContent()).toBe('dana');

    const silence = await fetch(`${server.url}/api/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: 'QueueStuck', isRegex: false }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'erin',
        comment: 'importer redeploy',
      }),
    });
    expect(silence.status).toBe(200);
    await detail.locator('button[data-action="resolve"]').click();
    await expect.poll(() => detail.locator('h3 .state').textContent()).toBe('resolved');
    const timeline = await kinds.evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-kind'), r.querySelector('td:last-child')?.textContent]),
    );
    expect(timeline).toContainEqual(['silenced', 'erin']);
    expect(timeline.at(-1)).toEqual(['resolved', 'dana']);
    expect(await detail.locator('button[data-action]').count()).toBe(0);
  });

  for (const [device, viewport] of [
    ['desktop', { width: 1440, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    it(`charts MTTA and MTTR per day and per alert name (${device})`, async () => {
      await page.setViewportSize(viewport);
      await page.goto(`${server.url}/#/incidents`);
      const section = page.locator('[data-section="recovery"]');
      // CheckoutDown was acknowledged, QueueStuck acknowledged and resolved by the tests above.
      const queue = section.locator('tr[data-alertname="QueueStuck"]');
      await expect.poll(() => queue.count()).toBe(1);
      expect(Number(await queue.locator('td[data-mtta]').getAttribute('data-mtta'))).toBeGreaterThan(0);
      expect(Number(await queue.locator('td[data-mttr]').getAttribute('data-mttr'))).toBeGreaterThan(0);
      expect(
        await section.locator('tr[data-alertname="CheckoutDown"] td[data-mttr]').getAttribute('data-mttr'),
      ).toBe('');
      const canvas = section.locator('[data-chart="recovery-over-time"] canvas').first();
      await expect.poll(() => seriesPixels(canvas)).toBeGreaterThan(20);
      const box = (await canvas.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        viewport.width,
      );
    });

    it(`shows each SLO with its objective and its budget burn-down over the window (${device})`, async () => {
      await page.setViewportSize(viewport);
      await page.goto(`${server.url}/#/slos`);
      const row = page.locator('[data-page="slos"] tr[data-slo="checkout-availability"]');
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.locator('td').nth(1).textContent()).toBe('99.90% / 30d');
      // The SLI and budget left are numbers, not the '–' of no data.
      await expect.poll(() => row.locator('td').nth(2).textContent()).toBe('100.000%');
      expect(await row.locator('td').nth(3).textContent()).toBe(' 100.0%');
      const chart = page.locator('[data-section="slo-burn-down"] [data-slo="checkout-availability"]');
      const canvas = chart.locator('canvas').first();
      await expect.poll(() => seriesPixels(canvas)).toBeGreaterThan(100);
      // The x axis spans the SLO's whole 30-day window, ending now.
      const span =
        Number(await chart.getAttribute('data-x-max')) - Number(await chart.getAttribute('data-x-min'));
      expect(span / 86_400_000).toBeCloseTo(30, 1);
      const box = (await canvas.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        viewport.width,
      );
    });
  }
});
