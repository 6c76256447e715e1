import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../config/config-error.js';
import type { CompiledMatcher } from '../../matchers/label-matcher.js';
import { alertmanagerMatcher, MatcherError, parseMatchers } from '../../matchers/matcher-syntax.js';
import { isTimeZone } from '../../time/wall-clock.js';
import {
  NOTIFY_SCHEMA,
  type RawInhibitRule,
  type RawNotifyConfig,
  type RawReceiver,
  type RawRoute,
  type RawTimePeriod,
} from './notify-config-schema.js';
import type { Range, TimeIntervals, TimePeriod } from './time-interval.js';

export interface RouteConfig {
  readonly receiver: string;
  /** Label names, or `all` for Alertmanager's `group_by: ['...']`. */
  readonly groupBy: readonly string[] | 'all';
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly matchers: readonly CompiledMatcher[];
  readonly continue: boolean;
  readonly routes: readonly RouteConfig[];
  readonly muteTimeIntervals: readonly string[];
  readonly activeTimeIntervals: readonly string[];
}

export interface SmtpConfig {
  readonly smarthost: string;
  readonly from: string;
  readonly hello: string | undefined;
  readonly authUsername: string | undefined;
  readonly authPassword: string | undefined;
  readonly requireTls: boolean;
  readonly insecureSkipVerify: boolean;
}

export type IntegrationConfig =
  | {
      readonly kind: 'slack';
      readonly sendResolved: boolean;
      readonly apiUrl: string;
      readonly channel: string | undefined;
      readonly username: string | undefined;
    }
  | {
      readonly kind: 'webhook';
      readonly sendResolved: boolean;
      readonly url: string;
      readonly maxAlerts: number;
    }
  | {
      readonly kind: 'email';
      readonly sendResolved: boolean;
      readonly to: string;
      readonly smtp: SmtpConfig;
      readonly headers: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'alertmanager'; readonly sendResolved: boolean; readonly url: string }
  | { readonly kind: 'log'; readonly sendResolved: boolean };

export interface ReceiverConfig {
  readonly name: string;
  readonly integrations: readonly IntegrationConfig[];
}

export interface InhibitRule {
  readonly sourceMatchers: readonly CompiledMatcher[];
  readonly targetMatchers: readonly CompiledMatcher[];
  readonly equal: readonly string[];
}

export interface NotifyConfig {
  readonly resolveTimeoutMs: number;
  readonly route: RouteConfig;
  readonly receivers: readonly ReceiverConfig[];
  readonly inhibitRules: readonly InhibitRule[];
  readonly timeIntervals: TimeIntervals;
}

/**
 * The inhibit rule vigil applies when the configuration has no `inhibit_rules` key: a critical alert silences the
 * warning of the same name, since the seeds' short-form thresholds (`warning:` and `critical:`)
 * raise both levels for one condition and a user wants to be told once.
 */
export const DEFAULT_INHIBIT_RULE: InhibitRule = {
  sourceMatchers: [alertmanagerMatcher('severity', '=', 'critical')],
  targetMatchers: [alertmanagerMatcher('severity', '=', 'warning')],
  equal: ['alertname'],
};

const DEFAULTS = { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 14_400_000 };

/** Where the configuration comes from: vigil.yaml's `notifications:` (inline) or `notifications_file:`. */
export interface NotifySource {
  readonly inline?: unknown;
  readonly file?: string | undefined;
}

export function loadNotifyConfig(source: NotifySource, env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  if (source.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(source.file, 'utf8');
    } catch (error) {
      throw new ConfigError(`notifications_file: cannot read ${source.file} (${(error as Error).message})`);
    }
    let raw: unknown;
    try {
      raw = parseYaml(text) ?? {};
    } catch (error) {
      throw new ConfigError(`${source.file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    return parseNotifyConfig(raw, source.file);
  }
  if (source.inline !== undefined) return parseNotifyConfig(source.inline, 'notifications');
  return defaultNotifyConfig(env);
}

/** No configuration: Slack when the seeds' SLACK_WEBHOOK_URL is set, else the log. */
export function defaultNotifyConfig(env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const slack = env.SLACK_WEBHOOK_URL;
  const receiver: ReceiverConfig = slack
    ? {
        name: 'slack',
        integrations: [
          {
            kind: 'slack',
            sendResolved: true,
            apiUrl: slack,
            channel: env.SLACK_CHANNEL || undefined,
            username: undefined,
          },
        ],
      }
    : { name: 'log', integrations: [{ kind: 'log', sendResolved: true }] };
  return {
    resolveTimeoutMs: 300_000,
    route: {
      receiver: receiver.name,
      groupBy: ['alertname'],
      ...DEFAULTS,
      matchers: [],
      continue: false,
      routes: [],
      muteTimeIntervals: [],
      activeTimeIntervals: [],
    },
    receivers: [receiver],
    inhibitRules: [DEFAULT_INHIBIT_RULE],
    timeIntervals: new Map(),
  };
}

/** Checks and resolves an Alertmanager configuration; errors name `source`, the key path, the value and what was expected. */
export function parseNotifyConfig(raw: unknown, source: string): NotifyConfig {
  const result = NOTIFY_SCHEMA.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const got = issue.path.reduce<unknown>(
      (v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey],
      raw,
    );
    const detail =
      issue.code === 'unrecognized_keys'
        ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (not supported by vigil)`
        : `got ${JSON.stringify(got) ?? 'nothing'}, ${issue.message.replace(/^Invalid input: /, '')}`;
    throw new ConfigError(`${source}: ${pathText(issue.path)}: ${detail}`);
  }
  return resolve(result.data, (path, message) => new ConfigError(`${source}: ${path}: ${message}`));
}

type Fail = (path: string, message: string) => ConfigError;

function resolve(c: RawNotifyConfig, fail: Fail): NotifyConfig {
  const g = c.global ?? {};
  if (!c.route) throw fail('route', 'missing; expected a route with at least a receiver');
  if (!c.route.receiver) throw fail('route.receiver', 'missing; the root route needs a receiver');
  if (c.route.matchers?.length || c.route.match || c.route.match_re)
    throw fail('route', 'the root route must not have matchers (it matches every alert)');
  const receivers = (c.receivers ?? []).map((r, i) => resolveReceiver(r, `receivers[${i}]`, g, fail));
  const names = new Set<string>();
  receivers.forEach((r, i) => {
    if (names.has(r.name)) throw fail(`receivers[${i}].name`, `"${r.name}" is defined twice`);
    names.add(r.name);
  });
  const timeIntervals = new Map<string, TimePeriod[]>();
  for (const [key, list] of [
    ['time_intervals', c.time_intervals],
    ['mute_time_intervals', c.mute_time_intervals],
  ] as const) {
    (list ?? []).forEach((ti, i) => {
      const path = `${key}[${i}]`;
      if (timeIntervals.has(ti.name)) throw fail(`${path}.name`, `"${ti.name}" is defined twice`);
      timeIntervals.set(
        ti.name,
        ti.time_intervals.map((p, j) => resolvePeriod(p, `${path}.time_intervals[${j}]`, fail)),
      );
    });
  }
  const route = resolveRoute(c.route, undefined, 'route', fail, names, timeIntervals);
  return {
    resolveTimeoutMs: g.resolve_timeout ?? 300_000,
    route,
    receivers,
    // Absent, vigil's default applies; `inhibit_rules: []` turns it off.
    inhibitRules:
      c.inhibit_rules === undefined
        ? [DEFAULT_INHIBIT_RULE]
        : c.inhibit_rules.map((r, i) => resolveInhibit(r, `inhibit_rules[${i}]`, fail)),
    timeIntervals,
  };
}

function resolveRoute(
  r: RawRoute,
  parent: RouteConfig | undefined,
  path: string,
  fail: Fail,
  receivers: ReadonlySet<string>,
  intervals: TimeIntervals,
): RouteConfig {
  const receiver = r.receiver ?? parent?.receiver ?? '';
  if (!receivers.has(receiver))
    throw fail(`${path}.receiver`, `got "${receiver}", expected one of the receivers' names`);
  for (const key of ['mute_time_intervals', 'active_time_intervals'] as const) {
    (r[key] ?? []).forEach((name, i) => {
      if (!intervals.has(name))
        throw fail(`${path}.${key}[${i}]`, `got "${name}", expected a name from time_intervals`);
    });
  }
  const matchers: CompiledMatcher[] = [];
  (r.matchers ?? []).forEach((text, i) => {
    matchers.push(...parseMatcherText(text, `${path}.matchers[${i}]`, fail));
  });
  for (const [name, value] of Object.entries(r.match ?? {}))
    matchers.push(alertmanagerMatcher(name, '=', value));
  for (const [name, value] of Object.entries(r.match_re ?? {}))
    matchers.push(checked(() => alertmanagerMatcher(name, '=~', value), `${path}.match_re.${name}`, fail));
  const groupBy = r.group_by
    ? r.group_by.includes('...')
      ? 'all'
      : [...new Set(r.group_by)]
    : (parent?.groupBy ?? []);
  const self: RouteConfig = {
    receiver,
    groupBy,
    groupWaitMs: r.group_wait ?? parent?.groupWaitMs ?? DEFAULTS.groupWaitMs,
    groupIntervalMs: r.group_interval ?? parent?.groupIntervalMs ?? DEFAULTS.groupIntervalMs,
    repeatIntervalMs: r.repeat_interval ?? parent?.repeatIntervalMs ?? DEFAULTS.repeatIntervalMs,
    matchers,
    continue: r.continue ?? false,
    routes: [],
    muteTimeIntervals: r.mute_time_intervals ?? [],
    activeTimeIntervals: r.active_time_intervals ?? [],
  };
  if (self.groupIntervalMs <= 0) throw fail(`${path}.group_interval`, 'expected a duration greater than 0');
  if (self.repeatIntervalMs <= 0) throw fail(`${path}.repeat_interval`, 'expected a duration greater than 0');
  const routes = (r.routes ?? []).map((child, i) =>
    resolveRoute(child, self, `${path}.routes[${i}]`, fail, receivers, intervals),
  );
  return { ...self, routes };
}

function resolveReceiver(
  r: RawReceiver,
  path: string,
  g: NonNullable<RawNotifyConfig['global']>,
  fail: Fail,
): ReceiverConfig {
  const integrations: IntegrationConfig[] = [];
  (r.slack_configs ?? []).forEach((s, i) => {
    const apiUrl = s.api_url ?? g.slack_api_url;
    if (!apiUrl)
      throw fail(
        `${path}.slack_configs[${i}].api_url`,
        'missing, and no global.slack_api_url; expected the incoming webhook URL',
      );
    integrations.push({
      kind: 'slack',
      sendResolved: s.send_resolved ?? false,
      apiUrl,
      channel: s.channel,
      username: s.username,
    });
  });
  for (const w of r.webhook_configs ?? [])
    integrations.push({
      kind: 'webhook',
      sendResolved: w.send_resolved ?? true,
      url: w.url,
      maxAlerts: w.max_alerts ?? 0,
    });
  (r.email_configs ?? []).forEach((e, i) => {
    const at = `${path}.email_configs[${i}]`;
    const smarthost = e.smarthost ?? g.smtp_smarthost;
    if (!smarthost)
      throw fail(`${at}.smarthost`, 'missing, and no global.smtp_smarthost; expected HOST:PORT');
    const from = e.from ?? g.smtp_from;
    if (!from) throw fail(`${at}.from`, 'missing, and no global.smtp_from; expected an address');
    integrations.push({
      kind: 'email',
      sendResolved: e.send_resolved ?? false,
      to: e.to,
      headers: e.headers ?? {},
      smtp: {
        smarthost,
        from,
        hello: e.hello ?? g.smtp_hello,
        authUsername: e.auth_username ?? g.smtp_auth_username,
        authPassword: e.auth_password ?? g.smtp_auth_password,
        requireTls: e.require_tls ?? g.smtp_require_tls ?? true,
        insecureSkipVerify: e.tls_config?.insecure_skip_verify ?? false,
      },
    });
  });
  for (const a of r.alertmanager_configs ?? [])
    integrations.push({ kind: 'alertmanager', sendResolved: a.send_resolved ?? true, url: a.url });
  for (const l of r.log_configs ?? [])
    integrations.push({ kind: 'log', sendResolved: l.send_resolved ?? true });
  return { name: r.name, integrations };
}

function resolveInhibit(r: RawInhibitRule, path: string, fail: Fail): InhibitRule {
  const side = (which: 'source' | 'target'): CompiledMatcher[] => {
    const out: CompiledMatcher[] = [];
    (r[`${which}_matchers`] ?? []).forEach((text, i) => {
      out.push(...parseMatcherText(text, `${path}.${which}_matchers[${i}]`, fail));
    });
    for (const [name, value] of Object.entries(r[`${which}_match`] ?? {}))
      out.push(alertmanagerMatcher(name, '=', value));
    for (const [name, value] of Object.entries(r[`${which}_match_re`] ?? {}))
      out.push(
        checked(() => alertmanagerMatcher(name, '=~', value), `${path}.${which}_match_re.${name}`, fail),
      );
    return out;
  };
  return { sourceMatchers: side('source'), targetMatchers: side('target'), equal: r.equal ?? [] };
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function resolvePeriod(p: RawTimePeriod, path: string, fail: Fail): TimePeriod {
  const ranges = (
    list: string[] | undefined,
    key: string,
    parse: (text: string) => number | undefined,
    min: number,
    max: number,
  ) =>
    list?.map((text, i): Range => {
      const [a, b = a] = text.toLowerCase().split(':');
      const begin = parse(a!.trim());
      const end = parse(b!.trim());
      if (
        begin === undefined ||
        end === undefined ||
        begin < min ||
        end > max ||
        (begin > end && !(begin < 0 || end < 0))
      )
        throw fail(
          `${path}.${key}[${i}]`,
          `got "${text}", expected a value or an inclusive range such as ${EXAMPLES[key]}`,
        );
      return { begin, end };
    });
  const int = (text: string) => (/^-?\d+$/.test(text) ? Number(text) : undefined);
  const named = (names: string[], base: number) => (text: string) => {
    const i = names.indexOf(text);
    return i >= 0 ? i + base : int(text);
  };
  const location = p.location ?? 'UTC';
  if (!isTimeZone(location))
    throw fail(`${path}.location`, `got "${location}", expected an IANA time zone such as Europe/Paris`);
  return {
    times: p.times?.map((t, i) => {
      const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
      const begin = minutes(t.start_time);
      const end = minutes(t.end_time);
      if (!(begin < end && end <= 1440))
        throw fail(
          `${path}.times[${i}]`,
          `got ${t.start_time}-${t.end_time}, expected start_time before end_time, at most 24:00`,
        );
      return { begin, end };
    }),
    weekdays: ranges(p.weekdays, 'weekdays', (t) => (DAYS.includes(t) ? DAYS.indexOf(t) : undefined), 0, 6),
    daysOfMonth: ranges(p.days_of_month, 'days_of_month', int, -31, 31),
    months: ranges(p.months, 'months', named(MONTHS, 1), 1, 12),
    years: ranges(p.years, 'years', int, 0, 9999),
    location,
  };
}

const EXAMPLES: Record<string, string> = {
  weekdays: 'monday:friday',
  days_of_month: '1:5 or -3:-1',
  months: 'january:march or 1:3',
  years: '2024:2026',
};

function parseMatcherText(text: string, path: string, fail: Fail): CompiledMatcher[] {
  return checked(() => parseMatchers(text), path, fail);
}

function checked<T>(fn: () => T, path: string, fail: Fail): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof MatcherError) throw fail(path, error.message);
    throw error;
  }
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || '(top level)';
}
