import { isMainThread, type MessagePort, parentPort, threadId } from 'node:worker_threads';
import { invalidOption } from '../base/errors.js';
import type { Registry } from '../core/registry.js';
import { isClusterMessage, type ScrapeMessage } from './messages.js';
import { SnapshotEncoder } from './snapshot-encoder.js';

export interface ClusterWorkerOptions {
  /** The registry the primary collects. */
  readonly registry: Registry;
  /**
   * Where the primary's requests arrive. Default: `parentPort` in a worker thread, else the IPC
   * channel of a process forked by `node:cluster` or `child_process.fork`.
   */
  readonly port?: MessagePort;
}

/**
 * The worker's side of a `ClusterRegistry`: answers the primary's scrapes with snapshots of
 * `registry` (histogram sketches included, so the primary's percentiles are exact). Listens until
 * `close()`; while it listens on a MessagePort, that port keeps the thread alive.
 */
export class ClusterWorker {
  readonly #registry: Registry;
  readonly #encoder = new SnapshotEncoder();
  readonly #send: (message: unknown) => void;
  readonly #stop: () => void;

  constructor(options: ClusterWorkerOptions) {
    const registry = options?.registry;
    if (typeof registry?.snapshot !== 'function' || typeof registry.getMetrics !== 'function') {
      throw invalidOption('registry', registry, 'a Registry');
    }
    this.#registry = registry;
    const onMessage = (message: unknown) => this.#receive(message);
    const port = options.port ?? (isMainThread ? undefined : parentPort);
    if (port) {
      if (typeof port.postMessage !== 'function') throw invalidOption('port', port, 'a MessagePort');
      port.on('message', onMessage);
      this.#send = (message) => port.postMessage(message);
      this.#stop = () => port.off('message', onMessage);
    } else if (typeof process.send === 'function') {
      process.on('message', onMessage);
      // With a callback, a primary that went away is not an 'error' event on the process.
      this.#send = (message) => process.send?.(message, undefined, undefined, ignore);
      this.#stop = () => process.off('message', onMessage);
    } else {
      throw invalidOption(
        'port',
        options.port,
        'a MessagePort, or a process forked with an IPC channel (node:cluster, child_process.fork) or a worker thread',
      );
    }
    this.#hello();
  }

  #hello(): void {
    this.#send({ vigil: 'hello', incarnation: this.#encoder.incarnation, pid: process.pid, threadId });
  }

  #receive(message: unknown): void {
    if (!isClusterMessage(message)) return;
    if (message.vigil === 'probe') this.#hello();
    else if (message.vigil === 'scrape') void this.#answer(message);
  }

  async #answer(request: ScrapeMessage): Promise<void> {
    let answer: unknown;
    try {
      const before = layoutsOf(this.#registry);
      const snapshot = await this.#registry.snapshot({ sketches: true });
      // Layouts that held still across the snapshot (collect callbacks may add series) are its own.
      const layouts = new Map<string, string>();
      for (const [name, layout] of layoutsOf(this.#registry))
        if (before.get(name) === layout) layouts.set(name, layout);
      answer = this.#encoder.encode(snapshot, request, layouts);
    } catch (error) {
      answer = this.#encoder.failure(request, error);
    }
    this.#send(answer);
  }

  /** Stops answering; the primary reports this worker late from its next scrape on. */
  close(): void {
    this.#stop();
  }
}

function ignore(): void {}

/** Per exposed name, the layouts of the metrics behind it (a MetricsCollector name has variants). */
function layoutsOf(registry: Registry): Map<string, string> {
  const out = new Map<string, string>();
  for (const metric of registry.getMetrics())
    out.set(metric.name, `${out.get(metric.name) ?? ''}${metric.layout},`);
  return out;
}
