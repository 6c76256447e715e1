import { change, type Report } from './report.js';
import { periodText } from './report-period.js';

/**
 * A report as JSON: times in RFC 3339 (UTC), numbers as numbers, a missing figure or change as null;
 * `period` and `previousPeriod` are the periods as the clocks of `timeZone` show them, for display.
 */
export function reportJson(r: Report, timeZone = 'UTC') {
  const n = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    start: new Date(r.startMs).toISOString(),
    end: new Date(r.endMs).toISOString(),
    periodSeconds: r.periodMs / 1000,
    previousStart: new Date(r.startMs - r.periodMs).toISOString(),
    timeZone,
    period: periodText(r.startMs, r.endMs, timeZone),
    previousPeriod: periodText(r.startMs - r.periodMs, r.startMs, timeZone),
    sections: r.sections.map((s) => ({
      id: s.id,
      title: s.title,
      keys: s.keys,
      columns: s.columns,
      ...(s.trendColumn && { trendColumn: s.trendColumn }),
      ...(s.note && { note: s.note }),
      rows: s.rows.map((row) => ({
        labels: row.labels,
        ...(row.trend && { trend: row.trend.map(n) }),
        figures: Object.fromEntries(
          s.columns.map((c) => {
            const f = row.figures[c.key]!;
            const delta = change(f, c.unit);
            return [
              c.key,
              {
                current: n(f.current),
                previous: n(f.previous),
                change: delta ? { value: delta.value, unit: delta.unit } : null,
              },
            ];
          }),
        ),
      })),
    })),
    withoutData: r.withoutData,
  };
}
