import { change, type Report } from './report.js';

/** A report as JSON: times in RFC 3339, numbers as numbers, a missing figure or change as null. */
export function reportJson(r: Report) {
  const n = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    start: new Date(r.startMs).toISOString(),
    end: new Date(r.endMs).toISOString(),
    periodSeconds: r.periodMs / 1000,
    previousStart: new Date(r.startMs - r.periodMs).toISOString(),
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
