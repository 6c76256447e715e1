import type { ChildProcess } from 'node:child_process';
import type { Worker as ClusterWorkerHandle } from 'node:cluster';
import type { MessagePort, Worker as ThreadWorker } from 'node:worker_threads';

/**
 * What a `ClusterRegistry` can collect from: a `node:cluster` worker, a forked `ChildProcess` (both
 * talk over the IPC channel), a `worker_threads` Worker or a `MessagePort` (both structured clone).
 */
export type ClusterTarget = ClusterWorkerHandle | ChildProcess | ThreadWorker | MessagePort;

/** One channel to one worker, whatever carries it. */
export interface Link {
  /** How the worker is named in `workers()` and in the `worker` label: `3`, `thread-2`, `pid-4242`. */
  readonly id: string;
  /** False when the channel is already closed; a send that fails later reports the worker gone. */
  send(message: unknown): boolean;
  /** Stops listening; the worker itself is left alone. */
  close(): void;
}

interface Emitter {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

let ports = 0;

/** Listens to `target` and returns the link, or undefined when `target` is none of the four kinds. */
export function linkTo(
  target: ClusterTarget,
  onMessage: (message: unknown) => void,
  onGone: () => void,
): Link | undefined {
  const t = target as Partial<ClusterWorkerHandle & ChildProcess & ThreadWorker & MessagePort> & Emitter;
  if (typeof t?.on !== 'function' || typeof t.off !== 'function') return undefined;
  let gone = false;
  const goneOnce = () => {
    if (gone) return;
    gone = true;
    onGone();
  };
  const listen = (events: readonly string[]) => {
    t.on('message', onMessage);
    for (const event of events) t.on(event, goneOnce);
    return () => {
      t.off('message', onMessage);
      for (const event of events) t.off(event, goneOnce);
    };
  };
  if (typeof t.send === 'function') {
    // A cluster Worker wraps its ChildProcess; a ChildProcess is its own.
    const child = (t.process ?? t) as ChildProcess;
    const id = typeof t.id === 'number' ? String(t.id) : `pid-${child.pid}`;
    const close = listen(['exit', 'disconnect']);
    return {
      id,
      send(m) {
        if (gone || !child.connected) return false;
        // With a callback, a channel that closes meanwhile reports here instead of an 'error' event.
        child.send(m as never, (error: Error | null) => {
          if (error) goneOnce();
        });
        return true;
      },
      close,
    };
  }
  if (typeof t.postMessage === 'function') {
    const id = typeof t.threadId === 'number' ? `thread-${t.threadId}` : `port-${++ports}`;
    const close = listen(['exit', 'close']);
    return {
      id,
      send(m) {
        if (gone) return false;
        t.postMessage!(m);
        return true;
      },
      close,
    };
  }
  return undefined;
}
