import { redactUrl } from '@vigil/metrics';
import { stringify } from 'yaml';
import { type Config, enabledFeatures } from '../config/config.js';
import { formatDuration } from '../query/duration.js';

/**
 * vigil's configuration as the Prometheus configuration file that would do the same (global
 * intervals, scrape jobs, rule files, Alertmanagers), for `/api/v1/status/config`; and the settings
 * Prometheus has flags for, by those flag names, for `/api/v1/status/flags`.
 */
export function prometheusConfigYaml(config: Config, alertmanagers: readonly string[]): string {
  const jobs = new Map<string, Config['scrape']['targets'][number][]>();
  for (const t of config.scrape.targets) jobs.set(t.job, [...(jobs.get(t.job) ?? []), t]);
  return stringify({
    global: {
      scrape_interval: formatDuration(config.scrape.intervalMs),
      scrape_timeout: formatDuration(config.scrape.timeoutMs),
      evaluation_interval: formatDuration(config.rules.evaluationIntervalMs),
    },
    ...(alertmanagers.length > 0 && {
      alerting: {
        alertmanagers: alertmanagers.map((u) => {
          const url = new URL(u);
          return {
            scheme: url.protocol.replace(':', ''),
            path_prefix: url.pathname,
            static_configs: [{ targets: [url.host] }],
          };
        }),
      },
    }),
    ...(config.rules.files.length > 0 && { rule_files: [...config.rules.files] }),
    scrape_configs: [...jobs].map(([job, targets]) => {
      const first = new URL(targets[0]!.url);
      return {
        job_name: job,
        honor_timestamps: targets[0]!.honorTimestamps,
        scrape_interval: formatDuration(targets[0]!.intervalMs),
        scrape_timeout: formatDuration(targets[0]!.timeoutMs),
        metrics_path: first.pathname,
        scheme: first.protocol.replace(':', ''),
        static_configs: [{ targets: targets.map((t) => new URL(t.url).host) }],
      };
    }),
    ...(config.remote && { remote_write: [{ url: redactUrl(config.remote.writeUrl) }] }),
  });
}

export function prometheusFlags(config: Config): Record<string, string> {
  return {
    'web.listen-address': `${config.listen.host}:${config.listen.port}`,
    'storage.tsdb.path': config.data,
    'storage.tsdb.retention.time': retention(config),
    'storage.tsdb.retention.size': config.store.retentionBytes > 0 ? `${config.store.retentionBytes}B` : '0B',
    'web.enable-remote-write-receiver': 'true',
    'web.enable-otlp-receiver': 'true',
    'enable-feature': enabledFeatures(config).join(','),
  };
}

/** The retention as Prometheus writes it, `15d`. */
export function retention(config: Config): string {
  return formatDuration(config.store.retentionDays * 86_400_000);
}
