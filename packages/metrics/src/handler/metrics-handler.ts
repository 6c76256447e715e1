import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '../core/registry.js';
import type { RegistrySnapshot, SnapshotOptions } from '../core/snapshot.js';
import { toCollectorDocument } from '../expo/collector-json.js';
import { exposeFrom } from '../expo/exposition.js';
import { toSessionsDocument } from '../expo/sessions-json.js';
import { toSummary } from '../expo/summary.js';
import { toHealthDocument } from '../health/health-document.js';
import type { HealthMonitor } from '../health/health-monitor.js';

/**
 * What the handler reads: a Registry, or a ClusterRegistry (the primary's merged view of its
 * workers), or anything else that snapshots and tells its clock and start time.
 */
export type MetricsSource = Pick<Registry, 'clock' | 'startTime'> & {
  snapshot(options?: SnapshotOptions): Promise<RegistrySnapshot>;
};

export interface MetricsHandlerOptions {
  readonly registry: MetricsSource;
  /** For `/api/health`: its checks and overall status. Without one, the service reports itself healthy. */
  readonly health?: HealthMonitor;
  /** Named in the sessions and health documents. */
  readonly service?: string;
  readonly version?: string;
  /** Prometheus name → the name you recorded under (a MetricsCollector's dotted names), for the JSON documents. */
  readonly names?: ReadonlyMap<string, string>;
  /** Where the routes are mounted, such as `/monitoring`. Default: at the root. */
  readonly prefix?: string;
}

type Next = (error?: unknown) => void;

/**
 * The parts of vigil's HTTP API that need no store, as one handler to mount in a Node `http` server,
 * Express (`app.use(metricsHandler(...))`) or Fastify (through `@fastify/middie` or a route that
 * passes `request.raw` / `reply.raw`):
 *
 * - `GET /metrics`: Prometheus text, OpenMetrics, protobuf (with native histograms) or JSON by the
 *   Accept header (`?format=json` too)
 * - `GET /api/metrics`, `/api/metrics/summary`: the event-server seed's documents
 * - `GET /api/sessions`, `/api/sessions/{id}/metrics`: the streaming-server seed's documents
 * - `GET /api/health`: the orchestrator seed's document, from a HealthMonitor
 *
 * Any other request goes to `next` when there is one (Express), or gets a JSON 404.
 */
export function metricsHandler(options: MetricsHandlerOptions) {
  const { registry, health, names } = options;
  const prefix = (options.prefix ?? '').replace(/\/+$/, '');
  const service = options.service ?? 'vigil';
  const version = options.version ?? 'unknown';

  const respond = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => {
    if (path === '/metrics') {
      const accept = query.get('format') === 'json' ? 'application/json' : req.headers.accept;
      const { contentType, body } = await exposeFrom(registry, accept, names ? { names } : {});
      return send(res, 200, contentType, body);
    }
    if (path === '/api/metrics') return json(res, 200, toCollectorDocument(await registry.snapshot(), names));
    if (path === '/api/metrics/summary') return json(res, 200, toSummary(await registry.snapshot(), names));
    if (path === '/api/health') {
      const document = toHealthDocument(health?.statuses() ?? [], {
        now: registry.clock.now(),
        version,
        startTime: registry.startTime,
      });
      return json(res, document.status === 'unhealthy' ? 503 : 200, document);
    }
    if (path === '/api/sessions' || path.startsWith('/api/sessions/')) {
      const document = toSessionsDocument(await registry.snapshot(), {
        service,
        version,
        ...(names && { names }),
      });
      if (path === '/api/sessions') return json(res, 200, document);
      const match = /^\/api\/sessions\/([^/]+)\/metrics$/.exec(path);
      const id = match ? decodeURIComponent(match[1]!) : undefined;
      const entry = id === undefined ? undefined : document.metrics.sessions[id];
      if (!entry)
        return json(res, 404, {
          error: { code: 'not_found', message: `no session ${JSON.stringify(id ?? path)}` },
        });
      return json(res, 200, { timestamp: document.timestamp, session: id, metrics: entry });
    }
    return false;
  };

  return (req: IncomingMessage, res: ServerResponse, next?: Next): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) || '/' : undefined;
    if (path === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      if (next) next();
      else json(res, 404, { error: { code: 'not_found', message: `no route for ${url.pathname}` } });
      return;
    }
    respond(req, res, path, url.searchParams).then(
      (handled) => {
        if (handled !== false) return;
        if (next) next();
        else json(res, 404, { error: { code: 'not_found', message: `no route for ${url.pathname}` } });
      },
      (error: unknown) => {
        if (next) next(error);
        else json(res, 500, { error: { code: 'internal', message: 'the metrics could not be read' } });
      },
    );
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Uint8Array): true {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return true;
}

function json(res: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  return send(res, status, 'application/json; charset=utf-8', text);
}
