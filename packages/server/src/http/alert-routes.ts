import type { ServerResponse } from 'node:http';
import type { HistoryQuery } from '../alerts/alert-history.js';
import type { AlertHistoryEvent } from '../alerts/alert-history-event.js';
import { AlertingRule } from '../alerts/alerting-rule.js';
import { formatE } from '../alerts/go-format.js';
import { RuleFileError } from '../alerts/rule-file-error.js';
import type { Rule, RuleGroup } from '../alerts/rule-group.js';
import type { RuleManager } from '../alerts/rule-manager.js';
import { ServerError } from '../errors/server-error.js';
import { badRequest } from './http-error.js';
import { parseTime } from './params.js';
import { sendData, sendError } from './respond.js';
import type { Router } from './router.js';

export interface AlertRoutesOptions {
  readonly rules: RuleManager;
  readonly history: { query(q: HistoryQuery): AlertHistoryEvent[] };
  /** What `POST /-/reload` runs: the rule files, and whatever else the server reloads. */
  readonly reload: () => Promise<void>;
}

/** Go's zero time, which Prometheus prints for a rule never evaluated. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * `GET /api/alerts`, `/api/rules` (and their `/api/v1` twins, in Prometheus's shapes so its clients
 * read them), `GET /api/alerts/history`, and `POST /-/reload`. Errors use Prometheus's envelope.
 */
export function alertRoutes(router: Router, options: AlertRoutesOptions): void {
  const { rules } = options;
  const alertsHandler = ({ res }: { res: ServerResponse }) =>
    sendData(res, {
      alerts: rules.alerts().map((a) => ({
        labels: a.labels,
        annotations: a.annotations,
        state: a.state,
        activeAt: new Date(a.activeAt).toISOString(),
        value: formatE(a.value),
        silencedBy: a.silencedBy,
      })),
    });
  router.on('GET', '/api/alerts', alertsHandler);
  router.on('GET', '/api/v1/alerts', alertsHandler);

  const rulesHandler = ({ res, url }: { res: ServerResponse; url: URL }) => {
    const type = url.searchParams.get('type');
    if (type !== null && type !== 'alert' && type !== 'record')
      return sendError(
        res,
        badRequest(`invalid parameter "type": got "${type}", expected "alert" or "record"`),
        'prometheus',
      );
    const names = url.searchParams.getAll('rule_name[]');
    const groupNames = url.searchParams.getAll('rule_group[]');
    const files = url.searchParams.getAll('file[]');
    const withAlerts = url.searchParams.get('exclude_alerts') !== 'true';
    const groups = rules
      .groups()
      .filter(
        (g) =>
          (groupNames.length === 0 || groupNames.includes(g.spec.name)) &&
          (files.length === 0 || files.includes(g.spec.file)),
      )
      .map((g) => ({
        ...groupView(g),
        rules: g.rules
          .filter(
            (r) =>
              (type === null || (type === 'alert') === (r.kind === 'alerting')) &&
              (names.length === 0 || names.includes(r.name)),
          )
          .map((r) => ruleView(g, r, withAlerts, rules)),
      }))
      .filter((g) => g.rules.length > 0 || (type === null && names.length === 0));
    return sendData(res, { groups });
  };
  router.on('GET', '/api/rules', rulesHandler);
  router.on('GET', '/api/v1/rules', rulesHandler);

  router.on('GET', '/api/alerts/history', ({ res, url }) => {
    const q = url.searchParams;
    let query: HistoryQuery;
    try {
      const limitText = q.get('limit');
      const limit = limitText === null ? 100 : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw badRequest(
          `invalid parameter "limit": got "${limitText}", expected a whole number from 1 to 10000`,
        );
      const since = q.get('since');
      const until = q.get('until');
      query = {
        limit,
        ...(since !== null && { since: parseTime(since, 0, 'since') }),
        ...(until !== null && { until: parseTime(until, 0, 'until') }),
        ...(q.get('alertname') && { alertname: q.get('alertname')! }),
      };
    } catch (error) {
      return sendError(res, error, 'prometheus');
    }
    const events = options.history.query(query).map((e) => ({ ...e, time: new Date(e.time).toISOString() }));
    return sendData(res, { events });
  });

  router.on(['POST', 'PUT'], '/-/reload', async ({ res }) => {
    try {
      await options.reload();
    } catch (error) {
      const failed =
        error instanceof RuleFileError
          ? new RuleFileError(error.problems, 'failed to reload rules')
          : new ServerError('VIGIL_INTERNAL', `failed to reload: ${(error as Error).message}`, {
              cause: error,
            });
      return sendError(res, failed, 'prometheus');
    }
    const count = rules.groups().reduce((n, g) => n + g.rules.length, 0);
    return sendData(res, { groups: rules.groups().length, rules: count });
  });
}

function groupView(g: RuleGroup) {
  return {
    name: g.spec.name,
    file: g.spec.file,
    interval: g.intervalMs / 1000,
    limit: g.spec.limit,
    evaluationTime: g.evaluationSeconds,
    lastEvaluation: time(g.lastEvaluation),
  };
}

function ruleView(g: RuleGroup, r: Rule, withAlerts: boolean, manager: RuleManager) {
  const status = g.status.get(r)!;
  const common = {
    name: r.name,
    query: r.spec.expr,
    health: status.health,
    lastError: status.lastError,
    evaluationTime: status.evaluationSeconds,
    lastEvaluation: time(status.lastEvaluation),
  };
  if (!(r instanceof AlertingRule)) return { ...common, labels: r.spec.labels, type: 'recording' as const };
  const source = (templates: Readonly<Record<string, { source: string }>>) =>
    Object.fromEntries(Object.entries(templates).map(([k, t]) => [k, t.source]));
  return {
    state: r.state(),
    ...common,
    duration: r.spec.forMs / 1000,
    keepFiringFor: r.spec.keepFiringForMs / 1000,
    labels: source(r.spec.labels),
    annotations: source(r.spec.annotations),
    ...(withAlerts && {
      alerts: r.alerts().map((a) => ({
        labels: a.labels,
        annotations: a.annotations,
        state: a.state,
        activeAt: new Date(a.activeAt).toISOString(),
        value: formatE(a.value),
        silencedBy: manager.silencedBy(a.labels),
      })),
    }),
    type: 'alerting' as const,
  };
}

function time(ms: number | undefined): string {
  return ms === undefined ? ZERO_TIME : new Date(ms).toISOString();
}
