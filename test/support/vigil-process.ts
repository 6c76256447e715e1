import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './until.js';

const main = join(import.meta.dirname, '../../packages/server/dist/cli/main.js');

export interface VigilOptions {
  /** Arguments after `--listen 127.0.0.1:<port>`: `--data`, `--config`, `--statsd off`... */
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Where the process's stderr goes, for tests that read what vigil said. */
  readonly stderr?: string[];
}

/**
 * `vigil serve` as a user runs it (the built command, its own process, on `port`), resolved once it
 * answers `/-/ready`; killed and reported with its stderr if it never does.
 */
export async function startVigil(port: number, options: VigilOptions): Promise<ChildProcess> {
  const stderr = options.stderr ?? [];
  const child = spawn(process.execPath, [main, 'serve', '--listen', `127.0.0.1:${port}`, ...options.args], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  let state: 'ready' | 'exited';
  try {
    state = await until(
      'vigil serve to answer /-/ready',
      async () => {
        if (child.exitCode !== null) return 'exited';
        return (await fetch(`http://127.0.0.1:${port}/-/ready`)).ok && 'ready';
      },
      { timeoutMs: 20_000, intervalMs: 50, context: () => stderr.join('') },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  if (state === 'exited') throw new Error(`vigil serve exited with ${child.exitCode}: ${stderr.join('')}`);
  return child;
}

/**
 * A small file system of the test's own, so a disk can really fill: a tmpfs of `sizeMiB`, which only
 * root may mount (undefined otherwise: the caller skips, saying why). `unmount` undoes it.
 */
export function mountTmpfs(sizeMiB: number): { dir: string; unmount: () => void } | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmdirSync(dir);
    return undefined;
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', ['-l', dir]);
      rmdirSync(dir);
    },
  };
}
