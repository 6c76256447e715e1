import { dirname, resolve as resolvePath } from 'node:path';
import { z } from 'zod';
import { type Cron, parseCron } from '../time/cron.js';
import { isTimeZone } from '../time/wall-clock.js';
import { ConfigError } from './config-error.js';
import { parseDuration } from './duration.js';
import { DEFAULT_LABEL_LIMITS, type LabelLimits } from './label-limits.js';
import { defaultMemoryLimit, MIN_MEMORY_LIMIT, parseBytes } from './memory-budget.js';
import { resolveStatusPages, STATUS_PAGES_SCHEMA, type StatusPageConfig } from './status-pages-config.js';
import { loadWebConfig, type WebConfig } from './web-config.js';
import { readYamlFile } from './yaml-file.js';
import { zodIssueDetail } from './zod-issue-detail.js';

/**
 * How StatsD timers, histograms and distributions are written: a native histogram, classic
 * `_bucket`/`_count`/`_sum` series, or both (see StatsdAggregator).
 */
export const STATSD_TIMER_SERIES = ['native', 'classic', 'both'] as const;
export type StatsdTimerSeries = (typeof STATSD_TIMER_SERIES)[number];

/**
 * What a negative StatsD counter increment does: refused, as a Prometheus counter only goes up
 * (`prometheus`), or added as Etsy's statsd adds it, the counter stored as a gauge from then on
 * (`etsy`). See StatsdAggregator.
 */
export const STATSD_COUNTER_MODES = ['prometheus', 'etsy'] as const;
export type StatsdCounterMode = (typeof STATSD_COUNTER_MODES)[number];

/**
 * vigil's configuration: defaults, then `vigil.yaml`, then environment variables, then command-line
 * flags, each overriding the one before. Every value is checked once, at start-up; a bad one stops
 * the server with a message naming where it came from, the key, the value and what was expected.
 */
export interface Config {
  readonly listen: HostPort;
  readonly data: string;
  readonly statsd: HostPort | undefined;
  readonly statsdFlushIntervalMs: number;
  /** Most series the StatsD aggregator keeps; a new one beyond is dropped and counted (`series_limit`). */
  readonly statsdMaxSeries: number;
  /** A StatsD series not updated for this long is marked stale and forgotten; 0 keeps it forever. */
  readonly statsdTtlMs: number;
  readonly statsdTimers: StatsdTimerSeries;
  readonly statsdCounterMode: StatsdCounterMode;
  readonly scrape: {
    readonly intervalMs: number;
    readonly timeoutMs: number;
    readonly targets: readonly ScrapeTarget[];
  };
  readonly store: {
    readonly flushIntervalMs: number;
    readonly retentionDays: number;
    readonly retentionBytes: number;
    readonly maxSeries: number;
    /**
     * Below this many free bytes on the data disk, writes are refused (503) before SQLite fails;
     * undefined: 32 MiB, or 1/64 of a smaller file system (the store derives it).
     */
    readonly minFreeDiskSpaceBytes: number | undefined;
  };
  /** TLS and basic-auth users from `--web.config.file` (Prometheus's web configuration file). */
  readonly web: WebConfig | undefined;
  readonly auth: {
    readonly token: string | undefined;
    /** Listening on a non-loopback address without a token is refused unless this is set. */
    readonly allowUnauthenticated: boolean;
  };
  /** One memory budget from which the others derive (memory-budget.ts, docs/memory.md). */
  readonly memory: { readonly limitBytes: number };
  readonly limits: {
    readonly bodyBytes: number;
    /** Per series, on every ingest path (ingest/label-limits.ts). */
    readonly labels: LabelLimits;
    /** The most one Pushgateway group may hold. */
    readonly pushGroupBytes: number;
    /** HTTP connections served at once; past it, 503 (Prometheus's `--web.max-connections`). */
    readonly maxConnections: number;
  };
  /** Limits of the PromQL engine (HTTP queries and rules alike); the engine's defaults where unset. */
  readonly query: {
    /** Queries evaluated at once, as Prometheus's `--query.max-concurrency`; the others wait. */
    readonly maxConcurrency: number | undefined;
    readonly maxSamples: number | undefined;
    /** Most memory one query may hold (estimated), bytes. */
    readonly maxQueryBytes: number | undefined;
    readonly timeoutMs: number | undefined;
    /** Prometheus 3's experimental functions (`--enable-feature=promql-experimental-functions`). */
    readonly experimentalFunctions: boolean;
    /** Arithmetic in durations, `x[5m * 2]` (`--enable-feature=promql-duration-expr`). */
    readonly durationExpressions: boolean;
  };
  readonly dashboard: {
    readonly refreshIntervalMs: number;
    /** A folder of the user's dashboard files (JSON or YAML), next to the built-in ones. */
    readonly dir: string | undefined;
  };
  /** Alertmanager-format notification settings: inline, or the path of an alertmanager.yml; checked by the pipeline. */
  readonly notifications: {
    readonly inline: unknown;
    readonly file: string | undefined;
    /** The seeds' SLACK_WEBHOOK_URL and SLACK_CHANNEL, the default receiver when nothing is configured. */
    readonly slackWebhookUrl: string | undefined;
    readonly slackChannel: string | undefined;
  };
  /** Rule files (absolute patterns: those from vigil.yaml resolved against its directory) and the default group interval. */
  readonly rules: {
    readonly files: readonly string[];
    readonly evaluationIntervalMs: number;
    /** How often a firing alert is sent again (Prometheus's `--rules.alert.resend-delay`). */
    readonly resendDelayMs: number;
  };
  /** Service level objectives: vigil.yaml's `slos:` list (checked by the slo layer) and SLO files (absolute patterns). */
  readonly slos: { readonly inline: unknown; readonly source: string; readonly files: readonly string[] };
  /** vigil's address as people reach it (links in notifications); default the listen address. */
  readonly externalUrl: string | undefined;
  readonly incidents: IncidentsConfig;
  /** Scheduled reports: `schedule` is checked by the reports layer ("daily 08:00", "weekly monday 09:00"). */
  readonly reports: readonly ReportConfig[];
  /** The distributed backend: samples and queries go to a remote engine instead of the embedded store. */
  readonly remote: RemoteConfig | undefined;
  /** vigil watching itself: its built-in alerts (alerts/self-monitor.ts), on unless turned off. */
  readonly selfMonitoring: { readonly alerts: boolean };
  /** The dead man's switch: a URL pinged every interval (healthchecks.io, Uptime Kuma push). */
  readonly heartbeat: { readonly url: string | undefined; readonly intervalMs: number };
  /** Public status pages (`status_pages:`); their query components are checked by the server at start-up. */
  readonly statusPages: readonly StatusPageConfig[];
  /** A second listener that answers only the status pages, badges and their feeds, without the token. */
  readonly statusListen: HostPort | undefined;
}

export interface IncidentsConfig {
  /** Lowest severity label value that opens an incident: info < warning < error < critical = page. */
  readonly severity: 'info' | 'warning' | 'error' | 'critical';
  readonly retentionDays: number;
  readonly ackLinkTtlMs: number;
  /** How often escalation deadlines are checked. */
  readonly escalationTickMs: number;
  readonly escalationPolicies: readonly EscalationPolicyConfig[];
  /** Receivers the post-mortem is posted to when an incident resolves. */
  readonly postmortemReceivers: readonly string[];
}

/** If nobody acknowledges an incident matching `match`, notify each step's receivers `afterMs` after it opened. */
export interface EscalationPolicyConfig {
  readonly name: string;
  readonly match: Readonly<Record<string, string>>;
  readonly steps: readonly { readonly afterMs: number; readonly receivers: readonly string[] }[];
  /** Times the steps run again after the last one, each round as long as the last step's `after`. */
  readonly repeat: number;
}

export interface ReportConfig {
  readonly name: string;
  readonly schedule: Cron;
  readonly timezone: string;
  readonly periodMs: number | undefined;
  readonly receivers: readonly string[];
}

export interface RemoteConfig {
  readonly writeUrl: string;
  readonly queryUrl: string;
  readonly queueDir: string;
  readonly queueMaxBytes: number;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface ScrapeTarget {
  readonly url: string;
  readonly job: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly honorTimestamps: boolean;
}

const hostPort = z.string().transform((text, ctx) => {
  const parsed = parseHostPort(text);
  if (!parsed) ctx.addIssue({ code: 'custom', message: 'expected HOST:PORT such as 127.0.0.1:8000' });
  return parsed ?? { host: '', port: 0 };
});

const duration = z.union([z.string(), z.number()]).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined)
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as 15s, 1m or 500ms' });
  return ms ?? 0;
});

const FILE_SCHEMA = z
  .object({
    listen: hostPort,
    data: z.string().min(1),
    statsd: z.union([z.literal('off'), hostPort]),
    statsdFlushInterval: duration,
    statsdMaxSeries: z.number().int().min(1),
    statsdTtl: duration,
    statsdTimers: z.enum(STATSD_TIMER_SERIES),
    statsdCounterMode: z.enum(STATSD_COUNTER_MODES),
    scrape: z
      .object({
        interval: duration,
        timeout: duration,
        targets: z.array(
          z.union([
            z.url(),
            z
              .object({
                url: z.url(),
                job: z.string().min(1).optional(),
                interval: duration.optional(),
                timeout: duration.optional(),
                honorTimestamps: z.boolean().optional(),
              })
              .strict(),
          ]),
        ),
      })
      .partial()
      .strict(),
    store: z
      .object({
        flushInterval: duration,
        retentionDays: z.number().positive(),
        retentionBytes: z.number().int().min(0),
        maxSeries: z.number().int().min(1),
        minFreeDiskSpaceBytes: z.number().int().min(0),
      })
      .partial()
      .strict(),
    auth: z
      .object({
        token: z.string().min(16, 'expected a token of at least 16 characters'),
        allowUnauthenticated: z.boolean(),
      })
      .partial()
      .strict(),
    memory: z
      .object({
        limit: z.union([z.string(), z.number()]).transform((value, ctx) => {
          const bytes = parseBytes(value);
          if (bytes === undefined || bytes < MIN_MEMORY_LIMIT)
            ctx.addIssue({
              code: 'custom',
              message: `expected a size of at least 128MiB, such as 512MiB, 1GiB or ${MIN_MEMORY_LIMIT}`,
            });
          return bytes ?? 0;
        }),
      })
      .partial()
      .strict(),
    limits: z
      .object({
        bodyBytes: z.number().int().min(1024),
        labelNameBytes: z.number().int().min(1),
        labelValueBytes: z.number().int().min(1),
        labelsPerSeries: z.number().int().min(1),
        seriesBytes: z.number().int().min(1),
        // A group is one line of pushgateway.jsonl: well below V8's longest string (about 512 MiB)
        // even when JSON escaping makes every byte six.
        pushGroupBytes: z
          .number()
          .int()
          .min(1024)
          .max(64 * 1024 * 1024, 'expected at most 67108864 (64 MiB)'),
        maxConnections: z.number().int().min(1),
      })
      .partial()
      .strict(),
    query: z
      .object({
        maxConcurrency: z.number().int().min(1),
        maxSamples: z.number().int().min(1),
        maxQueryBytes: z.number().int().min(1_048_576, 'expected at least 1048576 (1 MiB)'),
        timeout: duration.refine((ms) => ms > 0, 'expected a positive duration such as 2m'),
        experimentalFunctions: z.boolean(),
        durationExpressions: z.boolean(),
      })
      .partial()
      .strict(),
    dashboard: z
      .object({ refreshInterval: duration, dir: z.string().min(1) })
      .partial()
      .strict(),
    remote: z
      .object({
        writeUrl: z.string().url('expected a URL such as http://127.0.0.1:8428/api/v1/write'),
        queryUrl: z.string().url('expected a URL such as http://127.0.0.1:8428'),
        queueDir: z.string().min(1),
        queueMaxBytes: z.number().int().min(1_048_576, 'expected at least 1048576 (1 MiB)'),
      })
      .partial()
      .strict(),
    selfMonitoring: z.object({ alerts: z.boolean() }).partial().strict(),
    heartbeat: z
      .object({
        url: z
          .url('expected a URL such as https://hc-ping.com/<uuid>')
          .refine((u) => /^https?:/.test(u), 'expected an http or https URL'),
        interval: duration.refine((ms) => ms >= 1000, 'expected at least 1s'),
      })
      .partial()
      .strict(),
    notifications: z.record(z.string(), z.unknown()),
    notifications_file: z.string().min(1),
    web_config_file: z.string().min(1),
    // Prometheus's own key names, so a prometheus.yml's rule settings read the same.
    rule_files: z.array(z.string().min(1)),
    evaluation_interval: duration.refine((ms) => ms > 0, 'expected a positive duration such as 1m'),
    alert_resend_delay: duration.refine((ms) => ms > 0, 'expected a positive duration such as 1m'),
    slos: z.array(z.unknown()),
    slo_files: z.array(z.string().min(1)),
    external_url: z
      .url('expected a URL such as https://vigil.example.com')
      .refine((u) => /^https?:/.test(u), 'expected an http or https URL'),
    incidents: z
      .object({
        severity: z.enum(['info', 'warning', 'error', 'critical']),
        retentionDays: z.number().positive(),
        ackLinkTtl: duration.refine((ms) => ms >= 60_000, 'expected at least 1m'),
        escalationTick: duration.refine((ms) => ms >= 1000, 'expected at least 1s'),
        postmortemReceivers: z.array(z.string().min(1)),
      })
      .partial()
      .strict(),
    reports: z.array(
      z
        .object({
          name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'expected a name of letters, digits, _ . -'),
          schedule: z.string().transform((text, ctx) => {
            const cron = parseCron(text);
            if (!('error' in cron)) return cron;
            ctx.addIssue({ code: 'custom', message: cron.error });
            return z.NEVER;
          }),
          timezone: z
            .string()
            .default('UTC')
            .refine(isTimeZone, 'expected an IANA time zone such as Europe/Paris'),
          period: duration.refine((ms) => ms >= 60_000, 'expected at least 1m').optional(),
          receivers: z.array(z.string().min(1)).min(1),
        })
        .strict(),
    ),
    status_pages: STATUS_PAGES_SCHEMA,
    status_listen: hostPort,
    escalation_policies: z.array(
      z
        .object({
          name: z.string().min(1),
          match: z.record(z.string(), z.string()).default({}),
          steps: z
            .array(z.object({ after: duration, receivers: z.array(z.string().min(1)).min(1) }).strict())
            .min(1, 'expected at least one step'),
          repeat: z.number().int().min(0).default(0),
        })
        .strict(),
    ),
  })
  .partial()
  .strict();

type FileConfig = z.infer<typeof FILE_SCHEMA>;

/** Flags of `vigil serve`, already split by parseArgs. */
export interface Flags {
  readonly config?: string;
  readonly listen?: string;
  readonly data?: string;
  readonly statsd?: string;
  readonly statsdMaxSeries?: string;
  readonly statsdTtl?: string;
  readonly memoryLimit?: string;
  readonly scrape?: readonly string[];
  readonly allowUnauthenticated?: boolean;
  readonly webConfigFile?: string;
  readonly maxConnections?: string;
  /** Prometheus's `--enable-feature` names; vigil knows `promql-experimental-functions` and `promql-duration-expr`. */
  readonly enableFeatures?: readonly string[];
  readonly statusListen?: string;
  readonly alertResendDelay?: string;
}

const FEATURES: Readonly<
  Record<string, readonly ['query', 'experimentalFunctions' | 'durationExpressions']>
> = {
  'promql-experimental-functions': ['query', 'experimentalFunctions'],
  'promql-duration-expr': ['query', 'durationExpressions'],
};

/** The `--enable-feature` names the configuration turns on, as Prometheus lists them in its flags. */
export function enabledFeatures(config: Config): string[] {
  return Object.entries(FEATURES)
    .filter(([, [section, key]]) => config[section][key])
    .map(([name]) => name);
}

/**
 * Environment variables, with the seeds' names where they have one. Each maps onto a key of
 * vigil.yaml, so the same checks and messages apply.
 */
const ENV: ReadonlyArray<
  readonly [variable: string, path: readonly string[], kind: 'string' | 'number' | 'list']
> = [
  ['VIGIL_LISTEN', ['listen'], 'string'],
  ['VIGIL_DATA', ['data'], 'string'],
  ['VIGIL_STATSD', ['statsd'], 'string'],
  ['VIGIL_STATSD_MAX_SERIES', ['statsdMaxSeries'], 'number'],
  ['VIGIL_STATSD_TTL', ['statsdTtl'], 'string'],
  ['VIGIL_STATSD_TIMERS', ['statsdTimers'], 'string'],
  ['VIGIL_STATSD_COUNTER_MODE', ['statsdCounterMode'], 'string'],
  ['VIGIL_MEMORY_LIMIT', ['memory', 'limit'], 'string'],
  ['VIGIL_SCRAPE', ['scrape', 'targets'], 'list'],
  ['VIGIL_SCRAPE_INTERVAL', ['scrape', 'interval'], 'string'],
  ['VIGIL_TOKEN', ['auth', 'token'], 'string'],
  ['VIGIL_WEB_CONFIG_FILE', ['web_config_file'], 'string'],
  ['VIGIL_MAX_CONNECTIONS', ['limits', 'maxConnections'], 'number'],
  ['VIGIL_FLUSH_INTERVAL', ['store', 'flushInterval'], 'string'],
  ['METRICS_RETENTION_DAYS', ['store', 'retentionDays'], 'number'],
  ['VIGIL_RETENTION_BYTES', ['store', 'retentionBytes'], 'number'],
  ['VIGIL_MIN_FREE_DISK_SPACE_BYTES', ['store', 'minFreeDiskSpaceBytes'], 'number'],
  ['VIGIL_QUERY_MAX_CONCURRENCY', ['query', 'maxConcurrency'], 'number'],
  ['DASHBOARD_REFRESH_INTERVAL', ['dashboard', 'refreshInterval'], 'string'],
  ['VIGIL_DASHBOARDS', ['dashboard', 'dir'], 'string'],
  ['VIGIL_RULE_FILES', ['rule_files'], 'list'],
  ['VIGIL_EVALUATION_INTERVAL', ['evaluation_interval'], 'string'],
  ['VIGIL_ALERT_RESEND_DELAY', ['alert_resend_delay'], 'string'],
  ['VIGIL_SLO_FILES', ['slo_files'], 'list'],
  ['VIGIL_EXTERNAL_URL', ['external_url'], 'string'],
  ['VIGIL_HEARTBEAT_URL', ['heartbeat', 'url'], 'string'],
  ['VIGIL_REMOTE_WRITE_URL', ['remote', 'writeUrl'], 'string'],
  ['VIGIL_REMOTE_QUERY_URL', ['remote', 'queryUrl'], 'string'],
  ['VIGIL_STATUS_LISTEN', ['status_listen'], 'string'],
];

export function loadConfig(flags: Flags, env: NodeJS.ProcessEnv = process.env): Config {
  const file = flags.config ?? env.VIGIL_CONFIG;
  const fromFile = file === undefined ? {} : check(readYamlFile(file, 'configuration file'), `${file}`);
  if (file !== undefined && fromFile.notifications_file !== undefined) {
    // Relative to the file that names it, as Prometheus resolves rule_files.
    fromFile.notifications_file = resolvePath(dirname(file), fromFile.notifications_file);
  }
  if (file !== undefined && fromFile.web_config_file !== undefined)
    fromFile.web_config_file = resolvePath(dirname(file), fromFile.web_config_file);
  if (file !== undefined && fromFile.rule_files)
    fromFile.rule_files = fromFile.rule_files.map((p) => resolvePath(dirname(resolvePath(file)), p));
  if (file !== undefined && fromFile.slo_files)
    fromFile.slo_files = fromFile.slo_files.map((p) => resolvePath(dirname(resolvePath(file)), p));
  const fromEnv: Record<string, unknown> = {};
  for (const [variable, path, kind] of ENV) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    const value =
      kind === 'number' ? toNumber(raw) : kind === 'list' ? raw.split(',').map((s) => s.trim()) : raw;
    setPath(fromEnv, path, value);
    check(fromEnv, `environment variable ${variable}`);
  }
  const fromFlags: Record<string, unknown> = {};
  for (const key of ['listen', 'data', 'statsd'] as const) {
    const value = flags[key];
    if (value !== undefined) fromFlags[key] = value;
  }
  if (flags.scrape?.length) fromFlags.scrape = { targets: [...flags.scrape] };
  if (flags.statsdMaxSeries !== undefined) fromFlags.statsdMaxSeries = toNumber(flags.statsdMaxSeries);
  if (flags.statsdTtl !== undefined) fromFlags.statsdTtl = flags.statsdTtl;
  if (flags.memoryLimit !== undefined) fromFlags.memory = { limit: flags.memoryLimit };
  if (flags.allowUnauthenticated) fromFlags.auth = { allowUnauthenticated: true };
  if (flags.webConfigFile !== undefined) fromFlags.web_config_file = flags.webConfigFile;
  if (flags.maxConnections !== undefined)
    fromFlags.limits = { maxConnections: toNumber(flags.maxConnections) };
  for (const feature of flags.enableFeatures?.flatMap((f) => f.split(',')) ?? []) {
    const path = FEATURES[feature.trim()];
    if (!path)
      throw new ConfigError(
        `--enable-feature=${feature}: unknown feature; vigil knows ${Object.keys(FEATURES).join(', ')}`,
      );
    setPath(fromFlags, path, true);
  }
  if (flags.statusListen !== undefined) fromFlags.status_listen = flags.statusListen;
  if (flags.alertResendDelay !== undefined) fromFlags.alert_resend_delay = flags.alertResendDelay;
  if (fromFile.notifications !== undefined && fromFile.notifications_file !== undefined)
    throw new ConfigError(`${file}: notifications and notifications_file: expected one of them, not both`);
  check(fromFlags, 'command line');
  const config = resolve(
    merge(merge(fromFile, check(fromEnv, 'environment')), check(fromFlags, 'command line')),
  );
  const { host, port } = config.listen;
  const hasUsers = (config.web?.basicAuthUsers.size ?? 0) > 0;
  if (config.auth.token === undefined && !hasUsers && !config.auth.allowUnauthenticated && !isLoopback(host))
    throw new ConfigError(
      `listen: ${host}:${port} is reachable from other machines and neither auth.token (VIGIL_TOKEN) nor basic_auth_users (--web.config.file) is set, so anyone there could push, delete and silence; set one, or pass --allow-unauthenticated (auth.allowUnauthenticated: true) if the network is trusted`,
    );
  const slackWebhookUrl = env.SLACK_WEBHOOK_URL || undefined;
  if (slackWebhookUrl !== undefined && !/^https?:\/\/\S+$/.test(slackWebhookUrl))
    throw new ConfigError(
      `environment variable SLACK_WEBHOOK_URL: expected an https:// incoming webhook URL`,
    );
  return {
    ...config,
    slos: { ...config.slos, source: file ?? config.slos.source },
    notifications: { ...config.notifications, slackWebhookUrl, slackChannel: env.SLACK_CHANNEL || undefined },
  };
}

/** Addresses only this machine can reach. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function check(value: unknown, source: string): FileConfig {
  const result = FILE_SCHEMA.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path.join('.') || '(top level)';
  const detail = zodIssueDetail(issue, value);
  throw new ConfigError(`${source}: ${key}: ${detail}`);
}

function merge(base: FileConfig, over: FileConfig): FileConfig {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const before = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && before && typeof before === 'object'
        ? { ...before, ...value }
        : value;
  }
  return out as FileConfig;
}

function resolve(c: FileConfig): Config {
  const intervalMs = c.scrape?.interval ?? 15_000;
  const timeoutMs = Math.min(c.scrape?.timeout ?? 10_000, intervalMs);
  return {
    listen: c.listen ?? { host: '127.0.0.1', port: 8000 },
    data: c.data ?? './data',
    statsd: c.statsd === 'off' ? undefined : (c.statsd ?? { host: '127.0.0.1', port: 8125 }),
    statsdFlushIntervalMs: c.statsdFlushInterval ?? 10_000,
    statsdMaxSeries: c.statsdMaxSeries ?? 10_000,
    // Junk names would otherwise hold the series cap until a restart (issue 13); an hour keeps
    // what a job sends hourly.
    statsdTtlMs: c.statsdTtl ?? 3_600_000,
    statsdTimers: c.statsdTimers ?? 'both',
    statsdCounterMode: c.statsdCounterMode ?? 'prometheus',
    scrape: {
      intervalMs,
      timeoutMs,
      targets: (c.scrape?.targets ?? []).map((t) => {
        const target = typeof t === 'string' ? { url: t } : t;
        const interval = target.interval ?? intervalMs;
        return {
          url: target.url,
          job: target.job ?? new URL(target.url).host,
          intervalMs: interval,
          timeoutMs: Math.min(target.timeout ?? timeoutMs, interval),
          honorTimestamps: target.honorTimestamps ?? true,
        };
      }),
    },
    store: {
      flushIntervalMs: c.store?.flushInterval ?? 1000,
      retentionDays: c.store?.retentionDays ?? 30,
      retentionBytes: c.store?.retentionBytes ?? 0,
      maxSeries: c.store?.maxSeries ?? 1_000_000,
      minFreeDiskSpaceBytes: c.store?.minFreeDiskSpaceBytes,
    },
    web: c.web_config_file === undefined ? undefined : loadWebConfig(c.web_config_file),
    auth: { token: c.auth?.token, allowUnauthenticated: c.auth?.allowUnauthenticated ?? false },
    memory: { limitBytes: c.memory?.limit ?? defaultMemoryLimit() },
    limits: {
      bodyBytes: c.limits?.bodyBytes ?? 10 * 1024 * 1024,
      labels: {
        nameBytes: c.limits?.labelNameBytes ?? DEFAULT_LABEL_LIMITS.nameBytes,
        valueBytes: c.limits?.labelValueBytes ?? DEFAULT_LABEL_LIMITS.valueBytes,
        labelsPerSeries: c.limits?.labelsPerSeries ?? DEFAULT_LABEL_LIMITS.labelsPerSeries,
        seriesBytes: c.limits?.seriesBytes ?? DEFAULT_LABEL_LIMITS.seriesBytes,
      },
      pushGroupBytes: c.limits?.pushGroupBytes ?? 4 * 1024 * 1024,
      maxConnections: c.limits?.maxConnections ?? 512,
    },
    query: {
      maxConcurrency: c.query?.maxConcurrency,
      maxSamples: c.query?.maxSamples,
      maxQueryBytes: c.query?.maxQueryBytes,
      timeoutMs: c.query?.timeout,
      experimentalFunctions: c.query?.experimentalFunctions ?? false,
      durationExpressions: c.query?.durationExpressions ?? false,
    },
    dashboard: { refreshIntervalMs: c.dashboard?.refreshInterval ?? 30_000, dir: c.dashboard?.dir },
    notifications: {
      inline: c.notifications,
      file: c.notifications_file,
      slackWebhookUrl: undefined,
      slackChannel: undefined,
    },
    rules: {
      files: (c.rule_files ?? []).map((p) => resolvePath(p)),
      evaluationIntervalMs: c.evaluation_interval ?? 60_000,
      resendDelayMs: c.alert_resend_delay ?? 60_000,
    },
    externalUrl: c.external_url?.replace(/\/+$/, ''),
    incidents: {
      severity: c.incidents?.severity ?? 'critical',
      retentionDays: c.incidents?.retentionDays ?? 90,
      ackLinkTtlMs: c.incidents?.ackLinkTtl ?? 86_400_000,
      escalationTickMs: c.incidents?.escalationTick ?? 15_000,
      postmortemReceivers: c.incidents?.postmortemReceivers ?? [],
      escalationPolicies: (c.escalation_policies ?? []).map((p) => ({
        name: p.name,
        match: p.match,
        steps: p.steps.map((s) => ({ afterMs: s.after, receivers: s.receivers })),
        repeat: p.repeat,
      })),
    },
    reports: (c.reports ?? []).map((r) => ({
      name: r.name,
      schedule: r.schedule,
      timezone: r.timezone,
      periodMs: r.period,
      receivers: r.receivers,
    })),
    slos: { inline: c.slos, source: 'vigil.yaml', files: (c.slo_files ?? []).map((p) => resolvePath(p)) },
    remote: remoteConfig(c.remote, c.data ?? './data'),
    selfMonitoring: { alerts: c.selfMonitoring?.alerts ?? true },
    heartbeat: { url: c.heartbeat?.url, intervalMs: c.heartbeat?.interval ?? 60_000 },
    statusPages: statusPages(c.status_pages),
    statusListen: c.status_listen,
  };
}

function statusPages(pages: FileConfig['status_pages']): StatusPageConfig[] {
  const resolved = resolveStatusPages(pages ?? []);
  if ('error' in resolved) throw new ConfigError(resolved.error);
  return resolved.pages;
}

function remoteConfig(remote: FileConfig['remote'], data: string): RemoteConfig | undefined {
  if (!remote) return undefined;
  const { writeUrl, queryUrl } = remote;
  if (writeUrl === undefined || queryUrl === undefined) {
    const missing = writeUrl === undefined ? 'writeUrl' : 'queryUrl';
    throw new ConfigError(
      `remote.${missing}: missing; the distributed backend needs both remote.writeUrl (remote write, e.g. http://127.0.0.1:8428/api/v1/write) and remote.queryUrl (the Prometheus HTTP API, e.g. http://127.0.0.1:8428)`,
    );
  }
  return {
    writeUrl,
    queryUrl,
    queueDir: remote.queueDir ?? `${data}/remote-queue`,
    queueMaxBytes: remote.queueMaxBytes ?? 256 * 1_048_576,
  };
}

export function parseHostPort(text: string): HostPort | undefined {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

function toNumber(raw: string): number | string {
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
}
