import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, Registry, toPrometheusText } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { until } from '../../../../test/support/until.js';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { LiveStream } from '../../src/http/live-stream.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ws-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Starts `live` behind an HTTP server on an ephemeral port; `url` is its /ws/metrics. */
/** `start: false` leaves the rounds to the test, which awaits `live.tick()` after each clock step. */
async function serveLive(live: LiveStream, { start = true } = {}) {
  const http = createServer();
  http.on('upgrade', (req, socket, head) => live.upgrade(req, socket, head));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  if (start) live.start();
  return { http, url: `ws://127.0.0.1:${(http.address() as { port: number }).port}/ws/metrics` };
}

/** Collects a client's messages; `next(type)` resolves with the next message of that type. */
function listen(ws: WebSocket) {
  const waiting: Array<{ type: string; resolve: (m: Record<string, unknown>) => void }> = [];
  const seen: Record<string, unknown>[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as Record<string, unknown>;
    const i = waiting.findIndex((w) => w.type === message.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(message);
    else seen.push(message);
  });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const i = seen.findIndex((m) => m.type === type);
      if (i >= 0) resolve(seen.splice(i, 1)[0]!);
      else waiting.push({ type, resolve });
    });
  /** `unclaimed`: messages received that no `next` call has taken yet. */
  return Object.assign(next, { unclaimed: seen });
}

describe('WS /ws/metrics', () => {
  it('sends the snapshot on connect and subscribed series at each refresh interval', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const config = loadConfig(
      { listen: '127.0.0.1:0', data: dataDir(), statsd: 'off' },
      { DASHBOARD_REFRESH_INTERVAL: '1', VIGIL_TOKEN: 'a-long-enough-secret-token' },
    );
    const server = await serve(config, clock);
    const wsUrl = `${server.url.replace('http', 'ws')}/ws/metrics`;
    try {
      const refused = new WebSocket(wsUrl);
      const status = await new Promise((r) =>
        refused.on('unexpected-response', (_req, res) => r(res.statusCode)),
      );
      expect(status).toBe(401);

      const ws = new WebSocket(`${wsUrl}?token=a-long-enough-secret-token`);
      const next = listen(ws);
      const snapshot = await next('snapshot');
      expect(snapshot.data).toMatchObject({ metrics: { counters: expect.any(Object) } });

      await fetch(`${server.url}/api/v1/push`, {
        method: 'POST',
        headers: { authorization: 'Bearer a-long-enough-secret-token' },
        body: JSON.stringify({ name: 'queue_depth', labels: { queue: 'a' }, value: 7 }),
      });
      ws.send(JSON.stringify({ subscribe: 'series', id: 'q', match: 'queue_depth' }));
      ws.send(JSON.stringify({ subscribe: 'series', id: 'bad', match: 'queue_depth{' }));
      // Messages are handled in order: with the reply to the bad one, the good subscription is in place.
      expect(await next('error')).toMatchObject({ id: 'bad' });
      clock.advance(1000);
      const update = await next('series');
      expect(update).toMatchObject({
        id: 'q',
        data: [{ metric: { __name__: 'queue_depth', queue: 'a' }, value: [1_700_000_000, '7'] }],
      });
      ws.close();
    } finally {
      await server.close();
    }
  });

  it('closes a client that does not read, instead of buffering for it', async () => {
    const clock = new ManualClock(0);
    const registry = new Registry({ clock });
    const big = registry.counter({ name: 'padding_total', help: 'h', labelNames: ['n'] });
    for (let i = 0; i < 20_000; i++) big.inc({ n: `series-number-${i}` });
    const store = await openSqliteStore({ dir: dataDir(), clock });
    const live = new LiveStream({
      store,
      registry,
      clock,
      intervalMs: 1000,
      authorised: async () => true,
      maxBufferedBytes: 256 * 1024,
    });
    const { http, url } = await serveLive(live);
    try {
      const ws = new WebSocket(url);
      await new Promise((r) => ws.once('message', r));
      (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const dropped = () => toPrometheusText(registry.snapshotSync());
      // Rounds until the paused client's buffer passes the limit: however long the machine takes.
      await until('the paused client to be dropped', () => {
        clock.advance(1000);
        return dropped().includes('reason="slow_client"');
      });
      expect(dropped()).toContain('vigil_ws_dropped_clients_total{reason="slow_client"} 1');
      ws.terminate();
    } finally {
      live.close();
      await new Promise<void>((r) => http.close(() => r()));
      await store.close();
    }
    // 20,000 series snapshotted per round: 5 s was not enough under a load of 14 (CI, fresh clone).
  }, 30_000);

  it('pushes alert events to subscribed clients only, and each client its own series in one shared round', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const registry = new Registry({ clock });
    const store = await openSqliteStore({ dir: dataDir(), clock });
    await store.append(
      ['a', 'b'].map((queue, i) => ({
        labels: { __name__: 'queue_depth', queue },
        timestamps: [clock.now()],
        values: Float64Array.of(i + 1),
      })),
    );
    const live = new LiveStream({ store, registry, clock, intervalMs: 1000, authorised: async () => true });
    const { http, url } = await serveLive(live);
    const open = async (messages: object[]) => {
      const ws = new WebSocket(url);
      const next = listen(ws);
      await next('snapshot');
      for (const m of messages) ws.send(JSON.stringify(m));
      // Messages are handled in order: the error reply to `{}` means the ones before it are in.
      ws.send('{}');
      await next('error');
      return { ws, next };
    };
    try {
      const a = await open([
        { subscribe: 'alerts' },
        { subscribe: 'series', id: 'q', match: 'queue_depth{queue="a"}' },
      ]);
      const b = await open([
        { unsubscribe: 'snapshot' },
        { subscribe: 'series', id: 'q', match: 'queue_depth{queue="b"}' },
      ]);
      live.record({
        kind: 'state',
        time: 1_700_000_000_000,
        labels: { alertname: 'QueueDeep', queue: 'a' },
        from: 'pending',
        to: 'firing',
        value: '1',
      });
      expect(await a.next('alert')).toEqual({
        type: 'alert',
        event: {
          kind: 'state',
          time: '2023-11-14T22:13:20.000Z',
          labels: { alertname: 'QueueDeep', queue: 'a' },
          from: 'pending',
          to: 'firing',
          value: '1',
        },
      });
      clock.advance(1000);
      expect(await a.next('series')).toMatchObject({ id: 'q', data: [{ metric: { queue: 'a' } }] });
      expect(await a.next('snapshot')).toMatchObject({ type: 'snapshot' });
      expect(await b.next('series')).toMatchObject({ id: 'q', data: [{ metric: { queue: 'b' } }] });

      a.ws.send(JSON.stringify({ unsubscribe: 'alerts' }));
      a.ws.send('{}');
      await a.next('error');
      live.record({
        kind: 'notification',
        time: 1_700_000_001_000,
        receiver: 'slack',
        groupKey: '{}:{alertname="QueueDeep"}',
        status: 'firing',
        alerts: [{ alertname: 'QueueDeep' }],
        result: 'success',
        attempt: 1,
      });
      clock.advance(1000);
      // An alert recorded before this round would have arrived before the round's series message.
      await a.next('series');
      await b.next('series');
      expect([...a.next.unclaimed, ...b.next.unclaimed].map((m) => m.type)).not.toContain('alert');
      a.ws.close();
      b.ws.close();
    } finally {
      live.close();
      await new Promise<void>((r) => http.close(() => r()));
      await store.close();
    }
  });

  it('serves past 100 clients in slots spread over the interval, each client once per interval', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const registry = new Registry({ clock });
    const store = await openSqliteStore({ dir: dataDir(), clock });
    await store.append([
      { labels: { __name__: 'queue_depth' }, timestamps: [clock.now()], values: Float64Array.of(3) },
    ]);
    const live = new LiveStream({ store, registry, clock, intervalMs: 1000, authorised: async () => true });
    // The rounds are awaited one by one: a round still running when the timer fires again is skipped
    // (as it should be in production), which a loaded machine turned into a missing message here.
    const { http, url } = await serveLive(live, { start: false });
    const clients = await Promise.all(
      Array.from({ length: 150 }, async () => {
        const ws = new WebSocket(url);
        const times: number[] = [];
        const next = listen(ws);
        await next('snapshot');
        ws.on('message', (data) => {
          const message = JSON.parse(data.toString());
          if (message.type === 'series') times.push(message.time);
        });
        ws.send(JSON.stringify({ unsubscribe: 'snapshot' }));
        ws.send(JSON.stringify({ subscribe: 'series', id: 'q', match: 'queue_depth' }));
        ws.send('{}');
        await next('error');
        return { ws, times };
      }),
    );
    try {
      // Two intervals of 1 s in the timer's steps (interval / 10 slots).
      for (let step = 0; step < 20; step++) {
        clock.advance(100);
        await live.tick();
      }
      await until(
        'every client to have its two rounds',
        () => clients.every(({ times }) => times.length >= 2),
        {
          context: () => clients.map(({ times }) => times.length).join(','),
        },
      );
      // Two intervals: every client twice, 1 s apart; 100 clients in one slot, 50 in the next.
      const gaps = new Set(clients.map(({ times }) => times.length === 2 && times[1]! - times[0]!));
      expect(gaps).toEqual(new Set([1]));
      const perTime = new Map<number, number>();
      for (const { times } of clients) perTime.set(times[0]!, (perTime.get(times[0]!) ?? 0) + 1);
      expect([...perTime.values()].sort((a, b) => b - a)).toEqual([100, 50]);
      for (const { ws } of clients) ws.close();
    } finally {
      live.close();
      await new Promise<void>((r) => http.close(() => r()));
      await store.close();
    }
  });
});

describe('WS /ws/metrics alerts from vigil serve', () => {
  it('pushes the state changes of a rule to clients subscribed to alerts', async () => {
    const dir = dataDir();
    const rules = join(dir, 'rules.yml');
    writeFileSync(
      rules,
      'groups:\n  - name: g\n    rules:\n      - alert: AlwaysOn\n        expr: vector(1)\n        labels: { severity: info }\n',
    );
    const clock = new ManualClock(1_700_000_000_000);
    const config = loadConfig(
      { listen: '127.0.0.1:0', data: dir, statsd: 'off' },
      { VIGIL_RULE_FILES: rules, VIGIL_EVALUATION_INTERVAL: '15s' },
    );
    const server = await serve(config, clock);
    try {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws/metrics`);
      const next = listen(ws);
      await next('snapshot');
      ws.send(JSON.stringify({ subscribe: 'alerts' }));
      ws.send('{}');
      await next('error');
      clock.advance(15_000);
      const alert = await next('alert');
      expect(alert).toMatchObject({
        type: 'alert',
        event: { kind: 'state', labels: { alertname: 'AlwaysOn', severity: 'info' }, to: 'firing' },
      });
      expect(typeof (alert.event as { time: unknown }).time).toBe('string');
      ws.close();
    } finally {
      await server.close();
    }
  });
});
