import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Starting and stopping a real peer for one interop test file: on a free 127.0.0.1 port, with its
 * data in the caller's temporary directory, stopped by PID. A peer that is not installed fails the
 * test (scripts/install-peers.sh installs them); nothing is skipped.
 */

export interface PeerProcess {
  readonly pid: number;
  /** What the peer printed so far (the end of it), for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

export async function startPeer(
  command: string,
  args: readonly string[],
  ready: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<PeerProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (spawned) {
    throw new Error(
      `${command} could not be started (${spawned.message}); install it with scripts/install-peers.sh`,
    );
  }
  const peer: PeerProcess = {
    pid: child.pid as number,
    output: () => output,
    stop: () => stop(child, exited),
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${command} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`,
      );
    }
    if (await ready().catch(() => false)) return peer;
    if (Date.now() > deadline) {
      await peer.stop();
      throw new Error(`${command} was not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  process.kill(child.pid as number, 'SIGTERM');
  const killer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, 'SIGKILL');
  }, 10_000);
  await exited;
  clearTimeout(killer);
}

/** `GET url` answers with this status (a readiness probe). */
export async function answers(url: string, status = 200): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
  return response.status === status;
}
