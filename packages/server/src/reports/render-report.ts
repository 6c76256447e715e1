import { escapeHtml } from '../alerts/notify/email-message.js';
import type { DocumentSection } from '../alerts/notify/notification.js';
import { change, type Figure, type Report, type ReportSection, type Unit } from './report.js';
import { periodText } from './report-period.js';
import { sparklinePng } from './sparkline-png.js';

/** A figure for people: 99.95%, 1.23 s, 12,345, $4.56, 1h 5m; "–" when there is none. */
export function formatFigure(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return '–';
  switch (unit) {
    case 'ratio':
      return `${(value * 100).toFixed(value >= 0.9995 && value < 1 ? 3 : 2)}%`;
    case 'seconds':
      return value < 1 ? `${(value * 1000).toFixed(0)} ms` : `${value.toFixed(2)} s`;
    case 'usd':
      return `$${value.toFixed(2)}`;
    case 'duration': {
      const s = Math.round(value);
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
    }
    default:
      return Math.round(value).toLocaleString('en-US');
  }
}

/** `▲ 12%`, `▼ 0.3 pts`, `= 0%`; empty when there is nothing to compare with. */
export function formatChange(figure: Figure, unit: Unit): string {
  const c = change(figure, unit);
  if (!c) return '';
  const digits = Math.abs(c.value) < 10 ? 1 : 0;
  const text = `${Math.abs(c.value).toFixed(digits)}${c.unit === 'pts' ? ' pts' : '%'}`;
  if (Number(Math.abs(c.value).toFixed(digits)) === 0) return `= ${text}`;
  return `${c.value > 0 ? '▲' : '▼'} ${text}`;
}

function cells(section: ReportSection, row: ReportSection['rows'][number]): string[] {
  return [
    ...section.keys.map((k) => row.labels[k] || '–'),
    ...section.columns.map((c) => {
      const f = row.figures[c.key]!;
      const delta = formatChange(f, c.unit);
      return `${formatFigure(f.current, c.unit)}${delta ? ` (${delta})` : ''}`;
    }),
  ];
}

/**
 * The report as Markdown: one table per section, each figure with its change against the period
 * before; its period as the clocks of `timeZone` show it.
 */
export function reportMarkdown(r: Report, timeZone = 'UTC'): string {
  const lines = [
    `# vigil report: ${periodText(r.startMs, r.endMs, timeZone)}`,
    '',
    'Each figure is followed by its change against the period before.',
    '',
  ];
  for (const s of r.sections) {
    lines.push(`## ${s.title}`, '');
    if (s.rows.length > 0) {
      const head = [...s.keys, ...s.columns.map((c) => c.title)];
      lines.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`);
      for (const row of s.rows) lines.push(`| ${cells(s, row).join(' | ')} |`);
      lines.push('');
    }
    if (s.note) lines.push(s.note, '');
  }
  const missing = withoutData(r);
  if (missing) lines.push(missing, '');
  return lines.join('\n');
}

/** The sentence naming the sections left out for want of data; undefined when none was. */
function withoutData(r: Report): string | undefined {
  if (r.withoutData.length === 0) return undefined;
  return `Left out, as the store holds no data for them in either period: ${r.withoutData.join(', ')}.`;
}

/** Where the HTML finds the sparkline of a row's trend: a `cid:` in a mail, a `data:` URI in a browser. */
export type TrendImage = (section: ReportSection, rowIndex: number) => string | undefined;

/**
 * The report as a self-contained HTML page (inline styles only, so mail clients show it as sent);
 * a section with a trend gets a column of sparklines, whose `src` `image` gives; its period as the
 * clocks of `timeZone` show it.
 */
export function reportHtml(r: Report, image?: TrendImage, timeZone = 'UTC'): string {
  const parts = [
    `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>vigil report</title></head>`,
    `<body style="font-family:system-ui,sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#222">`,
    `<h1 style="font-size:1.4em">vigil report: ${escapeHtml(periodText(r.startMs, r.endMs, timeZone))}</h1>`,
    `<p style="color:#666">Each figure is followed by its change against the period before.</p>`,
  ];
  for (const s of r.sections) {
    parts.push(`<h2 style="font-size:1.1em;margin-top:1.5em">${escapeHtml(s.title)}</h2>`);
    const note = s.note && `<p style="color:#666">${escapeHtml(s.note)}</p>`;
    if (s.rows.length === 0) {
      if (note) parts.push(note);
      continue;
    }
    parts.push('<table cellpadding="5" style="border-collapse:collapse;font-size:.9em"><tr>');
    const trendTitle = s.trendColumn && image && s.columns.find((c) => c.key === s.trendColumn)?.title;
    for (const h of [
      ...s.keys,
      ...s.columns.map((c) => c.title),
      ...(trendTitle ? [`${trendTitle} over the period`] : []),
    ])
      parts.push(`<th style="text-align:left;border-bottom:1px solid #ccc">${escapeHtml(h)}</th>`);
    parts.push('</tr>');
    s.rows.forEach((row, i) => {
      const src = trendTitle ? image?.(s, i) : undefined;
      const trend = trendTitle
        ? `<td style="border-bottom:1px solid #eee">${src ? `<img src="${escapeHtml(src)}" width="120" height="28" alt="${escapeHtml(`${trendTitle} over the period`)}" style="display:block">` : ''}</td>`
        : '';
      parts.push(
        `<tr>${cells(s, row)
          .map((c) => `<td style="border-bottom:1px solid #eee">${escapeHtml(c)}</td>`)
          .join('')}${trend}</tr>`,
      );
    });
    parts.push('</table>');
    if (note) parts.push(note);
  }
  const missing = withoutData(r);
  if (missing) parts.push(`<p style="color:#666;margin-top:1.5em">${escapeHtml(missing)}</p>`);
  parts.push('</body></html>');
  return parts.join('');
}

/**
 * The report for a chat message: per section, one field per row, named by the row's labels, holding
 * each column's figure and change on a line (`Availability: 99.95% (▲ 0.1 pts)`), and its note.
 */
export function reportSections(r: Report): DocumentSection[] {
  const missing = withoutData(r);
  return [
    ...r.sections.map((s) => ({
      title: s.title,
      ...(s.note && { note: s.note }),
      fields: Object.fromEntries(
        s.rows.map((row, i) => {
          const values = cells(s, row).slice(s.keys.length);
          const name =
            s.keys.map((k) => row.labels[k] || '–').join(' / ') ||
            (s.rows.length > 1 ? `#${i + 1}` : s.title);
          return [name, s.columns.map((c, j) => `${c.title}: ${values[j]}`).join('\n')];
        }),
      ),
    })),
    ...(missing ? [{ title: 'Not in this report', fields: {}, note: missing }] : []),
  ];
}

/** Each row's trend as a sparkline PNG and the name the HTML refers to it by. */
export function trendImages(r: Report): { cid: string; png: Buffer; section: ReportSection; row: number }[] {
  return r.sections.flatMap((s) =>
    s.trendColumn === undefined
      ? []
      : s.rows.flatMap((row, i) =>
          row.trend?.some(Number.isFinite)
            ? [{ cid: `trend-${s.id}-${i}@vigil`, png: sparklinePng(row.trend), section: s, row: i }]
            : [],
        ),
  );
}

/**
 * The trends' sparklines as `data:` URIs, which browsers show (`vigil report --format html`, the
 * API's HTML) and mail clients drop (the scheduled mail attaches them by Content-ID instead).
 */
export function dataUriImages(r: Report): TrendImage {
  const images = trendImages(r);
  return (section, row) => {
    const image = images.find((i) => i.section === section && i.row === row);
    return image && `data:image/png;base64,${image.png.toString('base64')}`;
  };
}

/** Plain text for the email's text part: the Markdown tables read well enough as text. */
export const reportText = reportMarkdown;
