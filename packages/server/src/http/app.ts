import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, Registry } from '@vigil/metrics';
import { metricsHandler } from '@vigil/metrics/handler';
import { SystemUsage } from '@vigil/metrics/health';
import { streamingSessionNames } from '@vigil/metrics/streaming';
import type { NotificationPipeline } from '../alerts/notify/notification-pipeline.js';
import { fleetMetrics, mobileView } from '../figures/fleet-metrics.js';
import { storedSessions } from '../figures/stream-sessions.js';
import { DeltaToCumulative } from '../ingest/delta-to-cumulative.js';
import type { IngestWriter } from '../ingest/ingest-writer.js';
import type { PushGroups } from '../ingest/push-groups.js';
import type { QueryEngine } from '../query/query-engine.js';
import type { SloSpec } from '../slo/slo-spec.js';
import type { StatusIncidents } from '../status/status-incidents.js';
import type { StatusPages } from '../status/status-pages.js';
import type { SeriesStore } from '../store/series-store.js';
import { type AlertRoutesOptions, alertRoutes } from './alert-routes.js';
import { alertmanagerRoutes } from './alertmanager-routes.js';
import type { Credentials } from './credentials.js';
import { dashboardAnswers, dashboardRoutes } from './dashboard-routes.js';
import { forecastRoutes } from './forecast-routes.js';
import { HttpError } from './http-error.js';
import { type IncidentRoutesOptions, incidentRoutes } from './incident-routes.js';
import { ingestRoutes } from './ingest-routes.js';
import { metadataRoute } from './metadata-route.js';
import { isOpenRoute } from './open-routes.js';
import { otlpRoutes } from './otlp-routes.js';
import { prometheusStatusRoutes, type StatusRouteOptions } from './prometheus-status-routes.js';
import { queryRoutes } from './query-routes.js';
import { readRoutes } from './read-routes.js';
import { type ReportRoutesOptions, reportRoutes } from './report-routes.js';
import { envelopeOf, sendError, sendJson, sendText } from './respond.js';
import { type RouteInfo, Router } from './router.js';
import { serverHealth, sharedMonitoredChecks } from './server-health.js';
import { silenceRoutes } from './silence-routes.js';
import { sloRoutes } from './slo-routes.js';
import { staticFiles } from './static-files.js';
import { statusIncidentRoutes } from './status-incident-routes.js';
import { statusRoutes } from './status-routes.js';

export interface AppOptions {
  readonly store: SeriesStore;
  readonly engine: QueryEngine;
  /** The server's own metrics, served at /metrics. */
  readonly registry: Registry;
  readonly writer: IngestWriter;
  readonly pushGroups: PushGroups;
  readonly clock: Clock;
  /** Who may call the routes that are not open (open-routes.ts). */
  readonly credentials: Credentials;
  readonly bodyLimit: number;
  readonly version: string;
  /** The data directory, whose disk `/api/health` reports. Default `/`. */
  readonly dataDir?: string;
  /** The notification pipeline, for the silences and Alertmanager v2 routes. */
  readonly notifications?: NotificationPipeline | undefined;
  /** The dashboard's built files (packages/dashboard/dist), served at `/`; undefined when not found. */
  readonly dashboardDist: string | undefined;
  /** Folders of dashboard definitions: the built-in ones, then the user's. */
  readonly dashboardDirs: readonly string[];
  /** Rules, alerts, their history and reload; without it those routes answer 404. */
  readonly alerts?: AlertRoutesOptions;
  /** The SLOs loaded now; without it `/api/slos` answers 404. */
  readonly slos?: () => readonly SloSpec[];
  /** Incidents and their acknowledge links; without it those routes answer 404. */
  readonly incidents?: IncidentRoutesOptions;
  /** What `/api/reports` reads; without it that route answers 404. */
  readonly reports?: ReportRoutesOptions;
  /** Database files found corrupt, for `/api/health`. */
  readonly corruption?: () => readonly { readonly file: string; readonly error: string }[];
  /** The OTLP delta-to-cumulative state's share of memory.limit; default 32 MiB. */
  readonly otlpDeltaBytes?: number;
  /** What Prometheus's status API reports: configuration, flags, targets, Alertmanagers. */
  readonly status?: Omit<StatusRouteOptions, 'store' | 'bodyLimit' | 'version'>;
  /** Tokens of the push monitors the configuration names (status pages' `push:` components). */
  readonly pushMonitorTokens?: readonly string[];
  /** Public status pages and the incidents posted on them; without it those routes answer 404. */
  readonly statusPages?: { readonly pages: StatusPages; readonly incidents: StatusIncidents };
}

/** How long an idle OTLP delta stream is kept. */
const OTLP_DELTA_IDLE_MS = 10 * 60_000;

export interface App {
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Every route the handler answers, and whether it needs credentials. */
  readonly routes: readonly AppRoute[];
}

export interface AppRoute extends RouteInfo {
  /** In the allow-list of routes that answer without credentials (open-routes.ts). */
  readonly open: boolean;
}

/** The request handler of `vigil serve`: routes, bearer auth, JSON errors, and its own metrics. */
export function createApp(options: AppOptions): App {
  const { registry, clock, store } = options;
  const router = new Router();
  const requests = registry.histogram({
    name: 'vigil_http_request_duration_seconds',
    help: 'HTTP requests served, by route, method and status code.',
    labelNames: ['route', 'method', 'code'],
  });

  router.on('GET', '/-/healthy', ({ res }) =>
    sendText(res, 200, 'text/plain; charset=utf-8', 'vigil is Healthy.\n'),
  );
  router.on('GET', '/-/ready', ({ res }) =>
    sendText(res, 200, 'text/plain; charset=utf-8', 'vigil is Ready.\n'),
  );
  // The store-free part of the API is the same handler users mount in their own apps.
  const embedded = metricsHandler({ registry, service: 'vigil', version: options.version });
  for (const path of ['/metrics', '/api/metrics/summary']) {
    router.on('GET', path, ({ req, res }) => embedded(req, res));
  }
  // Sessions are the watched services' (the streaming server's), from what vigil stored of them:
  // vigil's own registry has none.
  const sessionNames = streamingSessionNames();
  const sessions = () =>
    storedSessions(options.engine, clock.now(), {
      service: 'vigil',
      version: options.version,
      names: sessionNames,
    });
  router.on('GET', '/api/sessions', async ({ res }) => sendJson(res, 200, await sessions()));
  router.on('GET', '/api/sessions/:id/metrics', async ({ res, params }) => {
    const id = params.id!;
    const document = await sessions();
    const entry = document.metrics.sessions[id];
    if (!entry) throw new HttpError('VIGIL_NOT_FOUND', `no session ${JSON.stringify(id)} is live`);
    sendJson(res, 200, { timestamp: document.timestamp, session: id, metrics: entry });
  });
  const system = new SystemUsage({ diskPath: options.dataDir ?? '/' });
  const checks = sharedMonitoredChecks(store, clock);
  const health = () =>
    serverHealth({
      store,
      checks,
      registry,
      clock,
      system,
      version: options.version,
      ...(options.corruption && { corruption: options.corruption }),
    });
  router.on('GET', '/api/health', async ({ res }) => {
    const document = await health();
    sendJson(res, document.status === 'unhealthy' ? 503 : 200, document);
  });
  // The orchestrator seed's documents over what vigil stored from the services it watches.
  router.on('GET', '/api/metrics', async ({ res }) =>
    sendJson(res, 200, await fleetMetrics(options.engine, clock.now())),
  );
  router.on('GET', '/api/metrics/mobile', async ({ res }) => {
    const [fleet, document] = await Promise.all([fleetMetrics(options.engine, clock.now()), health()]);
    sendJson(res, 200, mobileView(fleet, document.status));
  });
  queryRoutes(router, { engine: options.engine, clock, bodyLimit: options.bodyLimit });
  forecastRoutes(router, { engine: options.engine, clock });
  prometheusStatusRoutes(router, {
    store,
    bodyLimit: options.bodyLimit,
    version: options.version,
    ...(options.status ?? {
      startedAtMs: clock.now(),
      configYaml: '',
      flags: {},
      retention: '',
      alertmanagers: [],
      targets: () => [],
    }),
  });
  readRoutes(router, { store, clock, maxSamples: 50_000_000, bodyLimit: options.bodyLimit });
  metadataRoute(router, options.writer.metadata);
  const pushTokens = new Set(options.pushMonitorTokens ?? []);
  ingestRoutes(router, {
    writer: options.writer,
    pushGroups: options.pushGroups,
    clock,
    bodyLimit: options.bodyLimit,
    credentials: options.credentials,
    pushMonitorKnown: async (token) =>
      pushTokens.has(token) ||
      (
        await store.series(
          [
            [
              { name: 'monitor', type: '=', value: token },
              { name: '__name__', type: '=', value: 'vigil_push_up' },
            ],
          ],
          0,
          Number.MAX_SAFE_INTEGER,
        )
      ).length > 0,
  });

  otlpRoutes(router, {
    writer: options.writer,
    delta: new DeltaToCumulative({
      clock,
      maxBytes: options.otlpDeltaBytes ?? 32 * 1024 * 1024,
      idleMs: OTLP_DELTA_IDLE_MS,
    }),
    bodyLimit: options.bodyLimit,
  });

  if (options.notifications) {
    const { bodyLimit, version } = options;
    silenceRoutes(router, { silences: options.notifications.silences, clock, bodyLimit });
    alertmanagerRoutes(router, { pipeline: options.notifications, clock, bodyLimit, version });
  }
  dashboardRoutes(router, { dirs: options.dashboardDirs });
  staticFiles(router, {
    dir: options.dashboardDist,
    ...(options.credentials.challenges.length === 0 && {
      preloaded: () => dashboardAnswers(options.dashboardDirs),
    }),
  });
  if (options.alerts) alertRoutes(router, options.alerts);
  if (options.slos && options.alerts) {
    const { rules } = options.alerts;
    sloRoutes(router, { slos: options.slos, engine: options.engine, alerts: () => rules.alerts(), clock });
  }
  if (options.incidents) incidentRoutes(router, options.incidents);
  if (options.reports) reportRoutes(router, options.reports);
  if (options.statusPages) {
    statusRoutes(router, options.statusPages.pages);
    statusIncidentRoutes(router, { ...options.statusPages, bodyLimit: options.bodyLimit });
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://vigil');
    } catch {
      sendError(res, new HttpError('VIGIL_BAD_URL', 'the request URL cannot be parsed'), 'vigil');
      return;
    }
    const method = req.method ?? 'GET';
    const { handler, route, params, allowed } = router.match(method, url.pathname);
    res.on('finish', () => {
      // The route's pattern, not the path, so the label stays bounded.
      requests.observe(
        { route: route ?? 'unmatched', method, code: res.statusCode },
        (performance.now() - started) / 1000,
      );
    });
    const run = async () => {
      const { credentials } = options;
      if (!isOpenRoute(route) && !(await credentials.check(req))) {
        res.setHeader('www-authenticate', [...credentials.challenges]);
        throw new HttpError('VIGIL_UNAUTHORIZED', `${credentials.missing} is required`);
      }
      if (!handler) {
        if (allowed.length > 0) {
          res.setHeader('allow', [...new Set(allowed)].join(', '));
          throw new HttpError('VIGIL_METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}`);
        }
        throw new HttpError('VIGIL_NOT_FOUND', `no route for ${url.pathname}`);
      }
      await handler({ req, res, url, params });
    };
    run().catch((error: unknown) => {
      sendError(res, error, envelopeOf(url.pathname));
    });
  };
  return { handle, routes: router.routes().map((r) => ({ ...r, open: isOpenRoute(r.path) })) };
}
