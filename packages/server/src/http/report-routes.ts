import type { Clock } from '@vigil/metrics';
import { parseDuration } from '../config/duration.js';
import { buildReport, type ReportSources } from '../reports/build-report.js';
import { dataUriImages, reportHtml, reportMarkdown } from '../reports/render-report.js';
import { reportJson } from '../reports/report-json.js';
import { isTimeZone } from '../time/wall-clock.js';
import { HttpError } from './http-error.js';
import { parseTime } from './params.js';
import { sendJson, sendText } from './respond.js';
import type { Router } from './router.js';

export interface ReportRoutesOptions {
  readonly sources: () => ReportSources;
  readonly clock: Clock;
}

/**
 * `GET /api/reports?period=7d[&end=TIME][&timezone=ZONE][&format=json|md|html]`: the same report as
 * `vigil report`, over the running server's store, incidents and alert history, its period as the
 * clocks of the IANA zone `timezone` show it (UTC unless given).
 */
export function reportRoutes(router: Router, options: ReportRoutesOptions): void {
  router.on('GET', '/api/reports', async ({ res, url }) => {
    const p = url.searchParams;
    const periodText = p.get('period') ?? '7d';
    const periodMs = parseDuration(periodText);
    if (periodMs === undefined || periodMs < 60_000)
      throw new HttpError(
        'VIGIL_BAD_REQUEST',
        `period: got "${periodText}", expected a duration such as 1h, 1d or 7d`,
      );
    const format = p.get('format') ?? 'json';
    if (!['json', 'md', 'html'].includes(format))
      throw new HttpError('VIGIL_BAD_REQUEST', `format: got "${format}", expected json, md or html`);
    const timeZone = p.get('timezone') ?? 'UTC';
    if (!isTimeZone(timeZone))
      throw new HttpError(
        'VIGIL_BAD_REQUEST',
        `timezone: got "${timeZone}", expected an IANA time zone such as UTC or Europe/Paris`,
      );
    const end = parseTime(p.get('end'), options.clock.now(), 'end');
    const report = await buildReport(options.sources(), end, periodMs);
    if (format === 'json') sendJson(res, 200, reportJson(report, timeZone));
    else if (format === 'md')
      sendText(res, 200, 'text/markdown; charset=utf-8', reportMarkdown(report, timeZone));
    else sendText(res, 200, 'text/html; charset=utf-8', reportHtml(report, dataUriImages(report), timeZone));
  });
}
