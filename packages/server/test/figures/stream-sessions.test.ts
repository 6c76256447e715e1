import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const NOW = 1_700_000_000_000;
const RECENT = NOW - 15_000;
/** Past the five minutes an instant selector looks back: a session that ended. */
const GONE = NOW - 10 * 60_000;

const at = (t: number, lines: string[]) => lines.map((l) => `${l} ${t}\n`).join('');
const DATA = [
  // swift: running, two connections, 8 MiB, its packets counted by two instances of the server.
  at(RECENT, [
    'stream_packets_sent_total{session="swift",instance="a"} 600',
    'stream_packets_sent_total{session="swift",instance="b"} 400',
    'stream_dropped_packets_total{session="swift",instance="a"} 5',
    'stream_websocket_clients{session="swift",instance="a"} 2',
    `stream_session_memory_bytes{session="swift",instance="a"} ${8 * 1024 * 1024}`,
    'stream_session_paused{session="swift",instance="a"} 0',
    'stream_tick_to_send_seconds_bucket{session="swift",instance="a",le="0.01"} 90',
    'stream_tick_to_send_seconds_bucket{session="swift",instance="a",le="+Inf"} 100',
    'stream_tick_to_send_seconds_sum{session="swift",instance="a"} 0.5',
    'stream_tick_to_send_seconds_count{session="swift",instance="a"} 100',
    // calm: paused, nobody connected.
    'stream_packets_sent_total{session="calm",instance="a"} 30',
    'stream_session_paused{session="calm",instance="a"} 1',
    'stream_websocket_clients{session="calm",instance="a"} 0',
    // Series of the server without a session: not a session.
    'process_resident_memory_bytes{instance="a"} 1e8',
  ]),
  // ended: its last sample ten minutes ago.
  at(GONE, [
    'stream_packets_sent_total{session="ended",instance="a"} 77',
    'stream_session_paused{session="ended",instance="a"} 0',
  ]),
].join('');

describe('GET /api/sessions of vigil serve', () => {
  it("lists the watched services' live sessions from the stored series, under the seed's keys", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sessions-'));
    dirs.push(dir);
    const server = await serve(
      loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}),
      new ManualClock(NOW),
    );
    try {
      const imported = await fetch(`${server.url}/api/v1/import/prometheus`, { method: 'POST', body: DATA });
      expect(await imported.json()).toMatchObject({ malformedCount: 0, rejected: {} });

      const body = (await (await fetch(`${server.url}/api/sessions`)).json()) as {
        timestamp: number;
        service: string;
        metrics: {
          total_sessions: number;
          active_sessions: number;
          total_connections: number;
          sessions: Record<string, Record<string, unknown>>;
        };
      };
      expect(body.timestamp).toBe(NOW / 1000);
      expect(Object.keys(body.metrics.sessions)).toEqual(['calm', 'swift']);
      expect(body.metrics).toMatchObject({ total_sessions: 2, active_sessions: 1, total_connections: 2 });
      expect(body.metrics.sessions.swift).toEqual({
        packets_sent: 1000,
        dropped_packets: 5,
        websocket_clients: 2,
        stream_session_memory_bytes: 8 * 1024 * 1024,
        stream_session_paused: 0,
        network_latency_ms: { mean: 5, std: null, max: null },
        memory_usage_mb: 8,
        is_running: true,
        is_paused: false,
        connections: 2,
      });
      expect(body.metrics.sessions.calm).toMatchObject({
        packets_sent: 30,
        is_paused: true,
        connections: 0,
        memory_usage_mb: null,
      });

      const one = await fetch(`${server.url}/api/sessions/swift/metrics`);
      expect(one.status).toBe(200);
      expect(await one.json()).toMatchObject({ session: 'swift', metrics: { packets_sent: 1000 } });
      const ended = await fetch(`${server.url}/api/sessions/ended/metrics`);
      expect(ended.status).toBe(404);
      expect(await ended.json()).toMatchObject({ error: { message: 'no session "ended" is live' } });
    } finally {
      await server.close();
    }
  });
});
