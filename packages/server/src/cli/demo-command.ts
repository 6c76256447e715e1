import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Registry, systemClock } from '@vigil/metrics';
import { SystemUsage } from '@vigil/metrics/health';
import { type Config, loadConfig, type ScrapeTarget } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import { parseDuration } from '../config/duration.js';
import { demoStatusPages } from '../demo/demo-status-page.js';
import { DemoWorkload } from '../demo/demo-workload.js';
import { startWorkloadEndpoint } from '../demo/workload-endpoint.js';
import { IngestWriter } from '../ingest/ingest-writer.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { backfillDemo } from './demo-backfill.js';
import { demoStatsdAddress } from './demo-statsd.js';
import { serve, VERSION } from './serve.js';
import { SERVE_OPTIONS, serveFlags, untilSignal } from './serve-flags.js';

/** The seeds' thresholds over the workload's metric names, loaded beside any rule files configured. */
export const DEMO_RULES = fileURLToPath(new URL('../../demo-rules.yml', import.meta.url));

interface DemoOptions {
  readonly config: Config;
  readonly seed: number;
  /** Live scrapes of the workload. */
  readonly intervalMs: number;
  /** One backfilled sample per series every this many ms. */
  readonly backfillStepMs: number;
  readonly backfillMs: number;
  readonly serve: boolean;
}

/** `vigil demo`: `vigil serve` scraping a built-in workload modelled on the seeds. */
export async function runDemo(args: string[]): Promise<number> {
  let options: DemoOptions;
  try {
    options = demoOptions(args);
  } catch (error) {
    const where = error instanceof ConfigError ? 'configuration: ' : '';
    console.error(`vigil demo: ${where}${(error as Error).message}\n(see vigil help)`);
    return 2;
  }
  const { config } = options;
  const workload = options.serve ? new DemoWorkload({ clock: systemClock, seed: options.seed }) : undefined;
  const preferred = config.listen.port > 0 && config.listen.port < 65535 ? config.listen.port + 1 : 0;
  const endpoint = workload && (await startWorkloadEndpoint(workload, preferred));
  const instance = endpoint ? new URL(endpoint.url).host : 'demo';
  try {
    if (options.backfillMs > 0) await backfill(options, { job: 'demo', instance });
    if (!workload || !endpoint) return 0;
    const target: ScrapeTarget = {
      url: endpoint.url,
      job: 'demo',
      intervalMs: options.intervalMs,
      timeoutMs: Math.min(config.scrape.timeoutMs, options.intervalMs),
      honorTimestamps: true,
    };
    const statsd = config.statsd && (await demoStatsdAddress(config.statsd));
    workload.start();
    const server = await serve({
      ...config,
      statsd: statsd?.address,
      scrape: { ...config.scrape, targets: [...config.scrape.targets, target] },
      rules: { ...config.rules, files: [...config.rules.files, DEMO_RULES] },
      statusPages: config.statusPages.length > 0 ? config.statusPages : demoStatusPages(),
    });
    const statsdLine =
      config.statsd && server.statsdPort !== undefined
        ? `udp ${config.statsd.host}:${server.statsdPort}${statsd?.busy ? ` (${config.statsd.host}:${config.statsd.port} is taken, by another StatsD or a Datadog agent?)` : ''}`
        : 'off';
    printUrls(server, config, endpoint.url, options.intervalMs, statsdLine);
    const signal = await untilSignal();
    console.log(`vigil demo: ${signal}, flushing and stopping`);
    await server.close();
    return 0;
  } finally {
    workload?.stop();
    await endpoint?.close();
  }
}

function demoOptions(args: string[]): DemoOptions {
  const { values } = parseArgs({
    args,
    options: {
      ...SERVE_OPTIONS,
      seed: { type: 'string' },
      interval: { type: 'string' },
      backfill: { type: 'string' },
      duration: { type: 'string' },
      'no-serve': { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const seed = Number(values.seed ?? '42');
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`--seed: got ${JSON.stringify(values.seed)}, expected a whole number >= 0`);
  }
  const intervalMs = duration('--interval', values.interval ?? '5s');
  if (intervalMs < 1000 || intervalMs > 3_600_000) {
    throw new Error(`--interval: got ${JSON.stringify(values.interval)}, expected a duration from 1s to 1h`);
  }
  if (values.backfill !== undefined && values.duration !== undefined) {
    throw new Error('--backfill and --duration are the same flag: give one');
  }
  const backfillText = values.backfill ?? values.duration;
  const backfillMs =
    backfillText === undefined ? 0 : duration(values.duration ? '--duration' : '--backfill', backfillText);
  const serveLive = !values['no-serve'];
  if (!serveLive && backfillMs === 0) {
    throw new Error('--no-serve: nothing to do without --backfill DURATION (such as --backfill 24h)');
  }
  const config = loadConfig(serveFlags(values));
  const retentionMs = config.store.retentionDays * 86_400_000;
  if (backfillMs > retentionMs) {
    throw new Error(
      `--backfill: got ${backfillText}, longer than the store's retention (store.retentionDays = ${config.store.retentionDays}); the store would drop it`,
    );
  }
  // Prometheus's default scrape interval: a day at 5 s would be three times the samples and the time.
  const backfillStepMs = values.interval === undefined ? 15_000 : intervalMs;
  return { config, seed, intervalMs, backfillStepMs, backfillMs, serve: serveLive };
}

function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new Error(`${flag}: got ${JSON.stringify(text)}, expected a duration such as 5s, 90m or 24h`);
  }
  return ms;
}

async function backfill(
  options: DemoOptions,
  targetLabels: { job: string; instance: string },
): Promise<void> {
  const { config } = options;
  mkdirSync(config.data, { recursive: true });
  const store = await openSqliteStore({
    dir: config.data,
    flushIntervalMs: config.store.flushIntervalMs,
    retentionDays: config.store.retentionDays,
    retentionBytes: config.store.retentionBytes,
    maxSeries: config.store.maxSeries,
  });
  const hours = options.backfillMs / 3_600_000;
  console.log(
    `vigil demo: writing ${formatHours(hours)} of history into ${config.data}, one sample every ${options.backfillStepMs / 1000}s`,
  );
  const started = performance.now();
  try {
    const result = await backfillDemo({
      writer: new IngestWriter(store, new Registry()),
      endMs: Date.now(),
      durationMs: options.backfillMs,
      intervalMs: options.backfillStepMs,
      seed: options.seed,
      targetLabels,
      // The root file system, which the live workload's runtime metrics read.
      disk: (await new SystemUsage({ diskPath: '/' }).read()).disk,
      onProgress: (p) => {
        const pct = Math.round((100 * p.simulatedMs) / p.durationMs);
        const s = ((performance.now() - started) / 1000).toFixed(1);
        console.log(
          `  ${formatHours(p.simulatedMs / 3_600_000)} of ${formatHours(hours)} (${pct}%), ${p.samples.toLocaleString('en')} samples, ${s} s`,
        );
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const rejected =
      result.rejected > 0 ? `, ${result.rejected.toLocaleString('en')} refused by the store` : '';
    console.log(
      `vigil demo: ${formatHours(hours)} of history, ${result.samples.toLocaleString('en')} samples in ${seconds.toFixed(1)} s${rejected}`,
    );
  } finally {
    await store.close();
  }
}

function formatHours(hours: number): string {
  if (Number.isInteger(hours)) return `${hours}h`;
  const minutes = hours * 60;
  return Number.isInteger(minutes) ? `${minutes}m` : `${hours.toFixed(1)}h`;
}

function printUrls(
  server: { url: string; statusUrl: string | undefined },
  config: Config,
  target: string,
  intervalMs: number,
  statsd: string,
): void {
  const { url } = server;
  const query = encodeURIComponent('sum by (provider) (rate(vigil_llm_tokens_total[1m]))');
  console.log(`vigil ${VERSION} demo serving on ${url} (data in ${config.data})`);
  console.log(
    `  workload   5 simulated services at ${target}, scraped every ${intervalMs / 1000}s (job="demo")`,
  );
  console.log('             a provider goes down every 5 min for 1 min; other incidents every 11 to 23 min');
  console.log(`  dashboard  ${url}/`);
  console.log(`  alerts     ${url}/api/alerts (rules: ${DEMO_RULES})`);
  const slugs = config.statusPages.length > 0 ? config.statusPages.map((p) => p.slug) : ['demo'];
  for (const slug of slugs) console.log(`  status     ${server.statusUrl ?? url}/status/${slug}`);
  console.log(`  metrics    ${url}/metrics`);
  console.log(`  query      ${url}/api/v1/query?query=${query}`);
  const top = url === 'http://127.0.0.1:8000' ? '' : ` --url ${url}`;
  console.log(
    `  terminal   node packages/server/dist/cli/main.js top${top}   (vigil top${top} once installed)`,
  );
  console.log(`  statsd     ${statsd}`);
  console.log('  Ctrl-C flushes and stops.');
}
