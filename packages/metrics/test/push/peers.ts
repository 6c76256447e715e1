import { createSocket } from 'node:dgram';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until as waitUntil } from '../../../../test/support/until.js';
import { ManualClock } from '../../src/base/clock.js';
import type { Counter } from '../../src/core/counter.js';
import type { Registry } from '../../src/core/registry.js';

/** A ManualClock that remembers the delay of every timer started on it, in order, and how many still run. */
export class RecordingClock extends ManualClock {
  readonly timers: number[] = [];
  active = 0;

  override every(ms: number, fn: () => void): () => void {
    this.timers.push(ms);
    this.active++;
    const stop = super.every(ms, fn);
    let stopped = false;
    return () => {
      if (!stopped) this.active--;
      stopped = true;
      stop();
    };
  }
}

/** Resolves once `condition` holds; for I/O on loopback sockets, bounded so a bug fails instead of hanging. */
export async function until(condition: () => boolean, what = 'the condition'): Promise<void> {
  await waitUntil(what, condition, { intervalMs: 1 });
}

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A status, a status with a body and headers, or `hang` (never answer). */
export type Reply = number | { status: number; body?: string; headers?: Record<string, string> } | 'hang';

/**
 * An HTTP server on 127.0.0.1:0 that records every request and answers from a script of replies
 * (then 200 once the script is used up).
 */
export async function httpPeer(script: Reply[] = []) {
  const requests: Recorded[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const reply = script.shift() ?? 200;
      if (reply === 'hang') {
        hanging.push(res);
        return;
      }
      const { status, body: text = '', headers = {} } = typeof reply === 'number' ? { status: reply } : reply;
      res.writeHead(status, headers).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    script,
    async close(): Promise<void> {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A UDP socket on 127.0.0.1:0 keeping every datagram it receives, as text. */
export async function udpPeer() {
  const datagrams: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (message) => datagrams.push(message.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: (socket.address() as AddressInfo).port,
    datagrams,
    /** Every line received, in order. */
    lines: () => datagrams.flatMap((d) => d.split('\n')),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A value of `vigil_push_failures_total` or `vigil_push_dropped_total`. */
export function pushCount(
  registry: Registry,
  name: 'vigil_push_failures_total' | 'vigil_push_dropped_total',
  reporter: string,
  reason: string,
): number {
  const counter = registry.getMetric(name) as Counter | undefined;
  return counter ? counter.get({ reporter, reason }) : 0;
}
