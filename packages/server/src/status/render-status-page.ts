import { escapeHtml } from '../alerts/notify/email-message.js';
import type { StatusIncident } from './status-incidents.js';
import type { ComponentState, ComponentView, DayBar, StatusPageView } from './status-page-view.js';

const STATE_TEXT: Record<ComponentState, string> = {
  up: 'Operational',
  degraded: 'Degraded',
  down: 'Down',
  unknown: 'No data',
};

/** Width of a day's bar and the gap after it, in the bars' viewBox units. */
const BAR = 3;
const GAP = 1;

/**
 * The public page: one self-contained HTML document (inline CSS, no script, no request after it),
 * so it paints at once and can be saved or cached as it is. The day bars are one SVG a component
 * that stretches to the width of the screen, so a phone shows all 90 days without scrolling.
 */
export function statusPageHtml(view: StatusPageView): string {
  const e = escapeHtml;
  const updated = new Date(view.generatedMs).toISOString().replace('T', ' ').slice(0, 16);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="60">
<title>${e(view.title)}</title>
<link rel="alternate" type="application/json" href="/api/status-page/${e(view.slug)}">
<style>${CSS}</style></head>
<body><main>
<header><h1>${e(view.title)}</h1>${view.description ? `<p class="desc">${e(view.description)}</p>` : ''}</header>
<p class="overall s-${view.state}" role="status"><span class="dot"></span>${e(view.summary)}</p>
${view.incidents.map(incidentHtml).join('\n')}
${view.groups.map((g) => `<section class="group"><h2>${e(g.name)}</h2>\n${g.components.map(componentHtml).join('\n')}</section>`).join('\n')}
<footer>Updated ${updated} UTC · uptime by UTC day · vigil</footer>
</main></body></html>
`;
}

function componentHtml(c: ComponentView): string {
  const e = escapeHtml;
  return `<div class="c" id="c-${e(c.id)}"><div class="row"><span class="name">${e(c.name)}</span><span class="pct">${pct(c.uptime90d)}</span><span class="state k-${c.state}">${STATE_TEXT[c.state]}</span></div>
${barsSvg(c.days)}
<div class="legend"><span>${c.days.length} days ago</span><span>last 24 h: ${pct(c.uptime24h)}</span><span>today</span></div></div>`;
}

function barsSvg(days: readonly DayBar[]): string {
  const width = days.length * (BAR + GAP) - GAP;
  const rects = days
    .map(
      (d, i) =>
        `<rect x="${i * (BAR + GAP)}" width="${BAR}" height="20" class="${dayClass(d.uptime)}"><title>${d.date}: ${d.uptime === null ? 'no data' : `${pct(d.uptime)} up`}</title></rect>`,
    )
    .join('');
  return `<svg class="bars" viewBox="0 0 ${width} 20" preserveAspectRatio="none" role="img" aria-label="uptime of each of the last ${days.length} days">${rects}</svg>`;
}

function dayClass(uptime: number | null): string {
  if (uptime === null) return 'd-none';
  if (uptime >= 0.999) return 'd-ok';
  return uptime >= 0.95 ? 'd-warn' : 'd-bad';
}

function incidentHtml(i: StatusIncident): string {
  const e = escapeHtml;
  const updates = [...i.updates]
    .reverse()
    .map(
      (u) =>
        `<li><b>${u.state[0]!.toUpperCase()}${u.state.slice(1)}</b> <time datetime="${new Date(u.atMs).toISOString()}">${when(u.atMs)}</time><p>${e(u.body)}</p></li>`,
    )
    .join('');
  return `<article class="incident i-${i.state}"><h2>${e(i.title)}</h2><ul>${updates}</ul></article>`;
}

function pct(v: number | null): string {
  if (v === null) return '–';
  const p = v * 100;
  return `${p === 100 ? '100' : p >= 99.99 ? '99.99' : p.toFixed(2)}%`;
}

function when(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f6f7f9;color:#1d2329}
main{max-width:860px;margin:0 auto;padding:24px 16px 40px}
h1{font-size:1.6em;margin:0 0 4px}
h2{font-size:1.05em;margin:0 0 10px}
.desc{margin:0;color:#5b6570}
.overall{display:flex;align-items:center;gap:10px;margin:20px 0;padding:14px 16px;border-radius:8px;color:#fff;font-weight:600;font-size:1.1em}
.overall .dot{width:12px;height:12px;border-radius:50%;background:#fff;flex:none}
.overall.s-up{background:#1f9d55}.overall.s-degraded{background:#c77c02}.overall.s-down{background:#cc2936}.overall.s-unknown{background:#6b7580}
.group,.incident{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:16px;margin:0 0 16px}
.incident{border-left:4px solid #c77c02}.incident.i-resolved{border-left-color:#1f9d55}
.incident ul{list-style:none;margin:0;padding:0}.incident li{margin:0 0 10px}.incident p{margin:2px 0 0;white-space:pre-wrap;overflow-wrap:anywhere}
.incident time{color:#5b6570;font-size:.9em}
.c{padding:10px 0;border-top:1px solid #eef0f2}.group h2+.c{border-top:0;padding-top:0}
.row{display:flex;align-items:baseline;gap:8px;margin-bottom:6px}
.name{flex:1;min-width:0;font-weight:600;overflow-wrap:anywhere}
.pct{color:#5b6570;font-size:.9em}
.state{font-size:.9em;font-weight:600}
.k-up{color:#1f9d55}.k-degraded{color:#c77c02}.k-down{color:#cc2936}.k-unknown{color:#6b7580}
.bars{display:block;width:100%;height:28px}
.d-ok{fill:#3bb273}.d-warn{fill:#e0a100}.d-bad{fill:#d64550}.d-none{fill:#d5d9de}
.legend{display:flex;justify-content:space-between;gap:8px;color:#7a838c;font-size:.8em;margin-top:4px}
footer{color:#7a838c;font-size:.85em;text-align:center;margin-top:24px}
@media (prefers-color-scheme:dark){body{background:#12161a;color:#e3e7eb}.group,.incident{background:#1b2126;border-color:#2b333a}.c{border-color:#262d33}.desc,.pct,.incident time{color:#9aa4ad}.d-none{fill:#39424a}}
`;
