/**
 * The only routes that answer without credentials, by the path pattern they are registered with.
 * Every other route, whoever adds it later, needs the token (or a basic-auth user): auth is the
 * default and openness the exception written here, so a new route cannot be left open by forgetting
 * a check. test/http/auth-sweep.test.ts asks every registered route without credentials.
 */
const OPEN_ROUTES: ReadonlySet<string> = new Set([
  // The probes say the process serves, nothing else.
  '/-/healthy',
  '/-/ready',
  // The dashboard's page and its files, the same for everyone: the page asks for the token.
  '/',
  '/assets/*',
  // A signed acknowledge link: its route checks the signature and the expiry.
  '/ack/:id',
  // Uptime Kuma push heartbeats: the token in the path is the monitor's credential, and only a
  // monitor that exists takes them without the API's (ingest-routes.ts).
  '/api/push/:token',
  // Public status pages, their Uptime Kuma JSON and badges (status-routes.ts): published on purpose,
  // read-only. Posting incidents on them (/api/status-pages/…) needs the token.
  '/status/:slug',
  '/api/status-page/:slug',
  '/api/status-page/heartbeat/:slug',
  '/api/status-page/:slug/badge',
  '/api/badge/:id/status',
  '/api/badge/:id/response',
  ...['uptime', 'ping', 'avg-response'].flatMap((kind) => [
    `/api/badge/:id/${kind}`,
    `/api/badge/:id/${kind}/:duration`,
  ]),
]);

/** Whether the route registered as `pattern` answers without credentials. */
export function isOpenRoute(pattern: string | undefined): boolean {
  return pattern !== undefined && OPEN_ROUTES.has(pattern);
}
