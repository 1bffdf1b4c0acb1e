import Koa from 'koa';
import type { Kit } from '../create-kit.js';

export interface TestAppOptions {
  /** Host middleware that runs before the kit (a body parser, its own ctx.state). */
  before?: Koa.Middleware;
  /** Trust X-Forwarded-* headers (tests that set a client IP). */
  proxy?: boolean;
}

/** A quiet Koa app serving the kit, for supertest. */
export function appFor(kit: Kit, options: TestAppOptions = {}): Koa {
  const app = new Koa({ proxy: options.proxy ?? false });
  app.silent = true;
  if (options.before) app.use(options.before);
  app.use(kit.middleware());
  return app;
}
