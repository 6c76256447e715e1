import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import { SERVE_OPTIONS, serveFlags } from './serve-flags.js';

const MAIN = new URL('./main.js', import.meta.url);
/** Set in the server's environment by the `vigil` command that started it. */
const PARENT = 'VIGIL_LAUNCHED_BY';

/**
 * The `vigil` command (bin/vigil.js). `vigil serve` and `vigil demo` run in a Node whose heap limit
 * (`--max-old-space-size`) is the configured `memory.limit`, so that V8 stops at the same figure the
 * server's own budgets derive from (docs/memory.md). Node reads that flag only at start-up
 * (`v8.setFlagsFromString` after start does not resize the heap, and Node 20 has no `execve`), so
 * the command starts Node once more with it and stays as a thin parent: it forwards SIGINT, SIGTERM
 * and SIGHUP and exits with the server's code. The server runs in a process group of its own, so a
 * Ctrl-C reaches it once, through the parent, and it ends itself at once if the parent is killed
 * (`kill -9` of the command is `kill -9` of the server).
 *
 * Nothing is relaunched when the heap limit was chosen already (`--max-old-space-size` in the
 * Node options) or the configuration does not load (the server then reports it itself).
 */
export async function launch(argv: readonly string[]): Promise<void> {
  const limit = heapLimitFor(argv);
  if (limit === undefined) {
    await import(MAIN.href);
    return;
  }
  const child = spawn(
    process.execPath,
    [
      `--max-old-space-size=${Math.floor(limit / 1024 / 1024)}`,
      ...process.execArgv,
      fileURLToPath(MAIN),
      ...argv,
    ],
    {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      detached: true,
      env: { ...process.env, [PARENT]: String(process.pid) },
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
  });
}

/** Ends the server when the `vigil` process that started it is gone (the IPC channel closes). */
export function endWithParent(): void {
  if (!process.send || process.env[PARENT] === undefined) return;
  process.channel?.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}

function heapLimitFor(argv: readonly string[]): number | undefined {
  const [command, ...rest] = argv;
  if (command !== 'serve' && command !== 'demo') return undefined;
  if (rest.includes('--help') || rest.includes('-h')) return undefined;
  const options = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (options.some((o) => o.startsWith('--max-old-space-size'))) return undefined;
  try {
    const { values } = parseArgs({
      args: rest,
      options: SERVE_OPTIONS,
      strict: false,
      allowPositionals: true,
    });
    return loadConfig(serveFlags(values as Parameters<typeof serveFlags>[0])).memory.limitBytes;
  } catch {
    return undefined;
  }
}
