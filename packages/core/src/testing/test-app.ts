import type { RequestListener } from 'node:http';
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

/**
 * Where a test suite's kit is served: at the root of a bare app, or inside a host's own app
 * under a prefix. Suites that take a mount run unchanged at every mount point.
 */
export interface KitMount {
  /** Names the mount in test titles. */
  readonly name: string;
  /** The `config.mountPath` the suite's kits are created with (`''` at the root). */
  readonly mountPath: string;
  /** The app serving `kit` as a host runs it: it expects full paths, mount path included. */
  app(kit: Kit): Koa;
}

/** The kit alone at the root of a bare app (`appFor`). */
export const rootMount: KitMount = { name: 'at the root', mountPath: '', app: (kit) => appFor(kit) };

/** What supertest needs of an app. */
export interface TestApp {
  callback(): RequestListener;
}

/**
 * The app of `kit` on `mount`, for supertest requests written with the kit's own paths
 * (`/rest/v1/…`): each request URL gets the mount path in front before the app sees it, so
 * the request really travels through the host's app to `/identity/rest/v1/…`.
 */
export function mountedApp(mount: KitMount, kit: Kit): TestApp {
  const app = mount.app(kit);
  if (mount.mountPath === '') return app;
  return {
    callback() {
      const listener = app.callback();
      return (req, res) => {
        req.url = `${mount.mountPath}${req.url ?? '/'}`;
        return listener(req, res);
      };
    },
  };
}
