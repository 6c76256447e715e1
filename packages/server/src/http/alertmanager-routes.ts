import type { Clock } from '@vigil/metrics';
import type { Alert } from '../alerts/alert.js';
import type { NotificationPipeline } from '../alerts/notify/notification-pipeline.js';
import { matchesAll } from '../matchers/label-matcher.js';
import { MatcherError, parseMatchers } from '../matchers/matcher-syntax.js';
import { RegexError, type RegexMatcher, regexMatcher } from '../regex/regex-matcher.js';
import { alertmanagerError, parseJsonBody, parseTime } from './alertmanager-json.js';
import { readBody } from './body.js';
import { HttpError } from './http-error.js';
import { sendJson } from './respond.js';
import type { Router } from './router.js';

export interface AlertmanagerRoutesOptions {
  readonly pipeline: NotificationPipeline;
  readonly clock: Clock;
  readonly bodyLimit: number;
  readonly version: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Alertmanager's alert API: `POST /api/v2/alerts` takes postableAlerts (so a Prometheus can use
 * vigil as its Alertmanager), `GET /api/v2/alerts` lists gettableAlerts with their silenced and
 * inhibited status, `GET /api/v2/status` and `/api/v2/receivers` answer what clients probe.
 */
export function alertmanagerRoutes(router: Router, options: AlertmanagerRoutesOptions): void {
  const { pipeline, clock } = options;
  const started = clock.now();
  router.on(
    'POST',
    '/api/v2/alerts',
    alertmanagerError(async ({ req, res }) => {
      const body = parseJsonBody(await readBody(req, options.bodyLimit));
      pipeline.receive(postableAlerts(body));
      sendJson(res, 200, {});
    }),
  );
  router.on(
    'GET',
    '/api/v2/alerts',
    alertmanagerError(({ res, url }) => {
      const q = url.searchParams;
      const flag = (name: string) => q.get(name) !== 'false';
      let filter: ReturnType<typeof parseMatchers> = [];
      try {
        filter = q.getAll('filter').flatMap((f) => parseMatchers(f));
      } catch (error) {
        if (error instanceof MatcherError)
          throw new HttpError('VIGIL_BAD_MATCHER', `filter: ${error.message}`, { cause: error });
        throw error;
      }
      const receiver = receiverMatcher(q.get('receiver'));
      const now = clock.now();
      const out = pipeline
        .alerts()
        .filter(({ alert, state, silencedBy, inhibitedBy, receivers }) => {
          if (alert.endsAt <= now) return false;
          if (!flag('active') && state === 'active') return false;
          if (!flag('silenced') && silencedBy.length > 0) return false;
          if (!flag('inhibited') && inhibitedBy.length > 0) return false;
          if (receiver && !receivers.some((r) => receiver.test(r))) return false;
          return matchesAll(filter, alert.labels);
        })
        .map(({ alert, receivers, state, silencedBy, inhibitedBy }) => ({
          annotations: alert.annotations,
          endsAt: new Date(alert.endsAt).toISOString(),
          fingerprint: alert.fingerprint,
          receivers: receivers.map((name) => ({ name })),
          startsAt: new Date(alert.startsAt).toISOString(),
          status: { inhibitedBy, silencedBy, state },
          updatedAt: new Date(alert.updatedAt).toISOString(),
          generatorURL: alert.generatorURL,
          labels: alert.labels,
        }));
      sendJson(res, 200, out);
    }),
  );
  router.on('GET', '/api/v2/receivers', ({ res }) =>
    sendJson(
      res,
      200,
      pipeline.receiverNames().map((name) => ({ name })),
    ),
  );
  router.on('GET', '/api/v2/status', ({ res }) =>
    sendJson(res, 200, {
      cluster: { peers: [], status: 'disabled' },
      config: { original: '' },
      uptime: new Date(started).toISOString(),
      versionInfo: {
        version: options.version,
        revision: '',
        branch: '',
        buildUser: 'vigil',
        buildDate: '',
        goVersion: '',
      },
    }),
  );
}

/** Checks Alertmanager's postableAlerts: an array of {labels, annotations?, startsAt?, endsAt?, generatorURL?}. */
export function postableAlerts(body: unknown): Alert[] {
  if (!Array.isArray(body)) throw bad(`expected a JSON array of alerts, got ${kind(body)}`);
  return body.map((item: unknown, i) => {
    const at = `[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw bad(`${at}: expected an alert object, got ${kind(item)}`);
    const a = item as Record<string, unknown>;
    const labels = stringMap(a.labels, `${at}.labels`);
    if (Object.keys(labels).length === 0) throw bad(`${at}.labels: expected at least one label`);
    const annotations = a.annotations === undefined ? {} : stringMap(a.annotations, `${at}.annotations`);
    const startsAt =
      a.startsAt === undefined || a.startsAt === '' ? 0 : parseTime(a.startsAt, `${at}.startsAt`);
    const endsAt = a.endsAt === undefined || a.endsAt === '' ? 0 : parseTime(a.endsAt, `${at}.endsAt`);
    if (startsAt > 0 && endsAt > 0 && endsAt < startsAt) throw bad(`${at}: endsAt is before startsAt`);
    if (a.generatorURL !== undefined && typeof a.generatorURL !== 'string')
      throw bad(`${at}.generatorURL: expected a string, got ${kind(a.generatorURL)}`);
    return {
      labels,
      annotations,
      startsAt,
      endsAt,
      generatorURL: (a.generatorURL as string | undefined) ?? '',
    };
  });
}

function stringMap(value: unknown, key: string, names = key.endsWith('labels')): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(`${key}: expected an object of strings, got ${kind(value)}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (names && !LABEL_NAME.test(k)) throw bad(`${key}: "${k}" is not a valid label name`);
    if (typeof v !== 'string') throw bad(`${key}.${k}: expected a string, got ${kind(v)}`);
    if (v !== '') out[k] = v;
  }
  return out;
}

function kind(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 80);
}

const bad = (message: string) => new HttpError('VIGIL_BAD_REQUEST', message);

/** `?receiver=`: an anchored regular expression over receiver names, as Alertmanager's API reads it. */
function receiverMatcher(pattern: string | null): RegexMatcher | undefined {
  if (!pattern) return undefined;
  try {
    return regexMatcher(pattern, { dotAll: false });
  } catch (error) {
    if (error instanceof RegexError) throw bad(`receiver: ${error.message}`);
    throw error;
  }
}
