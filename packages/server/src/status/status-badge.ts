import { escapeHtml } from '../alerts/notify/email-message.js';

/** shields.io's colours, which Uptime Kuma's badges use too. */
export const BADGE_COLORS = {
  up: '#4c1',
  down: '#e05d44',
  degraded: '#dfb317',
  unknown: '#9f9f9f',
} as const;

/**
 * A flat two-part badge in the shape of shields.io's (and so of Uptime Kuma's): `label | message`,
 * or the message alone when the label is empty. Text widths are estimated from the characters
 * (Verdana 11 px averages about 7 px); nothing is measured, so the SVG is made in microseconds.
 */
export function badgeSvg(label: string, message: string, color: string, labelColor = '#555'): string {
  const lw = label === '' ? 0 : textWidth(label) + 10;
  const mw = textWidth(message) + 10;
  const w = lw + mw;
  const e = escapeHtml;
  const title = label === '' ? e(message) : `${e(label)}: ${e(message)}`;
  const labelPart =
    label === ''
      ? ''
      : `<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${e(label)}</text><text x="${lw / 2}" y="14">${e(label)}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${title}"><title>${title}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="${lw}" height="20" fill="${e(labelColor)}"/><rect x="${lw}" width="${mw}" height="20" fill="${e(color)}"/><rect width="${w}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">${labelPart}<text x="${lw + mw / 2}" y="15" fill="#010101" fill-opacity=".3">${e(message)}</text><text x="${lw + mw / 2}" y="14">${e(message)}</text></g></svg>`;
}

/** Uptime Kuma's uptime colour: green at 100%, through yellow, to red at 90% and below. */
export function uptimeColor(uptime: number): string {
  if (uptime >= 0.999) return '#4c1';
  if (uptime >= 0.99) return '#97ca00';
  if (uptime >= 0.97) return '#a4a61d';
  if (uptime >= 0.95) return '#dfb317';
  if (uptime >= 0.9) return '#fe7d37';
  return '#e05d44';
}

/** Colours as a query parameter may give them: a name of letters or a hex code, else undefined. */
export function safeColor(value: string | null): string | undefined {
  if (value === null) return undefined;
  if (/^[a-z]{3,20}$/i.test(value)) return value;
  if (/^#?[0-9a-f]{3}([0-9a-f]{3})?$/i.test(value)) return value.startsWith('#') ? value : `#${value}`;
  return undefined;
}

function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[ilI.:,;|!']/.test(ch) ? 3.5 : /[mwMW%]/.test(ch) ? 10 : 7;
  return Math.round(w);
}
