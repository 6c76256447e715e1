import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { until } from '../support/until.js';

/**
 * `vigil top` in a real pseudo-terminal: Debian's tmux (scripts/install-peers.sh) runs it in a
 * detached session of a given size against a `vigil demo` server with ten minutes of history; the
 * pane's text is read back with capture-pane. A private tmux socket keeps the user's sessions apart.
 */
const main = join(import.meta.dirname, '../../packages/server/dist/cli/main.js');
const work = mkdtempSync(join(tmpdir(), 'vigil-top-'));
const socket = `vigil-top-test-${process.pid}`;
let demo: ChildProcess;
let base: string;

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'top');

const paneShown = { context: () => `the pane shows:\n${screen()}`, intervalMs: 200 };

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  demo = spawn(
    process.execPath,
    [
      main,
      'demo',
      '--listen',
      `127.0.0.1:${port}`,
      '--data',
      join(work, 'data'),
      '--statsd',
      'off',
      '--backfill',
      '10m',
      '--interval',
      '1s',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  demo.stdout!.on('data', (chunk) => (out += chunk));
  const deadline = Date.now() + 90_000;
  while (!out.includes('Ctrl-C')) {
    if (Date.now() > deadline || demo.exitCode !== null) throw new Error(`vigil demo did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {}
  if (demo && demo.exitCode === null) demo.kill('SIGINT');
  rmSync(work, { recursive: true, force: true });
});

describe('vigil top in a terminal (tmux)', () => {
  it('renders, follows a resize, and quits on q, giving the terminal back', async () => {
    tmux(
      'new-session',
      '-d',
      '-s',
      'top',
      '-x',
      '120',
      '-y',
      '40',
      `${process.execPath} ${main} top --url ${base}`,
    );
    // Keep the pane after the program exits, to read how it ended.
    tmux('set-option', '-t', 'top', 'remain-on-exit', 'on');
    await until(
      'the first screen with data',
      () => {
        const s = screen();
        return (
          s.includes('Sessions (') &&
          /swift|calm|bright|quiet|bold|rapid|steady|lucid|vivid|keen/.test(s) &&
          // The demo's providers flap, so /api/health (and the header) may say degraded as well as healthy.
          /\s(healthy|degraded|unhealthy)\s/.test(s)
        );
      },
      paneShown,
    );
    let text = screen();
    expect(text).toContain(`vigil top  ${base}  up `);
    for (const section of ['Throughput', 'Loss', 'Latency', 'Health (', 'Alerts (', 'Sessions (']) {
      expect(text).toContain(section);
    }
    expect(text).toMatch(/speech_to_text\s+\d/);
    expect(text).toMatch(/openai\s+(up|DOWN)/);
    // 120 columns: two columns, Throughput beside Health.
    expect(text.split('\n').some((l) => /^Throughput\s+Health/.test(l))).toBe(true);
    // Colours on a terminal: capture-pane -e keeps the escape codes.
    expect(tmux('capture-pane', '-p', '-e', '-t', 'top')).toContain('\u001b[32m');

    tmux('resize-window', '-t', 'top', '-x', '70', '-y', '30');
    await until(
      'the narrow layout',
      () => {
        const lines = screen().split('\n');
        return (
          lines.some((l) => l.startsWith('Health (')) && !lines.some((l) => /Throughput.*Health/.test(l))
        );
      },
      paneShown,
    );
    text = screen();
    for (const line of text.split('\n')) expect([...line.trimEnd()].length).toBeLessThanOrEqual(70);
    expect(text.split('\n').filter((l) => l !== '').length).toBeLessThanOrEqual(30);

    tmux('send-keys', '-t', 'top', 'q');
    const ending = () =>
      tmux('list-panes', '-t', 'top', '-F', '#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}').trim();
    await until('vigil top to exit', () => ending().startsWith('1|'), { ...paneShown, timeoutMs: 10_000 });
    // tmux 3.3a does not always report the exit status of a pane (it reads it after the pane is
    // marked dead): an exit status, when there is one, is 0, and never a signal.
    const [, status, signal] = ending().split('|');
    expect(signal).toBe('');
    expect(['', '0']).toContain(status);
    // Back on the main screen, with the cursor shown: the dashboard is gone from the pane.
    expect(screen()).not.toContain('Throughput');
  });
});
