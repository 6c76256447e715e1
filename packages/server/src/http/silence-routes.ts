import type { Clock } from '@vigil/metrics';
import type { Silence, Silences } from '../alerts/notify/silences.js';
import type { CompiledMatcher } from '../matchers/label-matcher.js';
import { alertmanagerMatcher, MatcherError, parseMatchers } from '../matchers/matcher-syntax.js';
import { alertmanagerError, parseJsonBody, parseTime } from './alertmanager-json.js';
import { readBody } from './body.js';
import { HttpError } from './http-error.js';
import { sendJson } from './respond.js';
import type { Router } from './router.js';

export interface SilenceRoutesOptions {
  readonly silences: Silences;
  readonly clock: Clock;
  readonly bodyLimit: number;
}

/**
 * Silences, at vigil's paths (`/api/silences`) and Alertmanager's (`/api/v2/silences`,
 * `/api/v2/silence/{id}`), so amtool and Grafana's Alertmanager data source work against vigil.
 */
export function silenceRoutes(router: Router, options: SilenceRoutesOptions): void {
  const { silences, clock } = options;
  const list = alertmanagerError(({ res, url }) => {
    const filter = parseFilter(url.searchParams.getAll('filter'), 'filter');
    const now = clock.now();
    sendJson(
      res,
      200,
      silences
        .list()
        .filter((s) =>
          filter.every((f) =>
            s.matchers.some((m) => m.name === f.name && m.value === f.value && m.type === f.type),
          ),
        )
        .map((s) => gettableSilence(s, silences.state(s, now))),
    );
  });
  const create = alertmanagerError(async ({ req, res }) => {
    const body = parseJsonBody(await readBody(req, options.bodyLimit));
    const input = postableSilence(body, clock.now());
    sendJson(res, 200, { silenceID: silences.set(input) });
  });
  const get = alertmanagerError(({ res, params }) => {
    const s = silences.get(params.id!);
    if (!s) throw new HttpError('VIGIL_SILENCE_NOT_FOUND', `silence ${params.id} not found`);
    sendJson(res, 200, gettableSilence(s, silences.state(s, clock.now())));
  });
  const expire = alertmanagerError(({ res, params }) => {
    silences.expire(params.id!);
    sendJson(res, 200, {});
  });
  // The dashboard's silence form sends what was typed here rather than carrying a parser of its own.
  router.on(
    'GET',
    '/api/matchers',
    alertmanagerError(({ res, url }) => {
      sendJson(res, 200, parseFilter(url.searchParams.getAll('text'), 'text').map(matcherJson));
    }),
  );
  for (const path of ['/api/silences', '/api/v2/silences']) {
    router.on('GET', path, list);
    router.on('POST', path, create);
  }
  for (const path of ['/api/silences/:id', '/api/v2/silence/:id']) {
    router.on('GET', path, get);
    router.on('DELETE', path, expire);
  }
}

/** Alertmanager's gettableSilence, in the key order of the team contract. */
export function gettableSilence(s: Silence, state: string) {
  return {
    id: s.id,
    matchers: s.matchers.map(matcherJson),
    startsAt: new Date(s.startsAt).toISOString(),
    endsAt: new Date(s.endsAt).toISOString(),
    createdBy: s.createdBy,
    comment: s.comment,
    status: { state },
    updatedAt: new Date(s.updatedAt).toISOString(),
  };
}

/** A matcher as Alertmanager's API v2 writes it. */
function matcherJson(m: CompiledMatcher) {
  return {
    name: m.name,
    value: m.value,
    isRegex: m.type === '=~' || m.type === '!~',
    isEqual: m.type === '=' || m.type === '=~',
  };
}

function postableSilence(body: unknown, now: number) {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badData(
      'expected a JSON object (postableSilence) with matchers, startsAt, endsAt, createdBy and comment',
    );
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.matchers) || b.matchers.length === 0)
    throw badData('matchers: expected a non-empty array of {name, value, isRegex, isEqual}');
  const matchers: CompiledMatcher[] = b.matchers.map((m: unknown, i: number) => {
    const o = (m ?? {}) as Record<string, unknown>;
    if (typeof o.name !== 'string' || typeof o.value !== 'string')
      throw badData(
        `matchers[${i}]: expected {name: string, value: string, isRegex: boolean}, got ${JSON.stringify(m)}`,
      );
    const regex = o.isRegex === true;
    const equal = o.isEqual !== false;
    try {
      return alertmanagerMatcher(o.name, regex ? (equal ? '=~' : '!~') : equal ? '=' : '!=', o.value);
    } catch (error) {
      if (error instanceof MatcherError) throw badMatcher(`matchers[${i}]`, error);
      throw error;
    }
  });
  for (const key of ['createdBy', 'comment'] as const) {
    if (b[key] !== undefined && typeof b[key] !== 'string')
      throw badData(`${key}: expected a string, got ${JSON.stringify(b[key])}`);
  }
  if (b.id !== undefined && (typeof b.id !== 'string' || b.id === '') && b.id !== null)
    throw badData(`id: expected a silence id, got ${JSON.stringify(b.id)}`);
  return {
    id: typeof b.id === 'string' && b.id !== '' ? b.id : undefined,
    matchers,
    startsAt: b.startsAt === undefined ? now : parseTime(b.startsAt, 'startsAt'),
    endsAt: parseTime(b.endsAt, 'endsAt'),
    createdBy: (b.createdBy as string | undefined) ?? '',
    comment: (b.comment as string | undefined) ?? '',
  };
}

/** Matchers in Alertmanager's text syntax, from each value of the query parameter `name`. */
function parseFilter(filters: string[], name: string): CompiledMatcher[] {
  return filters.flatMap((f) => {
    try {
      return parseMatchers(f);
    } catch (error) {
      if (error instanceof MatcherError) throw badMatcher(name, error);
      throw error;
    }
  });
}

const badData = (message: string) => new HttpError('VIGIL_BAD_REQUEST', message);
const badMatcher = (where: string, error: MatcherError) =>
  new HttpError('VIGIL_BAD_MATCHER', `${where}: ${error.message}`, { cause: error });
