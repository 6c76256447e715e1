import { z } from 'zod';
import { parseDuration } from '../../config/duration.js';

/**
 * Alertmanager's configuration file (alertmanager.yml), the parts vigil implements, with its own key
 * names so a user can paste theirs; plus vigil's `alertmanager_configs` (forward to a real
 * Alertmanager) and `log_configs`. Keys vigil does not implement are refused by name rather than
 * silently ignored: a receiver that is never called is worse than a start-up error.
 */
const duration = z.union([z.string(), z.number()]).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined)
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as 30s, 5m or 4h' });
  return ms ?? 0;
});

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name');
const labelMap = z.record(labelName, z.string());
const url = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
const hostPort = z
  .string()
  .regex(/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/, 'expected HOST:PORT such as smtp.example.com:587');

const tlsConfig = z.object({ insecure_skip_verify: z.boolean(), server_name: z.string() }).partial().strict();

const slackConfig = z
  .object({
    send_resolved: z.boolean(),
    api_url: url,
    channel: z.string(),
    username: z.string(),
    icon_emoji: z.string(),
    icon_url: url,
  })
  .partial()
  .strict();

const webhookConfig = z
  .object({ send_resolved: z.boolean(), url, max_alerts: z.number().int().min(0) })
  .partial({ send_resolved: true, max_alerts: true })
  .strict();

const emailConfig = z
  .object({
    send_resolved: z.boolean(),
    to: z.string().min(1),
    from: z.string(),
    smarthost: hostPort,
    hello: z.string(),
    auth_username: z.string(),
    auth_password: z.string(),
    require_tls: z.boolean(),
    tls_config: tlsConfig,
    headers: z.record(z.string(), z.string()),
  })
  .partial()
  .required({ to: true })
  .strict();

const alertmanagerConfig = z
  .object({ send_resolved: z.boolean(), url })
  .partial({ send_resolved: true })
  .strict();

const logConfig = z.object({ send_resolved: z.boolean() }).partial().strict();

const receiver = z
  .object({
    name: z.string().min(1),
    slack_configs: z.array(slackConfig),
    webhook_configs: z.array(webhookConfig),
    email_configs: z.array(emailConfig),
    alertmanager_configs: z.array(alertmanagerConfig),
    log_configs: z.array(logConfig),
  })
  .partial()
  .required({ name: true })
  .strict();

const matcherList = z.array(z.string());

export interface RawRoute {
  receiver?: string | undefined;
  group_by?: string[] | undefined;
  group_wait?: number | undefined;
  group_interval?: number | undefined;
  repeat_interval?: number | undefined;
  matchers?: string[] | undefined;
  match?: Record<string, string> | undefined;
  match_re?: Record<string, string> | undefined;
  continue?: boolean | undefined;
  routes?: RawRoute[] | undefined;
  mute_time_intervals?: string[] | undefined;
  active_time_intervals?: string[] | undefined;
}

const route: z.ZodType<RawRoute, unknown> = z.lazy(() =>
  z
    .object({
      receiver: z.string().min(1),
      group_by: z.array(z.union([labelName, z.literal('...')])),
      group_wait: duration,
      group_interval: duration,
      repeat_interval: duration,
      matchers: matcherList,
      match: labelMap,
      match_re: labelMap,
      continue: z.boolean(),
      routes: z.array(route),
      mute_time_intervals: z.array(z.string()),
      active_time_intervals: z.array(z.string()),
    })
    .partial()
    .strict(),
);

const range = z.union([z.string(), z.number()]).transform((v) => String(v));

const timePeriod = z
  .object({
    times: z.array(
      z
        .object({
          start_time: z.string().regex(/^\d{2}:\d{2}$/, 'expected HH:MM'),
          end_time: z.string().regex(/^\d{2}:\d{2}$/, 'expected HH:MM'),
        })
        .strict(),
    ),
    weekdays: z.array(range),
    days_of_month: z.array(range),
    months: z.array(range),
    years: z.array(range),
    location: z.string(),
  })
  .partial()
  .strict();

const timeInterval = z.object({ name: z.string().min(1), time_intervals: z.array(timePeriod) }).strict();

const inhibitRule = z
  .object({
    source_matchers: matcherList,
    target_matchers: matcherList,
    source_match: labelMap,
    source_match_re: labelMap,
    target_match: labelMap,
    target_match_re: labelMap,
    equal: z.array(labelName),
  })
  .partial()
  .strict();

const global = z
  .object({
    resolve_timeout: duration,
    smtp_from: z.string(),
    smtp_smarthost: hostPort,
    smtp_hello: z.string(),
    smtp_auth_username: z.string(),
    smtp_auth_password: z.string(),
    smtp_require_tls: z.boolean(),
    slack_api_url: url,
  })
  .partial()
  .strict();

export const NOTIFY_SCHEMA = z
  .object({
    global,
    route,
    receivers: z.array(receiver),
    inhibit_rules: z.array(inhibitRule),
    time_intervals: z.array(timeInterval),
    mute_time_intervals: z.array(timeInterval),
    templates: z.array(z.string()).max(0, 'Go templates are not supported by vigil; remove "templates"'),
  })
  .partial()
  .strict();

export type RawNotifyConfig = z.infer<typeof NOTIFY_SCHEMA>;
export type RawTimePeriod = z.infer<typeof timePeriod>;
export type RawInhibitRule = z.infer<typeof inhibitRule>;
export type RawReceiver = z.infer<typeof receiver>;
