import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StatusPages } from '../status/status-pages.js';
import { HttpError } from './http-error.js';
import { sendError } from './respond.js';
import { Router } from './router.js';
import { statusRoutes } from './status-routes.js';

/**
 * The request handler of the status listener (`--status.listen-address`): the status pages, their
 * JSON feeds and badges, read-only and without the token; every other path answers 404 as if it
 * did not exist, so this listener can face the internet while the API stays on the other one.
 */
export function createStatusApp(pages: StatusPages): (req: IncomingMessage, res: ServerResponse) => void {
  const router = new Router();
  statusRoutes(router, pages);
  return (req, res) => {
    const run = async () => {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://vigil');
      } catch {
        throw new HttpError('VIGIL_BAD_URL', 'the request URL cannot be parsed');
      }
      const method = req.method ?? 'GET';
      // The router holds the status routes and nothing else: any other path is not found.
      const { handler, params, allowed } = router.match(method, url.pathname);
      if (!handler) {
        if (allowed.length > 0) {
          res.setHeader('allow', [...new Set(allowed), 'HEAD'].join(', '));
          throw new HttpError('VIGIL_METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}`);
        }
        throw new HttpError('VIGIL_NOT_FOUND', `no route for ${url.pathname}`);
      }
      res.setHeader('x-content-type-options', 'nosniff');
      await handler({ req, res, url, params });
    };
    run().catch((error: unknown) => sendError(res, error, 'vigil'));
  };
}
