import { createSocket, type Socket } from 'node:dgram';
import { StatsdClient } from '@vigil/metrics/push';
import StatsD from 'hot-shots';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * vigil's StatsdClient against the client a Node user would otherwise pick: the same calls, sent to a
 * real UDP socket, must produce the same lines, so anything that reads hot-shots' output reads ours.
 */
let receiver: Socket;
let port: number;
const received: string[] = [];

beforeAll(async () => {
  receiver = createSocket('udp4');
  receiver.on('message', (message) => received.push(...message.toString('utf8').split('\n').filter(Boolean)));
  await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', r));
  port = receiver.address().port;
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

interface Client {
  increment(name: string, value?: number, sampleRate?: number, tags?: Record<string, string>): void;
  decrement(name: string, value?: number): void;
  gauge(name: string, value: number): void;
  timing(name: string, value: number, sampleRate?: number, tags?: string[]): void;
  histogram(name: string, value: number): void;
  distribution(name: string, value: number): void;
  set(name: string, value: string): void;
}

function calls(client: Client): void {
  client.increment('calls');
  client.increment('calls', 5, 1, { route: '/a' });
  client.decrement('inflight', 2);
  client.gauge('queue.depth', 42.5);
  client.timing('stt.latency', 1500, 1, ['provider:google']);
  client.histogram('payload.bytes', 512);
  client.distribution('rag.latency', 3100);
  client.set('users', 'user-42');
  client.increment('emoji.🚀', 1);
}

/** The lines a client sends for `calls`, once it is closed (bounded wait). */
async function linesFrom(run: () => Promise<void>): Promise<string[]> {
  received.length = 0;
  await run();
  const start = Date.now();
  while (received.length < 9 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 10));
  return [...received].sort();
}

describe('StatsD lines: vigil StatsdClient and hot-shots', () => {
  it('are identical for the same calls, received on a real UDP socket', async () => {
    const ours = await linesFrom(async () => {
      const vigil = new StatsdClient({ host: '127.0.0.1', port });
      calls(vigil);
      await vigil.close();
    });
    const theirs = await linesFrom(async () => {
      const hotShots = new StatsD({ host: '127.0.0.1', port, maxBufferSize: 0 });
      calls(hotShots as unknown as Client);
      await new Promise<void>((r) => hotShots.close(() => r()));
    });
    expect(ours).toHaveLength(9);
    expect(ours).toEqual(theirs);
  });
});
