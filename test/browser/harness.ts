import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Locator } from 'playwright-core';

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
