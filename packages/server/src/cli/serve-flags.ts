import type { ParseArgsConfig } from 'node:util';
import type { Flags } from '../config/config.js';

/** The flags `vigil serve` takes; `vigil demo` takes them too. */
export const SERVE_OPTIONS = {
  config: { type: 'string' },
  listen: { type: 'string' },
  data: { type: 'string' },
  statsd: { type: 'string' },
  'statsd-max-series': { type: 'string' },
  'statsd-ttl': { type: 'string' },
  'memory-limit': { type: 'string' },
  scrape: { type: 'string', multiple: true },
  'allow-unauthenticated': { type: 'boolean' },
  'web.config.file': { type: 'string' },
  'web.max-connections': { type: 'string' },
  'enable-feature': { type: 'string', multiple: true },
  'status.listen-address': { type: 'string' },
  'rules.alert.resend-delay': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export function serveFlags(values: {
  config?: string | undefined;
  listen?: string | undefined;
  data?: string | undefined;
  statsd?: string | undefined;
  'statsd-max-series'?: string | undefined;
  'statsd-ttl'?: string | undefined;
  'memory-limit'?: string | undefined;
  scrape?: string[] | undefined;
  'allow-unauthenticated'?: boolean | undefined;
  'web.config.file'?: string | undefined;
  'web.max-connections'?: string | undefined;
  'enable-feature'?: string[] | undefined;
  'status.listen-address'?: string | undefined;
  'rules.alert.resend-delay'?: string | undefined;
}): Flags {
  return {
    ...(values.config !== undefined && { config: values.config }),
    ...(values.listen !== undefined && { listen: values.listen }),
    ...(values.data !== undefined && { data: values.data }),
    ...(values.statsd !== undefined && { statsd: values.statsd }),
    ...(values['statsd-max-series'] !== undefined && { statsdMaxSeries: values['statsd-max-series'] }),
    ...(values['statsd-ttl'] !== undefined && { statsdTtl: values['statsd-ttl'] }),
    ...(values['memory-limit'] !== undefined && { memoryLimit: values['memory-limit'] }),
    ...(values.scrape !== undefined && { scrape: values.scrape }),
    ...(values['allow-unauthenticated'] && { allowUnauthenticated: true }),
    ...(values['web.config.file'] !== undefined && { webConfigFile: values['web.config.file'] }),
    ...(values['web.max-connections'] !== undefined && { maxConnections: values['web.max-connections'] }),
    ...(values['enable-feature'] !== undefined && { enableFeatures: values['enable-feature'] }),
    ...(values['status.listen-address'] !== undefined && { statusListen: values['status.listen-address'] }),
    ...(values['rules.alert.resend-delay'] !== undefined && {
      alertResendDelay: values['rules.alert.resend-delay'],
    }),
  };
}

/** Resolves when SIGINT or SIGTERM arrives, naming it. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
