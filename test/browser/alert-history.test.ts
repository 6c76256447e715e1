import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importText } from '../../bench/lib/dashboard-history.js';
import { until } from '../support/until.js';
import { launchBrowser, startServer } from './harness.js';

const QUEUES = Array.from({ length: 25 }, (_, i) => `q${String(i).padStart(2, '0')}`);
const RULES = `groups:
  - name: queues
    interval: 1s
    rules:
      - alert: QueueDeep
        expr: history_queue_depth > 5
        labels: { severity: warning }
`;

/**
 * The Alerts page's history as someone reads it after a busy spell: 25 alerts that each fired,
 * resolved and fired again (75 state changes) read as one row per alert, twenty a page, each with
 * its own events a click away.
 */
describe('dashboard: alert history, one row per alert', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let rulesDir: string;

  const setDepth = (value: number) =>
    importText(server.url, QUEUES.map((q) => `history_queue_depth{queue="${q}"} ${value}\n`).join(''));
  const changesTo = async (to: string) => {
    const res = await fetch(`${server.url}/api/alerts/history?alertname=QueueDeep&limit=1000`);
    const body = (await res.json()) as { data: { events: { kind: string; to?: string }[] } };
    return body.data.events.filter((e) => e.kind === 'state' && e.to === to).length;
  };

  beforeAll(async () => {
    rulesDir = mkdtempSync(join(tmpdir(), 'vigil-browser-rules-'));
    writeFileSync(join(rulesDir, 'queues.yml'), RULES);
    server = await startServer({
      VIGIL_RULE_FILES: join(rulesDir, 'queues.yml'),
      VIGIL_EVALUATION_INTERVAL: '1s',
    });
    // Fired, resolved, fired again: three state changes for each of the 25 alerts.
    await setDepth(10);
    await until('25 alerts firing', async () => (await changesTo('firing')) === QUEUES.length);
    await setDepth(0);
    await until('25 alerts resolved', async () => (await changesTo('inactive')) === QUEUES.length);
    await setDepth(10);
    await until('25 alerts firing again', async () => (await changesTo('firing')) === 2 * QUEUES.length);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
  });

  it('shows each alert once with its last state, times fired and events, paged by twenty', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${server.url}/#/alerts`);
    const history = page.locator('[data-section="history"]');
    const rows = history.locator('tbody tr[data-alert]');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(20);
    const queueRows = history.locator('tbody tr[data-alert]', { hasText: 'QueueDeep' });
    // Each QueueDeep alert is one row; the built-in Watchdog's notifications may add one more.
    const heading = (await history.locator('h3').textContent()) ?? '';
    const alerts = Number(/History \((\d+) alerts?/.exec(heading)?.[1]);
    expect(alerts).toBeGreaterThanOrEqual(QUEUES.length);
    expect(alerts).toBeLessThanOrEqual(QUEUES.length + 1);
    expect(await history.locator('.pager').textContent()).toContain(`1–20 of ${alerts}`);

    const seen = new Set<string>();
    const readPage = async () => {
      for (const row of await queueRows.all()) {
        const cells = await row.locator('td').allTextContents();
        const queue = /queue=(q\d+)/.exec(cells[1]!)?.[1];
        expect(queue, cells.join(' | ')).toBeDefined();
        expect(seen.has(queue!), `${queue} on two rows`).toBe(false);
        seen.add(queue!);
        expect(cells[2]).toBe('firing');
        expect(cells[4]).toBe('2');
        expect(cells[5]).toBe('10');
      }
    };
    await readPage();
    await history.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => rows.count()).toBe(alerts - 20);
    await readPage();
    expect([...seen].sort()).toEqual(QUEUES);

    // One alert's own events, newest first: fired again, resolved, fired.
    const row = queueRows.first();
    await row.getByRole('button', { name: /Events \(3\)/ }).click();
    const events = history.locator('.history-events li');
    await expect.poll(() => events.count()).toBe(3);
    const texts = await events.allTextContents();
    expect(texts[0]).toContain('inactive → firing at 10');
    expect(texts[1]).toContain('firing → inactive');
    expect(texts[2]).toContain('inactive → firing at 10');
    await page.close();
  });
});
