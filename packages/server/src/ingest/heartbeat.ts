import { ServerError } from '../errors/server-error.js';
import type { SeriesSamples } from '../store/series-store.js';

/**
 * Uptime Kuma's push monitor: `GET|POST /api/push/<token>?status=up|down&msg=…&ping=<ms>`, so cron
 * jobs and scripts written for it work unchanged. Stored as `vigil_push_up{monitor}` (1 or 0) and,
 * when given, `vigil_push_ping_seconds{monitor}`. The message is not stored (it is free text of
 * unbounded cardinality); it is returned to the caller's logs only.
 */
export function heartbeatSamples(token: string, query: URLSearchParams, nowMs: number): SeriesSamples[] {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(token))
    throw new ServerError('VIGIL_INGEST_BAD_HEARTBEAT', 'the push token must be 1 to 128 of A-Z a-z 0-9 _ -');
  const status = query.get('status') ?? 'up';
  if (status !== 'up' && status !== 'down')
    throw new ServerError('VIGIL_INGEST_BAD_HEARTBEAT', `status: got "${status}", expected up or down`);
  const out: SeriesSamples[] = [
    {
      labels: { __name__: 'vigil_push_up', monitor: token },
      timestamps: [nowMs],
      values: Float64Array.of(status === 'up' ? 1 : 0),
    },
  ];
  const ping = query.get('ping');
  if (ping !== null && ping !== '') {
    const ms = Number(ping);
    if (!Number.isFinite(ms) || ms < 0)
      throw new ServerError('VIGIL_INGEST_BAD_HEARTBEAT', `ping: got "${ping}", expected milliseconds`);
    out.push({
      labels: { __name__: 'vigil_push_ping_seconds', monitor: token },
      timestamps: [nowMs],
      values: Float64Array.of(ms / 1000),
    });
  }
  return out;
}
