import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** Path parameters: `:name` segments, and `*` for the rest of the path. */
  readonly params: Readonly<Record<string, string>>;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

/** A registered route as the router holds it: its methods and its path pattern, as given to `on`. */
export interface RouteInfo {
  readonly methods: readonly string[];
  readonly path: string;
}

interface Route extends RouteInfo {
  readonly segments: readonly string[];
  readonly handler: Handler;
}

/** Method and path routing, nothing more: `/api/v1/label/:name/values`, `/metrics/job/*`. */
export class Router {
  readonly #routes: Route[] = [];

  on(methods: string | readonly string[], path: string, handler: Handler): this {
    this.#routes.push({
      methods: typeof methods === 'string' ? [methods] : methods,
      path,
      segments: path.split('/').filter(Boolean),
      handler,
    });
    return this;
  }

  /** Every route registered, in order. */
  routes(): RouteInfo[] {
    return this.#routes.map(({ methods, path }) => ({ methods, path }));
  }

  /**
   * The handler, its route's path pattern and the parameters for a request; `allowed` lists the
   * methods of a path that matched otherwise.
   */
  match(
    method: string,
    pathname: string,
  ): { handler?: Handler; route?: string; params: Record<string, string>; allowed: string[] } {
    const parts = pathname.split('/').filter(Boolean);
    const allowed: string[] = [];
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.methods.includes(method) || (method === 'HEAD' && route.methods.includes('GET'))) {
        return { handler: route.handler, route: route.path, params, allowed };
      }
      allowed.push(...route.methods);
    }
    return { params: {}, allowed };
  }
}

function matchSegments(
  pattern: readonly string[],
  parts: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === '*') {
      params['*'] = parts.slice(i).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(part);
      } catch {
        return undefined;
      }
    } else if (p !== part) return undefined;
  }
  return parts.length === pattern.length ? params : undefined;
}
