import type { StatusIncident } from './status-incidents.js';
import type { ComponentState, StatusPageView } from './status-page-view.js';

/** Uptime Kuma's heartbeat statuses. */
const KUMA_STATUS: Record<ComponentState, number | undefined> = {
  down: 0,
  up: 1,
  degraded: 2,
  unknown: undefined,
};

/** A numeric id stays a number, as Uptime Kuma's monitor ids are, so existing clients read it. */
function kumaId(id: string): number | string {
  return /^\d{1,15}$/.test(id) ? Number(id) : id;
}

/** Uptime Kuma's time format: UTC, `YYYY-MM-DD HH:mm:ss.SSS`. */
function kumaTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * `GET /api/status-page/<slug>` in Uptime Kuma's shape (`config`, `incident`, `publicGroupList`,
 * `maintenanceList`), plus vigil's own fields: `status` and all posted `incidents` with their updates.
 */
export function kumaStatusPage(view: StatusPageView) {
  const pinned = view.incidents.find((i) => i.state !== 'resolved');
  return {
    config: {
      slug: view.slug,
      title: view.title,
      description: view.description,
      icon: null,
      theme: 'auto',
      published: true,
      showTags: false,
      customCSS: null,
      footerText: null,
      showPoweredBy: true,
      autoRefreshInterval: 60,
    },
    incident: pinned ? kumaIncident(pinned) : null,
    publicGroupList: view.groups.map((g, i) => ({
      id: i + 1,
      name: g.name,
      weight: i + 1,
      monitorList: g.components.map((c) => ({ id: kumaId(c.id), name: c.name, sendUrl: 0, type: 'vigil' })),
    })),
    maintenanceList: [],
    status: { state: view.state, summary: view.summary, generated: new Date(view.generatedMs).toISOString() },
    incidents: view.incidents.map((i) => ({
      id: i.id,
      title: i.title,
      state: i.state,
      created: new Date(i.createdMs).toISOString(),
      updated: new Date(i.updatedMs).toISOString(),
      updates: i.updates.map((u) => ({ at: new Date(u.atMs).toISOString(), state: u.state, body: u.body })),
    })),
  };
}

/**
 * `GET /api/status-page/heartbeat/<slug>` in Uptime Kuma's shape: per component one beat per day
 * with data (as Kuma 2 sends with `heartbeat_bar_days`: up at 99.9% and more, down below 95%,
 * pending between), then one for now with the current state; `uptimeList` has `<id>_24` and `<id>_720`.
 */
export function kumaHeartbeats(view: StatusPageView) {
  const heartbeatList: Record<string, { status: number; time: string; msg: string; ping: null }[]> = {};
  const uptimeList: Record<string, number> = {};
  for (const g of view.groups)
    for (const c of g.components) {
      const beats: { status: number; time: string; msg: string; ping: null }[] = [];
      for (const d of c.days) {
        if (d.uptime === null) continue;
        const status = d.uptime >= 0.999 ? 1 : d.uptime < 0.95 ? 0 : 2;
        const msg = `${(d.uptime * 100).toFixed(2)}% up on ${d.date}`;
        beats.push({ status, time: `${d.date} 00:00:00.000`, msg, ping: null });
      }
      const now = KUMA_STATUS[c.state];
      if (now !== undefined)
        beats.push({ status: now, time: kumaTime(view.generatedMs), msg: '', ping: null });
      heartbeatList[String(c.id)] = beats;
      if (c.uptime24h !== null) uptimeList[`${c.id}_24`] = c.uptime24h;
      if (c.uptime30d !== null) uptimeList[`${c.id}_720`] = c.uptime30d;
    }
  return { heartbeatList, uptimeList };
}

function kumaIncident(i: StatusIncident) {
  const last = i.updates[i.updates.length - 1];
  return {
    id: i.id,
    style: i.state === 'investigating' ? 'danger' : i.state === 'identified' ? 'warning' : 'info',
    title: i.title,
    content: last?.body ?? '',
    pin: true,
    createdDate: kumaTime(i.createdMs),
    lastUpdatedDate: kumaTime(i.updatedMs),
  };
}
