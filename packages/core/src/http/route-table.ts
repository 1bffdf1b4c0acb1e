import compose from 'koa-compose';
import type { Context, Middleware, Next } from 'koa';
import type { HttpMethod } from '../plugin.js';

interface ParamRoute {
  pattern: RegExp;
  names: string[];
  handler: Middleware;
}

/** `/a/b/` and `/a/b` are the same route; `/` stays `/`. */
const normalize = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);

/**
 * Dispatches a request to the one route that serves its method and path, or passes it on
 * to the host. Static paths are one Map lookup; paths with `:params` are matched by regexes
 * compiled once. (A general router such as @koa/router cost a quarter of a bare app's
 * throughput in the /healthz benchmark; the kit needs only exact matching.)
 */
export class RouteTable {
  readonly #static = new Map<string, Middleware>();
  readonly #withParams = new Map<string, ParamRoute[]>();

  add(method: HttpMethod, path: string, chain: Middleware[]): void {
    const handler = compose(chain) as Middleware;
    const names: string[] = [];
    const source = normalize(path)
      .split('/')
      .map((segment) => {
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(segment.slice(1));
        return '([^/]+)';
      })
      .join('/');
    if (names.length === 0) this.#static.set(`${method} ${normalize(path)}`, handler);
    else {
      const routes = this.#withParams.get(method) ?? this.#withParams.set(method, []).get(method)!;
      routes.push({ pattern: new RegExp(`^${source}$`), names, handler });
    }
  }

  middleware(): Middleware {
    return (ctx: Context, next: Next) => {
      const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
      const path = normalize(ctx.path);
      const exact = this.#static.get(`${method} ${path}`);
      // Koa types a middleware's result as any; it is the chain's promise
      if (exact) return exact(ctx, next) as Promise<void>;
      for (const route of this.#withParams.get(method) ?? []) {
        const match = route.pattern.exec(path);
        if (!match) continue;
        // still %-encoded: the route decodes them, so a malformed escape is a 400 in its wire format
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => (params[name] = match[i + 1]!));
        (ctx as Context & { params: Record<string, string> }).params = params;
        return route.handler(ctx, next) as Promise<void>;
      }
      return next();
    };
  }
}
