import { parseArgs } from 'node:util';
import { systemClock } from '@vigil/metrics';
import { renderTop } from '../top/render-top.js';
import { TopClient } from '../top/top-client.js';
import { emptyState, type TopState } from '../top/top-state.js';

const REFRESH_MS = 1000;

/**
 * `vigil top`: a terminal dashboard of a running server, read over its HTTP API every second.
 * On a terminal it takes the alternate screen, reads keys in raw mode (q or Ctrl-C quits), follows
 * resizes, and gives the terminal back as it found it however it exits. When stdout is not a
 * terminal it prints one screen, without colours, and exits.
 */
export async function runTop(args: string[]): Promise<number> {
  let values: { url?: string | undefined; token?: string | undefined };
  try {
    values = parseArgs({
      args,
      options: { url: { type: 'string' }, token: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    console.error(`vigil top: ${(error as Error).message}\n(see vigil help)`);
    return 2;
  }
  const url = values.url ?? process.env.VIGIL_URL ?? 'http://127.0.0.1:8000';
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
  } catch {
    console.error(
      `vigil top: --url: got ${JSON.stringify(url)}, expected an http:// or https:// URL such as http://127.0.0.1:8000`,
    );
    return 2;
  }
  const client = new TopClient({ url, token: values.token ?? process.env.VIGIL_TOKEN });
  const out = process.stdout;
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  if (!out.isTTY) {
    try {
      const state = await client.read(systemClock.now());
      const width = Number(process.env.COLUMNS) || 100;
      const height = Number(process.env.LINES) || 40;
      out.write(`${renderTop(state, { width, height, color: false }).join('\n').trimEnd()}\n`);
      return 0;
    } catch (error) {
      console.error(`vigil top: cannot read ${url}: ${(error as Error).message}`);
      return 1;
    }
  }
  const code = await interactive(client, url, !noColor);
  // Nothing is left to flush; fetch's kept-alive sockets would otherwise hold the process (and the
  // user's prompt) for seconds after `q`. Terminal writes are synchronous, so the restore is out.
  process.exit(code);
}

function interactive(client: TopClient, url: string, color: boolean): Promise<number> {
  const out = process.stdout;
  const stdin = process.stdin;
  let state: TopState = { ...emptyState(url, systemClock.now()), error: `connecting to ${url}` };
  let reading = false;
  const draw = () => {
    const lines = renderTop(state, { width: out.columns || 80, height: out.rows || 24, color });
    // Home, each line over the old one (erasing what is left of it), then erase below.
    out.write(`\x1b[H${lines.map((l) => `${l}\x1b[K`).join('\r\n')}\x1b[J`);
  };
  const refresh = async () => {
    if (reading) return;
    reading = true;
    try {
      state = await client.read(systemClock.now());
    } catch (error) {
      state = { ...state, at: systemClock.now(), error: `cannot read ${url}: ${(error as Error).message}` };
    } finally {
      reading = false;
    }
    draw();
  };
  return new Promise((resolve) => {
    const stopTimer = systemClock.every(REFRESH_MS, () => void refresh());
    const onKey = (key: Buffer) => {
      const text = key.toString('utf8');
      if (text === 'q' || text === 'Q' || text === '\x03') quit(0);
    };
    const onSignal = () => quit(0);
    const quit = (code: number) => {
      stopTimer();
      out.off('resize', draw);
      stdin.off('data', onKey);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (stdin.isTTY) stdin.setRawMode(false);
      // Let go of the terminal, so that nothing of it keeps the process alive once it returns.
      stdin.destroy();
      // Cursor back, main screen back.
      out.write('\x1b[?25h\x1b[?1049l');
      resolve(code);
    };
    // The alternate screen keeps the user's scrollback as it was; the cursor is hidden while drawing.
    out.write('\x1b[?1049h\x1b[?25l');
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
    out.on('resize', draw);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    draw();
    void refresh();
  });
}
