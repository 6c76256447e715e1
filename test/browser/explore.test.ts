import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importText, writeHistory } from '../../bench/lib/dashboard-history.js';
import { launchBrowser, lowContrastText, startServer } from './harness.js';

const TOKEN = 'explore-test-token-0123456789';

/**
 * Explore as a Prometheus user expects it, on a server that wants a token: the PromQL editor loads
 * only on Explore, completes metric names and label values from the store (its requests carrying
 * the token), the metric browser puts a name into the query, and the page fits a phone.
 */
/** @codemirror/autocomplete's default `interactionDelay`, which promql-editor.ts keeps. */
const COMPLETION_INTERACTION_DELAY_MS = 75;

describe('dashboard: Explore with the PromQL editor', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ VIGIL_TOKEN: TOKEN });
    const end = Date.now();
    await writeHistory(server.url, { end, durationMs: 30 * 60_000, stepMs: 15_000, token: TOKEN });
    // A family with HELP and TYPE, as a scrape or a push brings them: the metric browser shows both.
    await importText(
      server.url,
      '# HELP explore_queue_depth Jobs waiting in the queue.\n# TYPE explore_queue_depth gauge\n' +
        `explore_queue_depth{queue="mail"} 3 ${end}\n`,
      TOKEN,
    );
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A page with the token already saved, and every request it makes recorded. */
  async function openPage(width: number, height: number) {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.addInitScript((token) => localStorage.setItem('vigil.token', token), TOKEN);
    const requests: { path: string; search: URLSearchParams; body: string; authorization?: string }[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      requests.push({
        path: url.pathname,
        search: url.searchParams,
        body: request.postData() ?? '',
        authorization: request.headers().authorization,
      });
    });
    return { page, requests };
  }

  async function openExplore(page: Page, hash = '#/explore?from=now-1h&to=now'): Promise<void> {
    await page.goto(`${server.url}/${hash}`);
    await page.waitForSelector('[data-page="explore"][data-editor="promql"] .cm-content');
  }

  const completions = (page: Page) => page.locator('.cm-tooltip-autocomplete li').allTextContents();

  it('loads the editor on Explore only, as a chunk of its own', async () => {
    const { page, requests } = await openPage(1440, 900);
    await page.goto(`${server.url}/#/overview?from=now-1h&to=now`);
    await expect
      .poll(() => page.locator('.panel[data-state="ok"]').count(), { timeout: 15_000 })
      .toBeGreaterThan(4);
    const scripts = () => requests.filter((r) => r.path.startsWith('/assets/') && r.path.endsWith('.js'));
    const overviewScripts = scripts().map((r) => r.path);
    expect(overviewScripts).toHaveLength(1);
    await page.click('[data-nav="explore"]');
    await page.waitForSelector('[data-page="explore"][data-editor="promql"] .cm-content');
    const exploreScripts = scripts()
      .map((r) => r.path)
      .filter((path) => !overviewScripts.includes(path));
    expect(exploreScripts).toHaveLength(1);
    await page.close();
  });

  it('completes a metric name from the store as one types its prefix, with the token on every request', async () => {
    const { page, requests } = await openPage(1440, 900);
    await openExplore(page);
    await page.click('.cm-content');
    await page.keyboard.type('latency_oper');
    await expect
      .poll(() => completions(page), { timeout: 10_000 })
      .toEqual(expect.arrayContaining([expect.stringContaining('latency_operations_total')]));
    // Enter takes the highlighted completion while the list is open; it does not run the query.
    await page.keyboard.type('ations_t');
    await expect
      .poll(() =>
        page.locator('.cm-tooltip-autocomplete li[aria-selected] .cm-completionLabel').textContent(),
      )
      .toBe('latency_operations_total');
    // CodeMirror ignores Enter for its interactionDelay (75 ms) after a list opens, so that a list
    // popping up under a fast typist's Enter does not take it: the query runs instead. Typing
    // 'ations_t' may have opened the list again; wait that guard out, as a person reading it does.
    await page.waitForTimeout(COMPLETION_INTERACTION_DELAY_MS + 50);
    await page.keyboard.press('Enter');
    expect(await page.locator('.cm-content').textContent()).toBe('latency_operations_total');
    expect(await page.evaluate(() => location.hash)).not.toContain('q=');

    // Label names of that metric, then values of one: asked for with match[] naming it.
    await page.keyboard.type('{');
    await expect
      .poll(() => completions(page), { timeout: 10_000 })
      .toEqual(
        expect.arrayContaining([expect.stringContaining('provider'), expect.stringContaining('operation')]),
      );
    const labels = requests.find((r) => r.path === '/api/v1/labels');
    expect(new URLSearchParams(labels?.body).get('match[]')).toBe('latency_operations_total');
    await page.keyboard.type('provider="');
    await expect
      .poll(() => completions(page), { timeout: 10_000 })
      .toEqual(expect.arrayContaining([expect.stringContaining('deepgram')]));
    const values = requests.find((r) => r.path === '/api/v1/label/provider/values');
    expect(values?.search.get('match[]')).toContain('latency_operations_total');

    const api = requests.filter((r) => r.path.startsWith('/api/v1/'));
    expect(api.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/api/v1/label/__name__/values', '/api/v1/metadata']),
    );
    for (const r of api) expect(r.authorization, r.path).toBe(`Bearer ${TOKEN}`);
    await page.close();
  });

  it('runs the query on Enter, and keeps it in the history', async () => {
    const { page } = await openPage(1440, 900);
    await openExplore(page);
    await page.click('.cm-content');
    await page.keyboard.type('count(latency_operations_total)');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.evaluate(() => decodeURIComponent(location.hash)))
      .toContain('q=count(latency_operations_total)');
    await expect
      .poll(() => page.locator('.panel-timeseries').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('ok');
    expect(await page.locator('.query-history .history-query').first().textContent()).toBe(
      'count(latency_operations_total)',
    );
    await page.close();
  });

  it('shows the instant answer as a table of series and values in the Table view, and keeps the view', async () => {
    const { page } = await openPage(1440, 900);
    const query = 'sum by (provider) (rate(latency_operations_total[5m]))';
    await openExplore(page, `#/explore?from=now-1h&to=now&q=${encodeURIComponent(query)}`);
    await expect
      .poll(() => page.locator('.panel-timeseries').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('ok');
    await page.click('.explore-views [data-view="table"]');
    const rows = page.locator('.instant-table tbody tr');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(6);
    expect(await page.locator('.panel-timeseries').count()).toBe(0);
    const names = await page.locator('.instant-table .series-name').allTextContents();
    expect(names).toContain('{provider="deepgram"}');
    for (const value of await page.locator('.instant-table .series-value').allTextContents())
      expect(value).toMatch(/^\d+(\.\d+)?\/s$/);
    expect(await page.locator('.instant-table .panel-message').textContent()).toMatch(/^6 series at /);
    await page.reload();
    await page.waitForSelector('[data-page="explore"]');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(6);
    expect(await page.locator('[data-view="table"]').getAttribute('aria-pressed')).toBe('true');
    await page.click('.explore-views [data-view="graph"]');
    await expect
      .poll(() => page.locator('.panel-timeseries').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('ok');
    expect(await rows.count()).toBe(0);
    await page.close();
  });

  it('lists metrics with type and help in the metric browser; a click puts the name in the query', async () => {
    const { page } = await openPage(1440, 900);
    await openExplore(page);
    await page.locator('.metric-browser summary').click();
    await page.fill('.metric-filter', 'queue');
    const row = page.locator('.metric-pick', { hasText: 'explore_queue_depth' });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.locator('.metric-type').textContent()).toBe('gauge');
    expect(await row.locator('.metric-help').textContent()).toBe('Jobs waiting in the queue.');
    expect(await page.locator('.metric-pick').count()).toBe(1);
    await row.click();
    expect(await page.locator('.cm-content').textContent()).toBe('explore_queue_depth');
    await page.close();
  });

  it('fits a 390 px phone with the help, the metric browser and a chart open', async () => {
    const { page } = await openPage(390, 844);
    await openExplore(
      page,
      `#/explore?from=now-1h&to=now&q=${encodeURIComponent('sum by (provider) (rate(latency_operations_total[5m]))')}`,
    );
    await expect
      .poll(() => page.locator('.panel-timeseries').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('ok');
    await page.locator('.metric-browser summary').click();
    await page.locator('.explore-help summary').click();
    await expect.poll(() => page.locator('.metric-pick').count(), { timeout: 10_000 }).toBeGreaterThan(5);
    await page.click('.cm-content');
    await page.keyboard.press('End');
    await page.keyboard.type(' + on(provider) latency_op');
    await expect
      .poll(() => page.locator('.cm-tooltip-autocomplete li').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    const wide = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      elements: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.u-legend'))
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}`)
        .slice(0, 5),
    }));
    expect(wide.scrollWidth).toBeLessThanOrEqual(390);
    expect(wide.elements).toEqual([]);
    // Highlighted query, completion list, help and metric list all readable.
    expect(await lowContrastText(page)).toEqual([]);
    await page.close();
  });
});
