// The documentation's screenshots, from the demo alone: `npm run screenshots` builds, starts
// `vigil demo` with six hours of backfilled history on a free port and a temporary data folder,
// waits for the demo's first alert to fire, and photographs every page in Debian's Chromium at
// 1440x900 (docs/screenshots/<page>.png) and at 390x844 (<page>-phone.png). No test fixture is
// ever photographed.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const root = join(import.meta.dirname, '..');
const out = join(root, 'docs/screenshots');
const PAGES = [
  ['overview', '#/overview?from=now-6h&to=now'],
  ['sessions', '#/sessions?from=now-1h&to=now'],
  ['health', '#/health?from=now-6h&to=now'],
  ['cost', '#/cost?from=now-6h&to=now'],
  ['alerts', '#/alerts'],
  [
    'explore',
    `#/explore?from=now-1h&to=now&q=${encodeURIComponent('sum by (gen_ai_provider_name) (rate(gen_ai_client_operation_duration_seconds_count[5m]))')}`,
  ],
];

const port = await new Promise((resolve) => {
  const server = createServer();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
const data = mkdtempSync(join(tmpdir(), 'vigil-screenshots-'));
const url = `http://127.0.0.1:${port}`;
const demo = spawn(
  process.execPath,
  [
    join(root, 'packages/server/dist/cli/main.js'),
    'demo',
    '--listen',
    `127.0.0.1:${port}`,
    '--data',
    data,
    '--statsd',
    'off',
    '--backfill',
    '6h',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let log = '';
demo.stdout.on('data', (chunk) => {
  log += chunk;
});

const until = async (what, check, seconds) => {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (demo.exitCode !== null) throw new Error(`vigil demo exited (${demo.exitCode}):\n${log}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`no ${what} after ${seconds} s:\n${log}`);
};

let browser;
try {
  await until('dashboard', () => Promise.resolve(log.includes('Ctrl-C')), 300);
  // The demo's first incident (a provider down) starts 1.5 min after start: its alert fires within a minute.
  await until(
    'firing alert',
    async () => JSON.stringify(await (await fetch(`${url}/api/alerts`)).json()).includes('"firing"'),
    240,
  );
  mkdirSync(out, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  for (const [suffix, viewport] of [
    ['', { width: 1440, height: 900 }],
    ['-phone', { width: 390, height: 844 }],
  ]) {
    const page = await browser.newPage({ viewport, deviceScaleFactor: suffix ? 2 : 1 });
    for (const [name, hash] of PAGES) {
      await page.goto(`${url}/${hash}`);
      await page.waitForSelector('.page');
      await page.waitForFunction(
        () => document.querySelectorAll('.panel[data-state="loading"]').length === 0,
      );
      // Explore's editor is a chunk of its own, fetched after the page is drawn.
      if (name === 'explore') await page.waitForSelector('[data-editor="promql"] .cm-content');
      // Alerts and Explore load after the page is drawn; charts settle in a frame.
      await page.waitForTimeout(1500);
      const file = join(out, `${name}${suffix}.png`);
      await page.screenshot({ path: file, fullPage: !suffix });
      console.log(`screenshots: ${file}`);
    }
    await page.close();
  }
} finally {
  await browser?.close();
  demo.kill('SIGINT');
  await new Promise((r) => demo.once('exit', r));
  rmSync(data, { recursive: true, force: true });
}
