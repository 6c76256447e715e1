import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

export { importSamples } from '../support/import-samples.js';

/**
 * What the browser tests share: a real `vigil serve` (the built packages/server/dist, as users run
 * it) on an ephemeral port with its data in a temporary folder, and Debian's Chromium driven
 * headless by playwright-core (never a downloaded browser).
 */
interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function startServer(
  env: Record<string, string> = {},
): Promise<RunningServer & { data: string }> {
  const { serve } = (await import('../../packages/server/dist/cli/serve.js')) as {
    serve: (config: unknown) => Promise<RunningServer>;
  };
  const { loadConfig } = (await import('../../packages/server/dist/config/config.js')) as {
    loadConfig: (flags: Record<string, string>, env: Record<string, string>) => unknown;
  };
  const data = mkdtempSync(join(tmpdir(), 'vigil-browser-'));
  const server = await serve(
    loadConfig(
      { listen: '127.0.0.1:0', data, statsd: 'off' },
      { DASHBOARD_REFRESH_INTERVAL: '1s', VIGIL_FLUSH_INTERVAL: '200ms', ...env },
    ),
  );
  return {
    url: server.url,
    data,
    async close() {
      await server.close();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Pixels of a chart's canvas in a saturated colour: the series lines. Background, grid and axis
 * text are greys, so a chart with its axes drawn but no line counts (next to) nothing.
 */
export function seriesPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((element) => {
    const canvas = element as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
      if (a > 100 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
    }
    return n;
  });
}

/**
 * Visible text whose contrast with what is behind it is under `min` (WCAG 2's ratio of relative
 * luminances, 4.5:1 for body text), computed from the computed styles: the text's colour over the
 * background colours of its ancestors, alpha and opacity composited, the page's own at the bottom.
 * Text of disabled controls is left out, as WCAG leaves out inactive components. Returns
 * `ratio text (colour on background)` for each offender, at most `limit`.
 */
export function lowContrastText(page: Page, min = 4.5, limit = 10): Promise<string[]> {
  return page.evaluate(
    ({ min, limit }) => {
      type Rgba = [number, number, number, number];
      const parse = (css: string): Rgba => {
        const m = /rgba?\(([^)]+)\)/.exec(css);
        if (!m) return [0, 0, 0, 0];
        const [r, g, b, a = '1'] = m[1]!.split(/[\s,/]+/).filter(Boolean);
        return [Number(r), Number(g), Number(b), Number(a)];
      };
      const over = (top: Rgba, bottom: Rgba): Rgba => {
        const a = top[3] + bottom[3] * (1 - top[3]);
        if (a === 0) return [0, 0, 0, 0];
        const mix = (i: number) => (top[i]! * top[3] + bottom[i]! * bottom[3] * (1 - top[3])) / a;
        return [mix(0), mix(1), mix(2), a];
      };
      const luminance = ([r, g, b]: Rgba) => {
        const lin = (c: number) => {
          const s = c / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
      };
      const background = (element: Element): Rgba => {
        const layers: Rgba[] = [];
        for (let e: Element | null = element; e; e = e.parentElement) {
          const color = parse(getComputedStyle(e).backgroundColor);
          if (color[3] > 0) layers.push(color);
          if (color[3] >= 1) break;
        }
        let result: Rgba = [255, 255, 255, 1];
        for (const layer of layers.reverse()) result = over(layer, result);
        return result;
      };
      const opacity = (element: Element) => {
        let o = 1;
        for (let e: Element | null = element; e; e = e.parentElement)
          o *= Number(getComputedStyle(e).opacity);
        return o;
      };
      const offenders: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node && offenders.length < limit; node = walker.nextNode()) {
        const text = node.textContent?.trim() ?? '';
        const element = node.parentElement;
        if (text === '' || !element || element.closest('script, style, option, [hidden]')) continue;
        if ((element as HTMLButtonElement).disabled || element.closest(':disabled')) continue;
        const style = getComputedStyle(element);
        if (style.visibility !== 'visible' || Number.parseFloat(style.fontSize) === 0) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const rect = range.getBoundingClientRect();
        if (rect.width === 0 || rect.height === 0) continue;
        const back = background(element);
        const color = parse(style.color);
        color[3] *= opacity(element);
        const front = over(color, back);
        const [l1, l2] = [luminance(front), luminance(back)].sort((a, b) => b - a);
        const ratio = (l1! + 0.05) / (l2! + 0.05);
        if (ratio < min)
          offenders.push(
            `${ratio.toFixed(2)} "${text.slice(0, 40)}" (${style.color} on rgb(${back.slice(0, 3).map(Math.round).join(', ')}))`,
          );
      }
      return offenders;
    },
    { min, limit },
  );
}
