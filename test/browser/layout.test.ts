import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHistory, writeLive } from '../../bench/lib/dashboard-history.js';
import { launchBrowser, lowContrastText, startServer } from './harness.js';

/**
 * What a person checks on a fresh install, on a phone and on a desktop: every page fits the screen,
 * a chart's time axis is the picked range (not the minutes that have data), legends read values
 * without hovering, the time picker gets out of the way, and a stream that stops says so.
 */
describe('dashboard layout, time axis, legends and controls', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let stopLive: () => void;
  let pages: string[];

  beforeAll(async () => {
    server = await startServer();
    // Ten minutes of data, as after `npm start` on a fresh install: eleven written, since the span
    // the figures count from (left-open ranges over 10 s steps) starts a step or more after the first.
    const workload = await writeHistory(server.url, {
      end: Date.now(),
      durationMs: 11 * 60_000,
      stepMs: 10_000,
    });
    stopLive = writeLive(server.url, workload, { intervalMs: 1000 });
    const list = (await (await fetch(`${server.url}/api/dashboards`)).json()) as {
      dashboards: { id: string }[];
    };
    pages = [...list.dashboards.map((d) => d.id), 'alerts', 'incidents', 'slos', 'reports', 'explore'];
    browser = await launchBrowser();
  });

  afterAll(async () => {
    stopLive?.();
    await browser?.close();
    await server?.close();
  });

  async function open(page: Page, hash: string): Promise<void> {
    await page.goto(`${server.url}/${hash}`);
    await page.waitForSelector('.page');
    await expect
      .poll(() => page.locator('.panel[data-state="loading"]').count(), { timeout: 20_000 })
      .toBe(0);
  }

  /** Elements whose right edge is past the viewport, outside the scrolling boxes meant to hold them. */
  const overflow = (page: Page) =>
    page.evaluate(() => {
      const inScroller = (e: Element) =>
        e.closest('.panel-table .panel-body, .alert-section, .u-legend') !== null;
      return {
        width: document.documentElement.scrollWidth,
        wide: [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !inScroller(e))
          .map((e) => `${e.tagName.toLowerCase()}.${e.className}`)
          .slice(0, 5),
      };
    });

  for (const [width, height] of [
    [390, 844],
    [1440, 900],
  ] as const) {
    it(`every page fits ${width} px: no page wider than the screen`, async () => {
      const page = await browser.newPage({ viewport: { width, height } });
      for (const id of pages) {
        await open(page, `#/${id}?from=now-1h&to=now${id === 'explore' ? '&q=up' : ''}`);
        const { width: scrollWidth, wide } = await overflow(page);
        expect(scrollWidth, `${id} at ${width} px (${wide.join(', ')})`).toBeLessThanOrEqual(width);
        expect(wide, id).toEqual([]);
        expect(await lowContrastText(page), `${id} at ${width} px: text under 4.5:1`).toEqual([]);
      }
      // The check itself: grey on the dark card (#6e7681 on #161b22, 3.9:1) is found, #8b949e (5.5:1) is not.
      await page.evaluate(() => {
        const card = document.querySelector('.content')!;
        for (const [color, text] of [
          ['#6e7681', 'too faint'],
          ['#8b949e', 'muted enough'],
        ]) {
          const p = document.createElement('p');
          p.style.cssText = `color: ${color}; background: #161b22`;
          p.textContent = text!;
          card.prepend(p);
        }
      });
      expect(await lowContrastText(page)).toEqual([expect.stringMatching(/^3\.\d\d "too faint"/)]);
      if (width === 390) {
        // Charts one a row, stat cards two a row.
        await open(page, '#/overview?from=now-1h&to=now');
        const chart = await page.locator('.panel-timeseries').first().boundingBox();
        const stat = await page.locator('.panel-stat').first().boundingBox();
        expect(chart!.width).toBeGreaterThan(width * 0.85);
        expect(stat!.width).toBeLessThan(width * 0.55);
      }
      await page.close();
    });
  }

  it('keeps the top bar to one row on a 390 x 844 phone, the pages behind a menu button', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await open(page, '#/overview?from=now-1h&to=now');
    const bar = (await page.locator('.topbar').boundingBox())!;
    // One row: as tall as its tallest control and padding, every control side by side within it.
    expect(bar.height).toBeLessThan(52);
    for (const selector of [
      '.brand',
      '.nav-toggle',
      '.live-status',
      '.time-button',
      '.zone-button',
      '.refresh-now',
      'select[name="refresh"]',
    ]) {
      const box = (await page.locator(selector).boundingBox())!;
      expect(box, selector).not.toBeNull();
      expect(box.y, selector).toBeGreaterThanOrEqual(bar.y);
      expect(box.y + box.height, selector).toBeLessThanOrEqual(bar.y + bar.height);
      expect(box.x + box.width, selector).toBeLessThanOrEqual(390);
    }
    const links = page.locator('.nav a');
    expect(await links.first().isVisible()).toBe(false);
    await page.click('.nav-toggle');
    expect(await page.locator('.nav-toggle').getAttribute('aria-expanded')).toBe('true');
    expect(await links.count()).toBe(pages.length);
    for (const link of await links.all()) expect(await link.isVisible()).toBe(true);
    // A choice closes the menu and opens the page; Escape and a tap elsewhere close it too.
    await page.click('.nav a[data-nav="alerts"]');
    await page.waitForSelector('[data-page="alerts"]');
    expect(await links.first().isVisible()).toBe(false);
    await page.click('.nav-toggle');
    await page.keyboard.press('Escape');
    expect(await links.first().isVisible()).toBe(false);
    await page.click('.nav-toggle');
    await page.mouse.click(200, 700);
    expect(await links.first().isVisible()).toBe(false);
    await page.close();
  });

  it('every control of every dashboard page is reached with Tab at 1440 px', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // Explore is left out: its editor arrives as a chunk of its own and replaces the textarea meanwhile.
    for (const id of pages.filter((p) => p !== 'explore')) {
      await open(page, `#/${id}?from=now-1h&to=now`);
      const controls = await page.evaluate(() => {
        // What can be focused natively, what says it is a control (role), and what asks for focus.
        const selector =
          'a[href], button, select, input, textarea, summary, [role="button"], [role="tab"], [role="link"], [role="checkbox"], [role="switch"], [role="menuitem"], [tabindex]:not([tabindex="-1"])';
        const visible = [...document.querySelectorAll(selector)]
          .map((e) => e as HTMLElement)
          .filter((e) => {
            const box = e.getBoundingClientRect();
            return (
              box.width > 0 &&
              box.height > 0 &&
              !(e as HTMLButtonElement).disabled &&
              getComputedStyle(e).visibility !== 'hidden'
            );
          });
        for (const [i, e] of visible.entries()) e.setAttribute('data-kb', String(i));
        (document.activeElement as HTMLElement | null)?.blur();
        return visible.length;
      });
      const reached = new Set<string>();
      for (let i = 0; i < controls + 10 && reached.size < controls; i++) {
        await page.keyboard.press('Tab');
        const at = await page.evaluate(
          () => document.activeElement?.closest('[data-kb]')?.getAttribute('data-kb') ?? null,
        );
        if (at !== null) reached.add(at);
      }
      expect(controls, id).toBeGreaterThan(3);
      expect(reached.size, `${id}: controls reached with Tab, of ${controls}`).toBe(controls);
    }
  });

  it('the time axis spans the picked range, not the ten minutes with data', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    for (const [hash, span] of [
      ['#/overview?from=now-24h&to=now', 24 * 3_600_000],
      ['#/sessions?from=now-7d&to=now', 7 * 86_400_000],
    ] as const) {
      const before = Date.now();
      await open(page, hash);
      const after = Date.now();
      const charts = page.locator('.panel-timeseries[data-state="ok"]');
      expect(await charts.count(), hash).toBeGreaterThan(0);
      for (const chart of await charts.all()) {
        const min = Number(await chart.getAttribute('data-x-min'));
        const max = Number(await chart.getAttribute('data-x-max'));
        expect(max, hash).toBeGreaterThanOrEqual(before - 2000);
        expect(max, hash).toBeLessThanOrEqual(after + 5000);
        expect(max - min, hash).toBeGreaterThan(span - 10_000);
        expect(max - min, hash).toBeLessThan(span + 10_000);
      }
    }
    await page.close();
  });

  it('a stat reads the same over the last 7 days as over the last hour of a fresh install', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const throughput = async (from: string) => {
      await open(page, `#/overview?from=${from}&to=now`);
      const text = await page.locator('.panel-stat .stat-value').first().textContent();
      return Number(text!.replace(/[^0-9.]/g, ''));
    };
    const hour = await throughput('now-1h');
    // The figure is rounded for reading, exact on hover.
    const exact = Number(await page.locator('.panel-stat .stat-value').first().getAttribute('title'));
    expect(exact).toBeCloseTo(hour, 1);
    expect(String(exact)).not.toBe(String(hour));
    const week = await throughput('now-7d');
    expect(hour).toBeGreaterThan(0);
    expect(Math.abs(week - hour) / hour).toBeLessThan(0.25);
    await page.close();
  });

  it('the cost page says its month-end forecast would rest on ten minutes: not enough history, no figure', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await open(page, '#/cost?from=now-24h&to=now');
    const panel = (type: string, title: string) =>
      page.locator(`.panel-${type}`, { has: page.locator('.panel-title', { hasText: title }) });
    const basis = (title: string) => panel('stat', title).locator('.stat-basis');
    // Ten minutes of history (and the seconds the test has run): no straight line through them to
    // the month's end, but what there is and what it would take.
    const month = panel('forecast', 'Cost at month end');
    expect(await month.locator('.forecast-value').textContent()).toBe('not enough history');
    expect(await month.locator('.stat-basis').textContent()).toMatch(
      /^1[0-2] min of data, 7 days needed · month to date \$\d+\.\d{2}$/,
    );
    expect(await month.locator('.forecast-range').textContent()).toBe('');
    // Enough for an hour's rate, and said to be ten minutes, not the hour.
    expect(await basis('Cost per hour').textContent()).toMatch(/^based on the last 1[0-2] min of data$/);
    await page.close();
  });

  it('legends show each series value without hovering', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await open(page, '#/sessions?from=now-1h&to=now');
    await page.mouse.move(0, 0);
    const values = await page.locator('.panel-timeseries .u-legend .u-value').allTextContents();
    expect(values.length).toBeGreaterThan(4);
    for (const v of values) expect(v).not.toMatch(/^(—|--|)$/);
    await page.close();
  });

  it('the time picker closes on Escape, outside click and navigation, and its error stays with it', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await open(page, '#/overview?from=now-1h&to=now');
    const menu = page.locator('.time-menu');
    await page.click('.time-button');
    expect(await menu.isVisible()).toBe(true);
    await page.fill('.time-form input[name="from"]', 'yesterday-ish');
    await page.click('.time-form button[type="submit"]');
    expect(await page.locator('.time-form .form-status').textContent()).toContain('yesterday-ish');
    await page.keyboard.press('Escape');
    expect(await menu.isVisible()).toBe(false);
    await page.click('.time-button');
    expect(await page.locator('.time-form .form-status').textContent()).toBe('');
    await page.click('.page-header h2');
    expect(await menu.isVisible()).toBe(false);
    await page.click('.time-button');
    await page.fill('.time-form input[name="from"]', 'bad');
    await page.click('.time-form button[type="submit"]');
    await page.goto(`${server.url}/#/sessions?from=now-1h&to=now`);
    await page.waitForSelector('[data-page="sessions"]');
    expect(await menu.isVisible()).toBe(false);
    expect(await page.locator('.time-form .form-status').textContent()).toBe('');
    await page.close();
  });

  it('Explore keeps the queries that ran, newest first, and runs one again on a click', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const first = 'sum(rate(latency_operations_total[5m]))';
    const second = 'count(up)';
    for (const query of [first, 'sum(', second]) {
      await open(page, `#/explore?from=now-1h&to=now&q=${encodeURIComponent(query)}`);
      await expect
        .poll(() => page.locator('.explore-error, .panel-timeseries[data-state="ok"]').count(), {
          timeout: 10_000,
        })
        .toBeGreaterThan(0);
    }
    await page.reload();
    await page.waitForSelector('[data-page="explore"]');
    // The query with a syntax error is not kept.
    expect(await page.locator('.history-query').allTextContents()).toEqual([second, first]);
    await page.locator('.query-history summary').click();
    await page.locator('.history-query', { hasText: first }).click();
    await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toContain(first);
    await expect.poll(() => page.locator('.panel-timeseries').getAttribute('data-state')).toBe('ok');
    await page.close();
  });

  it('says "stale" once the live stream stops bringing new points', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await open(page, '#/overview?from=now-15m&to=now');
    const status = page.locator('.live-status');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 10_000 }).toBe('open');
    stopLive();
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 20_000 }).toBe('stale');
    expect(await status.textContent()).toMatch(/stale: no new data for \d+ s/);
    await page.close();
  });
});
