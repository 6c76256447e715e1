import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AlertHistory } from '../alerts/alert-history.js';
import type { AlertHistoryEvent } from '../alerts/alert-history-event.js';
import { RuleFileError } from '../alerts/rule-file-error.js';
import { loadConfig } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import { parseDuration } from '../config/duration.js';
import type { Incident } from '../incidents/incident.js';
import { parsePromql } from '../query/parse.js';
import { PromqlEngine } from '../query/promql-engine.js';
import { buildReport } from '../reports/build-report.js';
import { dataUriImages, reportHtml, reportMarkdown } from '../reports/render-report.js';
import { reportJson } from '../reports/report-json.js';
import { loadSlos } from '../slo/slo-files.js';
import type { SloSpec } from '../slo/slo-spec.js';
import { DocumentFile } from '../store/document-file.js';
import { SqliteEventLog } from '../store/sqlite-event-log.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { isTimeZone } from '../time/wall-clock.js';
import { reportRollups } from './report-rollups.js';

const FORMATS = ['md', 'html', 'json'] as const;

/**
 * `vigil report [--period 7d] [--end TIME] [--timezone ZONE] [--format md|html|json] [--data DIR]
 * [--config FILE]`: the report over the period ending at `--end` (default: the newest sample in the
 * store), read from the store's files directly, so it works with the server stopped or running. Its
 * period reads in UTC unless `--timezone` names an IANA zone, as a scheduled report's `timezone`.
 */
export async function runReport(
  args: string[],
  out: (text: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(args);
  } catch (error) {
    err(`vigil report: ${(error as Error).message}`);
    return 2;
  }
  const periodMs = parseDuration(values.period);
  if (periodMs === undefined || periodMs < 60_000) {
    err(
      `vigil report: --period: got "${values.period}", expected a duration of a minute or more such as 1h, 1d or 7d`,
    );
    return 2;
  }
  if (!(FORMATS as readonly string[]).includes(values.format)) {
    err(`vigil report: --format: got "${values.format}", expected one of ${FORMATS.join(', ')}`);
    return 2;
  }
  if (!isTimeZone(values.timezone)) {
    err(
      `vigil report: --timezone: got "${values.timezone}", expected an IANA time zone such as UTC or Europe/Paris`,
    );
    return 2;
  }
  // The configuration gives the data directory unless --data does, and the SLOs to report on.
  let dir = values.data;
  let slos: readonly SloSpec[] = [];
  if (values.config !== undefined || dir === undefined) {
    try {
      const config = loadConfig({ ...(values.config !== undefined && { config: values.config }) });
      dir ??= config.data;
      slos = loadSlos(
        {
          inline: { value: config.slos.inline, source: config.slos.source },
          files: config.slos.files,
          baseDir: process.cwd(),
        },
        parsePromql,
      ).slos;
    } catch (error) {
      if (!(error instanceof ConfigError || error instanceof RuleFileError)) throw error;
      err(`vigil report: configuration: ${error.message}`);
      return 2;
    }
  }
  if (!existsSync(join(dir, 'vigil.db'))) {
    err(
      `vigil report: no store in ${dir} (no vigil.db there); pass the data directory of vigil serve with --data DIR`,
    );
    return 1;
  }
  let endMs: number | undefined;
  if (values.end !== undefined) {
    endMs = /^\d+(\.\d+)?$/.test(values.end) ? Number(values.end) * 1000 : Date.parse(values.end);
    if (!Number.isFinite(endMs)) {
      err(`vigil report: --end: got "${values.end}", expected an RFC 3339 time or Unix seconds`);
      return 2;
    }
  }
  const store = await openSqliteStore({ dir });
  const documents = existsSync(join(dir, 'incidents.db'))
    ? new DocumentFile(join(dir, 'incidents.db'))
    : undefined;
  const history = existsSync(join(dir, 'alerts.db'))
    ? new AlertHistory(
        new SqliteEventLog<AlertHistoryEvent>({ path: join(dir, 'alerts.db'), what: 'the alert history' }),
      )
    : undefined;
  try {
    const end = endMs ?? (await store.stats()).newestMs ?? Date.now();
    const incidents = (documents?.list() ?? []).map((d) => JSON.parse(d.json) as Incident);
    const report = await buildReport(
      {
        engine: new PromqlEngine({ store }),
        rollups: reportRollups(store),
        incidents,
        alertEvents: (since, until) => history?.query({ since, until, limit: 10_000 }) ?? [],
        slos,
        store,
      },
      end,
      periodMs,
    );
    out(
      values.format === 'json'
        ? `${JSON.stringify(reportJson(report, values.timezone), null, 2)}\n`
        : values.format === 'html'
          ? reportHtml(report, dataUriImages(report), values.timezone)
          : reportMarkdown(report, values.timezone),
    );
    return 0;
  } finally {
    history?.close();
    documents?.close();
    await store.close();
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      period: { type: 'string', default: '7d' },
      end: { type: 'string' },
      format: { type: 'string', default: 'md' },
      timezone: { type: 'string', default: 'UTC' },
      data: { type: 'string' },
      config: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  }).values as {
    period: string;
    end?: string;
    format: string;
    timezone: string;
    data?: string;
    config?: string;
  };
}
