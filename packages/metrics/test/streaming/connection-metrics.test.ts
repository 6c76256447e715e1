import { describe, expect, it } from 'vitest';
import type { Counter } from '../../src/core/counter.js';
import type { Gauge } from '../../src/core/gauge.js';
import type { Histogram } from '../../src/core/histogram.js';
import { Registry } from '../../src/core/registry.js';
import { ConnectionMetrics } from '../../src/streaming/connection-metrics.js';

describe('ConnectionMetrics', () => {
  it('tracks clients, broadcasts by status and message sizes', () => {
    const registry = new Registry();
    const ws = new ConnectionMetrics({ metrics: registry, prefix: 'ast' });
    ws.connected();
    ws.connected();
    ws.connected();
    ws.disconnected();
    ws.broadcast(120);
    ws.broadcast(2000);
    ws.broadcast(300, false);
    expect(ws.clients).toBe(2);
    expect((registry.getMetric('ast_websocket_clients') as Gauge).stats()).toMatchObject({
      current: 2,
      max: 3,
    });
    const broadcasts = registry.getMetric('ast_broadcasts_total') as Counter;
    expect(broadcasts.get({ status: 'success' })).toBe(2);
    expect(broadcasts.get({ status: 'error' })).toBe(1);
    const sizes = (registry.getMetric('ast_message_size_bytes') as Histogram).get();
    expect([sizes.count, sizes.sum, sizes.max]).toEqual([3, 2420, 2000]);
  });

  it('never lets the client count go below zero, and takes an outright count', () => {
    const ws = new ConnectionMetrics({ metrics: new Registry() });
    ws.disconnected();
    expect(ws.clients).toBe(0);
    ws.setClients(7);
    expect(ws.clients).toBe(7);
  });

  it("moves a scope's connections with its clients", () => {
    const registry = new Registry();
    const scope = registry.scope('swift-neural-42');
    const ws = new ConnectionMetrics({ metrics: scope });
    ws.connected();
    ws.connected();
    ws.disconnected();
    expect(scope.connections).toBe(1);
    ws.setClients(4);
    expect(registry.snapshotSync().scopes[0]?.connections).toBe(4);
  });
});
