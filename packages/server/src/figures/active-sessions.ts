/**
 * PromQL for the sessions live now, one series per `session` (the label a registry's scopes put on
 * the metrics of a session, such as the streaming server's `swift-neural-42`): those with a current
 * sample. A session that ended is gone at the next scrape (its series are marked stale), not kept
 * for the five minutes a `last_over_time(...[5m])` would, and one that started a scrape ago counts
 * although a `rate()` has no two samples of it yet.
 */
export const ACTIVE_SESSION_NAMES = 'count by (session) ({session!=""})';

/**
 * PromQL for how many sessions are live now: the Sessions page's Live sessions, `/api/metrics`'
 * `session_metrics.active_sessions`, `/api/metrics/mobile` and the rows of `vigil top`'s sessions.
 */
export const ACTIVE_SESSIONS = `count(${ACTIVE_SESSION_NAMES})`;
