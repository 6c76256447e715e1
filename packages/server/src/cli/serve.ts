import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { type Clock, Registry, systemClock } from '@vigil/metrics';
import { AlertHistory } from '../alerts/alert-history.js';
import type { AlertHistoryEvent, AlertHistorySink } from '../alerts/alert-history-event.js';
import { HeartbeatPinger } from '../alerts/heartbeat-pinger.js';
import { NotificationPipeline } from '../alerts/notify/notification-pipeline.js';
import { loadNotifyConfig } from '../alerts/notify/notify-config.js';
import { RuleManager } from '../alerts/rule-manager.js';
import { SelfMonitor } from '../alerts/self-monitor.js';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import { loadDashboards } from '../config/dashboard-files.js';
import { LIVE_CLIENT_BUFFER_BYTES, liveClients, memoryBudget, queryLimits } from '../config/memory-budget.js';
import { background, backgroundFailed, countBackgroundFailures } from '../errors/background-tasks.js';
import { type AppRoute, createApp } from '../http/app.js';
import { credentials as makeCredentials } from '../http/credentials.js';
import { createListener, tlsServer } from '../http/http-listener.js';
import { LiveStream } from '../http/live-stream.js';
import { prometheusConfigYaml, prometheusFlags, retention } from '../http/prometheus-config-view.js';
import { createStatusApp } from '../http/status-app.js';
import { AckLinks } from '../incidents/ack-links.js';
import { incidentImpact } from '../incidents/incident-impact.js';
import { IncidentManager } from '../incidents/incident-manager.js';
import { IngestWriter } from '../ingest/ingest-writer.js';
import { PushGroups } from '../ingest/push-groups.js';
import { PushGroupsFile } from '../ingest/push-groups-file.js';
import { Scraper } from '../ingest/scraper.js';
import { StatsdServer } from '../ingest/statsd-server.js';
import { type ParseOptions, parsePromql } from '../query/parse.js';
import { PromqlEngine } from '../query/promql-engine.js';
import type { QueryEngine } from '../query/query-engine.js';
import { RemoteQueryEngine } from '../remote/remote-query-engine.js';
import { RemoteStore } from '../remote/remote-store.js';
import { buildReport } from '../reports/build-report.js';
import { ReportScheduler } from '../reports/report-scheduler.js';
import { loadSlos } from '../slo/slo-files.js';
import type { SloSpec } from '../slo/slo-spec.js';
import { monitoredChecks } from '../status/monitored-checks.js';
import { StatusIncidents } from '../status/status-incidents.js';
import { StatusPages } from '../status/status-pages.js';
import { DatabaseIntegrity } from '../store/database-integrity.js';
import { DocumentFile } from '../store/document-file.js';
import type { SeriesStore } from '../store/series-store.js';
import { SqliteEventLog } from '../store/sqlite-event-log.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { buildNotifiers } from './build-notifiers.js';
import { DisposerStack } from './disposer-stack.js';
import { reportRollups } from './report-rollups.js';
import { selfChecks } from './self-checks.js';

export interface RunningServer {
  readonly url: string;
  /** The status listener's address, when `--status.listen-address` is set. */
  readonly statusUrl: string | undefined;
  /** The bound StatsD UDP port, when StatsD is on. */
  readonly statsdPort: number | undefined;
  readonly store: SeriesStore;
  readonly registry: Registry;
  /** Routing, grouping, silences and delivery of alerts: the AlertSink and Silencer of the rule side. */
  readonly notifications: NotificationPipeline;
  readonly rules: RuleManager;
  readonly history: AlertHistory;
  readonly incidents: IncidentManager;
  /** Every route the HTTP server answers, and whether it needs credentials. */
  readonly routes: readonly AppRoute[];
  /** Reloads the rule files (SIGHUP and `POST /-/reload`); a broken file throws and the running rules stay. */
  reload(): Promise<void>;
  /** Stops accepting, finishes scrapes under way, flushes and closes the store. */
  close(): Promise<void>;
}

export const VERSION = '0.1.0';

/**
 * Starts everything `vigil serve` runs, from a resolved configuration. Whatever fails on the way
 * (a rule file, a state file, a port already taken) releases everything opened before it, so the
 * process can exit at once with the error, its ports free.
 */
export async function serve(config: Config, clock: Clock = systemClock): Promise<RunningServer> {
  const opened = new DisposerStack();
  try {
    return await compose(config, clock, opened);
  } catch (error) {
    for (const failed of await opened.dispose())
      console.error(`vigil: after a failed start, ${failed.message}`);
    throw error;
  }
}

async function compose(config: Config, clock: Clock, opened: DisposerStack): Promise<RunningServer> {
  // Checked before anything is opened, so a bad alertmanager.yml stops start-up with its message.
  const { slackWebhookUrl, slackChannel } = config.notifications;
  const notifyConfig = loadNotifyConfig(config.notifications, {
    ...(slackWebhookUrl && { SLACK_WEBHOOK_URL: slackWebhookUrl }),
    ...(slackChannel && { SLACK_CHANNEL: slackChannel }),
  });
  const receiverNames = new Set(notifyConfig.receivers.map((r) => r.name));
  for (const policy of config.incidents.escalationPolicies)
    for (const step of policy.steps)
      for (const receiver of step.receivers)
        if (!receiverNames.has(receiver))
          throw new ConfigError(
            `escalation_policies: policy "${policy.name}" names receiver "${receiver}", which the notification configuration does not define (it has: ${[...receiverNames].join(', ')})`,
          );
  for (const receiver of config.incidents.postmortemReceivers)
    if (!receiverNames.has(receiver))
      throw new ConfigError(
        `incidents.postmortemReceivers: names receiver "${receiver}", which the notification configuration does not define (it has: ${[...receiverNames].join(', ')})`,
      );
  for (const report of config.reports)
    for (const receiver of report.receivers)
      if (!receiverNames.has(receiver))
        throw new ConfigError(
          `reports: report "${report.name}" names receiver "${receiver}", which the notification configuration does not define (it has: ${[...receiverNames].join(', ')})`,
        );
  for (const page of config.statusPages)
    for (const group of page.groups)
      for (const c of group.components) {
        if (c.source.kind !== 'query') continue;
        try {
          parsePromql(c.source.expr);
        } catch (error) {
          throw new ConfigError(
            `status_pages: component "${c.name}" of "${page.slug}": query: ${(error as Error).message}`,
          );
        }
      }
  const dashboard = dashboardPackage();
  const dashboardDirs = [
    ...(dashboard ? [join(dashboard, 'dashboards')] : []),
    ...(config.dashboard.dir === undefined ? [] : [config.dashboard.dir]),
  ];
  // A broken dashboard file stops start-up, as a bad configuration value does; one broken later
  // shows its error in the dashboard instead (files are read again on each request).
  const broken = loadDashboards(dashboardDirs).errors[0];
  if (broken) throw new ConfigError(`dashboard.dir: ${broken.error}`);
  mkdirSync(config.data, { recursive: true });
  const budget = memoryBudget(config.memory.limitBytes);
  const heapLimit = getHeapStatistics().heap_size_limit;
  if (heapLimit < budget.heapBytes * 0.9)
    console.warn(
      `vigil: V8's heap limit (${mib(heapLimit)} MiB) is below memory.limit (${mib(budget.limitBytes)} MiB): start through the vigil command, which sets it, or pass node --max-old-space-size=${mib(budget.heapBytes)}`,
    );
  const registry = new Registry({ clock });
  registry.gauge({
    name: 'vigil_memory_limit_bytes',
    help: 'memory.limit, the budget every other memory limit derives from (docs/memory.md).',
    collect: (g) => g.set(budget.limitBytes),
  });
  countBackgroundFailures(registry);
  let lastStoreError = '';
  let lastStoreErrorAt = 0;
  // Every SQLite file of the data directory is watched for corruption, reported by /api/health.
  const integrity = opened.use('the database checks', new DatabaseIntegrity({ clock, registry }), (i) =>
    i.stop(),
  );
  const storageErrors = registry.counter({
    name: 'vigil_storage_write_errors_total',
    help: 'Flushes and upkeep of the store that failed (a full disk, an I/O error); retried.',
  });
  // The distributed backend replaces the embedded store and engine; everything above them is the same.
  const store: SeriesStore = opened.use(
    'the store',
    config.remote
      ? new RemoteStore({ ...config.remote, registry })
      : await openSqliteStore({
          dir: config.data,
          clock,
          flushIntervalMs: config.store.flushIntervalMs,
          retentionDays: config.store.retentionDays,
          retentionBytes: config.store.retentionBytes,
          maxSeries: config.store.maxSeries,
          maxSeriesBytes: budget.seriesBytes,
          maxUnflushedBytes: budget.unflushedBytes,
          ...(config.store.minFreeDiskSpaceBytes !== undefined && {
            minFreeDiskSpaceBytes: config.store.minFreeDiskSpaceBytes,
          }),
          integrity,
          onError(error) {
            storageErrors.inc();
            // A full disk fails every flush: said when it starts and once a minute while it lasts.
            const now = clock.now();
            if (error.message === lastStoreError && now - lastStoreErrorAt < 60_000) return;
            lastStoreError = error.message;
            lastStoreErrorAt = now;
            console.error(`vigil: store: ${error.message}`);
          },
        }),
    (s) => s.close(),
  );
  // The embedded store may have left series out at start-up for want of memory (docs/memory.md).
  const notLoaded = config.remote ? undefined : (await store.stats()).notLoaded;
  if (notLoaded) console.error(`vigil: store: ${notLoaded.why}`);
  registry.gauge({
    name: 'vigil_storage_unwritable',
    help: '1 while samples cannot be made durable (free space below store.minFreeDiskSpaceBytes, writes failing): ingest answers 503.',
    collect: (g) => g.set(store.unwritable() === undefined ? 0 : 1),
  });
  const writer = new IngestWriter(store, registry, config.limits.labels);
  const pushGroups = new PushGroups(undefined, config.limits.pushGroupBytes, budget.pushgatewayBytes);
  const pushFile = new PushGroupsFile({
    path: join(config.data, 'pushgateway.jsonl'),
    legacyPath: join(config.data, 'pushgateway.json'),
    groups: pushGroups,
    clock,
    intervalMs: config.store.flushIntervalMs,
  });
  const loaded = pushFile.load();
  if ('error' in loaded) {
    console.warn(
      `vigil: the saved Pushgateway groups could not be read (${loaded.error}); kept as ${loaded.movedTo}`,
    );
  }
  pushFile.start();
  opened.defer('pushgateway.jsonl', () => pushFile.close());
  // Pushed groups are sampled again at the scrape interval, as Prometheus scrapes a Pushgateway.
  opened.defer(
    'the Pushgateway resampling',
    clock.every(config.scrape.intervalMs, () =>
      background('sampling the Pushgateway groups', () =>
        writer.write('pushgateway', pushGroups.sample(clock.now())),
      ),
    ),
  );
  const statsd =
    config.statsd &&
    opened.use(
      'the StatsD socket',
      new StatsdServer({
        address: config.statsd,
        flushIntervalMs: config.statsdFlushIntervalMs,
        maxSeries: config.statsdMaxSeries,
        ttlMs: config.statsdTtlMs,
        timers: config.statsdTimers,
        counterMode: config.statsdCounterMode,
        writer,
        clock,
        registry,
      }),
      (s) => s.stop(),
    );
  const statsdPort = await statsd?.start();
  const scraper = opened.use(
    'the scraper',
    new Scraper({ targets: config.scrape.targets, writer, clock, registry }),
    (s) => s.stop(),
  );

  const promql: ParseOptions = {
    experimentalFunctions: config.query.experimentalFunctions,
    durationExpressions: config.query.durationExpressions,
  };
  const engine: QueryEngine = config.remote
    ? new RemoteQueryEngine({ url: config.remote.queryUrl })
    : new PromqlEngine({ store, clock, ...config.query, ...queryLimits(budget, config.query) });
  const history = opened.use(
    'alerts.db',
    new AlertHistory(
      new SqliteEventLog<AlertHistoryEvent>({
        path: join(config.data, 'alerts.db'),
        what: 'the alert history',
        clock,
        retentionDays: config.store.retentionDays,
        integrity,
      }),
    ),
    (h) => h.close(),
  );
  const credentials = makeCredentials(config.auth.token, config.web?.basicAuthUsers);
  const live = new LiveStream({
    store,
    registry,
    clock,
    intervalMs: config.dashboard.refreshIntervalMs,
    authorised: (req, token) => credentials.check(req, token),
    maxClients: liveClients(budget),
    maxBufferedBytes: LIVE_CLIENT_BUFFER_BYTES,
  });
  // Every alert event is kept in the history and pushed to the WebSocket clients subscribed to alerts.
  const events: AlertHistorySink = {
    record(event) {
      history.record(event);
      live.record(event);
    },
  };
  const scheme = config.web?.tls ? 'https' : 'http';
  let externalURL = `${scheme}://${config.listen.host}:${config.listen.port}`;
  const documents = opened.use(
    'incidents.db',
    new DocumentFile(join(config.data, 'incidents.db'), integrity),
    (d) => d.close(),
  );
  const links = new AckLinks(join(config.data, 'ack-signing.key'));
  const incidents: IncidentManager = opened.use(
    'the incidents',
    new IncidentManager({
      documents,
      clock,
      registry,
      severity: config.incidents.severity,
      retentionDays: config.incidents.retentionDays,
      policies: config.incidents.escalationPolicies,
      deliver: (receiver, n, signal) => notifications.deliverTo(receiver, n, signal),
      links,
      ackLinkTtlMs: config.incidents.ackLinkTtlMs,
      externalURL: () => config.externalUrl ?? externalURL,
      tickMs: config.incidents.escalationTickMs,
      postmortemReceivers: config.incidents.postmortemReceivers,
      impact: (incident) =>
        incidentImpact(incident, {
          engine,
          slos: () => slos,
          alertingRules: () =>
            rules.groups().flatMap((g) => g.spec.rules.filter((r) => r.kind === 'alerting')),
          parse: parsePromql,
          now: () => clock.now(),
        }),
    }),
    (i) => i.stop(),
  );
  const notifications: NotificationPipeline = opened.use(
    'the notification pipeline',
    new NotificationPipeline({
      config: notifyConfig,
      notifiers: buildNotifiers(notifyConfig, clock),
      clock,
      registry,
      events,
      dataDir: config.data,
      externalURL: () => externalURL,
      observer: incidents,
    }),
    (n) => n.close(),
  );
  let slos: readonly SloSpec[] = [];
  const rules = opened.use(
    'the rule groups',
    new RuleManager({
      files: config.rules.files,
      generated: () => {
        const loaded = loadSlos(
          {
            inline: { value: config.slos.inline, source: config.slos.source },
            files: config.slos.files,
            baseDir: process.cwd(),
          },
          parsePromql,
        );
        slos = loaded.slos;
        return loaded.groups;
      },
      baseDir: process.cwd(),
      engine,
      store,
      // With the engine's feature switches, so that a rule may use what its queries may.
      checkExpr: (expr) => parsePromql(expr, promql),
      sink: notifications,
      silencer: notifications,
      events,
      clock,
      registry,
      evaluationIntervalMs: config.rules.evaluationIntervalMs,
      resendDelayMs: config.rules.resendDelayMs,
      externalURL: () => externalURL,
    }),
    (r) => r.stop(),
  );
  await rules.load();
  // vigil's own alerts, through the same pipeline: they reach a receiver even when rules cannot run.
  const selfMonitor =
    config.selfMonitoring.alerts &&
    opened.use(
      'the built-in alerts',
      new SelfMonitor({
        checks: selfChecks({
          store,
          registry,
          clock,
          corruption: () => integrity.problems(),
          memoryLimitBytes: budget.limitBytes,
        }),
        sink: notifications,
        clock,
        intervalMs: config.rules.evaluationIntervalMs,
        externalURL: () => config.externalUrl ?? externalURL,
      }),
      (m) => m.stop(),
    );
  const heartbeat =
    config.heartbeat.url === undefined
      ? undefined
      : opened.use(
          'the heartbeat',
          new HeartbeatPinger({
            url: config.heartbeat.url,
            intervalMs: config.heartbeat.intervalMs,
            clock,
            registry,
          }),
          (h) => h.stop(),
        );
  const reload = async () => {
    await rules.load();
  };
  const alertmanagers = notifyConfig.receivers.flatMap((r) =>
    r.integrations.flatMap((c) => (c.kind === 'alertmanager' ? [c.url] : [])),
  );
  const reportSources = () => ({
    engine,
    // A remote store's engine reads its own downsampled data, if it keeps any.
    ...(!config.remote && { rollups: reportRollups(store, clock) }),
    incidents: incidents.list({ limit: 1000 }),
    alertEvents: (since: number, until: number) => history.query({ since, until, limit: 10_000 }),
    slos,
    store,
  });
  const reportState = opened.use(
    'reports.db',
    new DocumentFile(join(config.data, 'reports.db'), integrity),
    (d) => d.close(),
  );
  const scheduler = opened.use(
    'the report schedules',
    new ReportScheduler({
      reports: config.reports.map((r) => ({
        name: r.name,
        schedule: r.schedule,
        timeZone: r.timezone,
        periodMs: r.periodMs,
        receivers: r.receivers,
      })),
      clock,
      documents: reportState,
      build: (end, period) => buildReport(reportSources(), end, period),
      deliver: (receiver, n) => notifications.deliverTo(receiver, n),
      externalURL: () => config.externalUrl ?? externalURL,
      onResult: (name, receiver, r) => {
        if (!r.ok)
          console.error(`vigil: report ${name} to ${receiver} by ${r.integration} failed: ${r.error}`);
      },
    }),
    (s) => s.stop(),
  );
  const statusDocuments = opened.use(
    'status-pages.db',
    new DocumentFile(join(config.data, 'status-pages.db'), integrity),
    (d) => d.close(),
  );
  const statusIncidents = new StatusIncidents(statusDocuments, clock);
  const statusPages = new StatusPages({
    pages: config.statusPages,
    clock,
    sources: {
      store,
      engine,
      checks: (only) => monitoredChecks(store, clock.now(), only),
      incidents: (slug) => statusIncidents.list(slug),
    },
  });
  const app = createApp({
    store,
    engine,
    registry,
    writer,
    pushGroups,
    clock,
    credentials,
    bodyLimit: config.limits.bodyBytes,
    otlpDeltaBytes: budget.otlpDeltaBytes,
    pushMonitorTokens: config.statusPages.flatMap((page) =>
      page.groups.flatMap((g) =>
        g.components.flatMap((c) => (c.source.kind === 'push' ? [c.source.token] : [])),
      ),
    ),
    version: VERSION,
    dataDir: config.data,
    corruption: () => integrity.problems(),
    notifications,
    dashboardDist: dashboard && join(dashboard, 'dist'),
    dashboardDirs,
    alerts: { rules, history, reload },
    slos: () => slos,
    incidents: { incidents, links, clock, bodyLimit: config.limits.bodyBytes },
    reports: { clock, sources: reportSources },
    status: {
      startedAtMs: clock.now(),
      configYaml: prometheusConfigYaml(config, alertmanagers),
      flags: prometheusFlags(config),
      promql,
      retention: retention(config),
      alertmanagers,
      targets: () => scraper.targets(),
    },
    statusPages: { pages: statusPages, incidents: statusIncidents },
  });
  const http = createListener({
    handle: app.handle,
    upgrade: (req, socket, head) => {
      if (!live.upgrade(req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    },
    tls: config.web?.tls,
    maxConnections: config.limits.maxConnections,
    registry,
  });
  live.start();
  // WebSocket clients are closed before the listener, whose close waits for every connection.
  opened.defer('the HTTP listener', async () => {
    live.close();
    if (!http.listening) return;
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeIdleConnections();
    });
  });
  await listen(http, config.listen.host, config.listen.port);
  // The same TLS as the main listener: a public page is no reason to serve in clear.
  const statusApp = createStatusApp(statusPages);
  const statusHttp =
    config.statusListen && (config.web?.tls ? tlsServer(config.web.tls, statusApp) : createServer(statusApp));
  if (statusHttp && config.statusListen) {
    opened.defer('the status listener', async () => {
      if (!statusHttp.listening) return;
      await new Promise<void>((resolve) => {
        statusHttp.close(() => resolve());
        statusHttp.closeIdleConnections();
      });
    });
    await listen(statusHttp, config.statusListen.host, config.statusListen.port, '--status.listen-address');
  }
  scraper.start();
  rules.start();
  incidents.start();
  scheduler.start();
  if (selfMonitor) selfMonitor.start();
  heartbeat?.start();
  // Built now, so the first visitor of a status page does not wait for 90 days of uptime. A stop
  // waits for it: it reads the store, which closes after it (a stop right after the start read a
  // closed database).
  if (config.statusPages.length > 0) {
    const warming = statusPages
      .warm()
      .catch((error: unknown) => backgroundFailed('building the status pages', error));
    opened.defer('the status pages being built', () => warming);
  }
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  externalURL = `${scheme}://${host}:${port}`;

  return {
    url: externalURL,
    statusUrl: statusHttp ? urlOf(statusHttp, scheme) : undefined,
    statsdPort,
    store,
    registry,
    notifications,
    rules,
    history,
    incidents,
    routes: app.routes,
    reload,
    async close() {
      const [first, ...more] = await opened.dispose();
      for (const e of more) console.error(`vigil: ${e.message}`);
      if (first) throw first;
    },
  };
}

/**
 * The @vigil/dashboard package folder: resolved as a package (an install), else the workspace
 * sibling of this package. The server reads its files; it imports no code from it.
 */
/**
 * The dashboard's folder (its `dist/` build and `dashboards/` definitions): the workspace package in
 * the repository, so a rebuild is served at once; in an installed @vigil/server, the copy its tarball
 * carries (scripts/pack.mjs).
 */
function dashboardPackage(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('@vigil/dashboard/package.json'));
  } catch {
    const sibling = fileURLToPath(new URL('../../../dashboard', import.meta.url));
    if (existsSync(join(sibling, 'package.json'))) return sibling;
    const packed = fileURLToPath(new URL('../../dashboard', import.meta.url));
    return existsSync(join(packed, 'dist')) ? packed : undefined;
  }
}

function urlOf(server: Server, scheme: string): string {
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('the listener has no address');
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}`;
}

function listen(server: Server, host: string, port: number, flag = '--listen'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `${flag === '--listen' ? 'listen' : flag}: ${host}:${port} is already in use; pick another with ${flag} HOST:PORT`,
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
