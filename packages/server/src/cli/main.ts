#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { RuleFileError } from '../alerts/rule-file-error.js';
import { loadConfig } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import { checkRules } from './check-rules.js';
import { checkSlos } from './check-slos.js';
import { runDemo } from './demo-command.js';
import { endWithParent } from './launch.js';
import { notifyTest } from './notify-test.js';
import { runReport } from './report-command.js';
import { serve, VERSION } from './serve.js';
import { SERVE_OPTIONS, serveFlags } from './serve-flags.js';
import { runStatus } from './status-command.js';
import { runTop } from './top-command.js';

const SUMMARY = `vigil ${VERSION}: metrics, history, alerts and dashboards for Node.js services

Usage:
  vigil serve [--config FILE] [--listen HOST:PORT] [--data DIR] [--statsd HOST:PORT|off] [--scrape URL]...
              [--web.config.file FILE] [--web.max-connections N]
              [--status.listen-address HOST:PORT]
  vigil demo [serve's flags] [--seed N] [--interval DURATION] [--backfill DURATION] [--no-serve]
  vigil top [--url URL] [--token TOKEN]
  vigil check rules [--expand] [--enable-feature=promql-experimental-functions] FILE...
  vigil check slos [--expand] [--config FILE] [--data DIR] [FILE...]
  vigil report [--period 7d] [--end TIME] [--timezone ZONE] [--format md|html|json] [--data DIR] [--config FILE]
  vigil notify test RECEIVER [--config FILE]
  vigil status post|update|list SLUG [ID] [--title T] [--body B] [--state S] [--url URL] [--token TOKEN]
  vigil version
  vigil help`;

/** Each command's own help, which `vigil COMMAND --help` prints. */
const HELP: Record<string, string> = {
  serve: `vigil serve
  --config FILE        vigil.yaml to read (env VIGIL_CONFIG)
  --listen HOST:PORT   HTTP address (env VIGIL_LISTEN; default 127.0.0.1:8000)
  --data DIR           where the store lives (env VIGIL_DATA; default ./data)
  --statsd HOST:PORT   StatsD UDP address, or off (env VIGIL_STATSD; default 127.0.0.1:8125)
  --statsd-max-series N  StatsD series kept; new ones beyond are dropped and counted (env VIGIL_STATSD_MAX_SERIES; default 10000)
  --memory-limit SIZE  the memory budget every other one derives from, and V8's heap limit (env VIGIL_MEMORY_LIMIT; default 1GiB, or half the memory there is when less than 2GiB); see docs/memory.md
  --statsd-ttl DURATION  a StatsD series idle this long is marked stale and forgotten; 0 keeps it (env VIGIL_STATSD_TTL; default 1h)
  --scrape URL         a Prometheus endpoint to scrape; repeatable (env VIGIL_SCRAPE, comma-separated)
  --allow-unauthenticated  listen on a non-loopback address without auth.token (refused otherwise)
  --web.config.file FILE   TLS and basic-auth users, Prometheus's web configuration format
                           (env VIGIL_WEB_CONFIG_FILE; docs/operations.md)
  --web.max-connections N  HTTP connections served at once, 503 past it (env VIGIL_MAX_CONNECTIONS;
                           default 512)
  --enable-feature=promql-experimental-functions  Prometheus 3's experimental PromQL functions
  --enable-feature=promql-duration-expr  arithmetic in PromQL durations: rate(x[5m * 2]), x offset (1h + 30m)
  --status.listen-address HOST:PORT  a second listener for the status pages and badges only, read-only
                       and without the token (env VIGIL_STATUS_LISTEN; vigil.yaml status_listen)
  --rules.alert.resend-delay DURATION  how often a firing alert is sent again, to the notification
                       side and any forwarding Alertmanager (env VIGIL_ALERT_RESEND_DELAY; default 1m)
  SIGHUP or POST /-/reload reloads the rule files; a broken file is refused and the running rules stay.`,
  check: `vigil check rules FILE...
  Checks rule files offline as promtool check rules does: prints "SUCCESS: N rules found" for each
  good file, file:line: reason for each problem; exit code 1 if any file is broken.
  --expand             print each file as a plain Prometheus rule file, vigil's thresholds expanded
  --enable-feature=promql-experimental-functions  accept Prometheus 3's experimental functions
                       (limitk, limit_ratio, sort_by_label, info...), as vigil serve does with the same flag
  --enable-feature=promql-duration-expr  accept arithmetic in durations, as vigil serve does

vigil check slos [--expand] [--config FILE] [--data DIR] [FILE...]
  Checks SLO definitions (vigil.yaml's slos and slo_files with --config, or SLO files) and the
  recording rules and burn-rate alerts derived from them; exit code 1 if anything is wrong.
  --expand             print the derived rules as a Prometheus rule file (promtool and Prometheus load it)
  --data DIR           also check, in that store, that each latency SLI's histogram has a bucket at its threshold`,
  report: `vigil report: availability, traffic and errors, latency p50/p95/p99, LLM tokens and cost, incidents
(MTTA/MTTR) and the top alerts over a period, each figure beside the period before with its change
  --period DURATION    the period (default 7d)
  --end TIME           its end, RFC 3339 or Unix seconds (default: the newest sample in the store)
  --timezone ZONE      the IANA time zone its period is shown in, e.g. Europe/Paris (default UTC)
  --format FORMAT      md (default), html or json
  --data DIR           the data directory of vigil serve (default: --config's data, or ./data)`,
  notify: `vigil notify test RECEIVER [--config FILE]
  Sends a test alert through every integration of RECEIVER (from vigil.yaml's notifications or
  notifications_file; with neither, the default Slack or log receiver) and prints the result of each;
  exit code 1 if one failed.`,
  demo: `vigil demo: vigil serve plus a built-in workload of five simulated services (streaming sessions, an
event server, an LLM orchestrator, a voice callbot, an analysis backend) and provider health checks
  --seed N             seed of the simulation (default 42)
  --interval DURATION  how often the workload is scraped (default 5s), and the backfill's step (default 15s)
  --backfill DURATION  first fill that much history (e.g. 24h) quickly; --duration is the same flag
  --no-serve           with --backfill: exit once the history is written`,
  status: `vigil status: posts incidents on a status page of a running server (its authenticated API)
  vigil status post SLUG --title TEXT --body TEXT [--state investigating|identified|monitoring|resolved]
  vigil status update SLUG ID --body TEXT --state STATE [--title TEXT]
  vigil status list SLUG
  --url URL            the server (env VIGIL_URL; default http://127.0.0.1:8000)
  --token TOKEN        its bearer token, when it has one (env VIGIL_TOKEN)`,
  top: `vigil top: a terminal dashboard of a running server, refreshed every second; q or Ctrl-C quits
  --url URL            the server (env VIGIL_URL; default http://127.0.0.1:8000)
  --token TOKEN        its bearer token, when it has one (env VIGIL_TOKEN)`,
  version: `vigil version
  Prints the version.`,
};

const USAGE = `${[SUMMARY, ...Object.values(HELP)].join('\n\n')}\n`;

async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  const help = HELP[command];
  if (help !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(help);
    return 0;
  }
  switch (command) {
    case 'serve':
      return runServe(rest);
    case 'demo':
      return runDemo(rest);
    case 'top':
      return runTop(rest);
    case 'status':
      return runStatus(
        rest,
        (text) => process.stdout.write(text),
        (line) => console.error(line),
      );
    case 'report':
      return runReport(
        rest,
        (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
        (line) => console.error(line),
      );
    case 'check':
      if (rest[0] === 'slos')
        return checkSlos(
          rest.slice(1),
          (line) => console.log(line),
          (line) => console.error(line),
        );
      if (rest[0] !== 'rules') {
        console.error(`vigil check: expected "vigil check rules FILE..." or "vigil check slos"\n\n${USAGE}`);
        return 2;
      }
      return checkRules(
        rest.slice(1),
        (line) => console.log(line),
        (line) => console.error(line),
      );
    case 'notify':
      if (rest[0] !== 'test') {
        console.error(`vigil notify: expected "vigil notify test RECEIVER"\n\n${USAGE}`);
        return 2;
      }
      return notifyTest(rest.slice(1));
    case 'version':
    case '--version':
      console.log(VERSION);
      return 0;
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`vigil: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

async function runServe(args: string[]): Promise<number> {
  let values: ReturnType<typeof parseServeArgs>;
  try {
    values = parseServeArgs(args);
  } catch (error) {
    console.error(`vigil serve: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(serveFlags(values));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`vigil serve: configuration: ${error.message}`);
      return 2;
    }
    throw error;
  }
  let server: Awaited<ReturnType<typeof serve>>;
  try {
    server = await serve(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`vigil serve: configuration: ${error.message}`);
      return 2;
    }
    if (error instanceof RuleFileError) {
      console.error(`vigil serve: rule files:\n${error.message}`);
      return 2;
    }
    // Everything serve() had opened is closed by now, so returning ends the process.
    console.error(`vigil serve: cannot start: ${(error as Error).message}`);
    return 1;
  }
  console.log(`vigil ${VERSION} serving on ${server.url} (data in ${config.data})`);
  console.log(`  metrics   ${server.url}/metrics`);
  console.log(`  API       ${server.url}/api/v1/series?match[]=up`);
  for (const page of config.statusPages)
    console.log(`  status    ${server.statusUrl ?? server.url}/status/${page.slug}`);
  if (config.scrape.targets.length > 0)
    console.log(`  scraping  ${config.scrape.targets.map((t) => t.url).join(', ')}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`vigil: ${signal}, flushing and stopping`);
      resolve();
    };
    process.on('SIGHUP', () => {
      server.reload().then(
        () => console.log('vigil: SIGHUP, rule files reloaded'),
        (error: unknown) =>
          console.error(
            `vigil: SIGHUP, reload refused, the running rules stay:\n${(error as Error).message}`,
          ),
      );
    });
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await server.close();
  return 0;
}

function parseServeArgs(args: string[]) {
  return parseArgs({
    args,
    options: SERVE_OPTIONS,
    strict: true,
    allowPositionals: false,
  }).values;
}

endWithParent();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('vigil:', error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
