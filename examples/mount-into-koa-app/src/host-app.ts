import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import { authenticatedAccount } from '@w3kit/auth';
import type { AccountSummary, Kit } from '@w3kit/core';
import Koa from 'koa';

/**
 * An existing Koa app — a small notes service with its own routes, body parser, error format
 * and `ctx.state` — that mounts w3kit's auth and nft under `/identity` (the kit's
 * `config.mountPath`). Nothing of the host changes for the kit, and nothing of the kit leaks
 * into the host.
 */

/** The host's own state keys, set for every request. The kit keeps its own under `ctx.state.w3kit`. */
export interface HostState {
  /** When the request came in (the host's `x-response-time` is measured from it). */
  startedAt: number;
  /** The host's own request id, sent back as `x-host-request-id`. */
  requestId: string;
  /** The signed-in account on the host's `/api` routes (null: anonymous), from the kit's token. */
  user?: AccountSummary | null;
}

type HostContext = Koa.ParameterizedContext<HostState>;

/** An error of the host's own: its status, code and message go out in the host's format. */
export class HostError extends Error {
  readonly expose = true;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The host's error handler: every error on the host's routes becomes
 * `{ "error": { "code", "message" } }`. Errors with Koa's `status`/`expose` convention (its own,
 * the body parser's, `authenticatedAccount`'s) keep their status, and their message when
 * exposed; anything else is a 500 without details. The kit's routes never throw into it: the
 * kit renders its own errors.
 */
function hostErrors(): Koa.Middleware<HostState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (thrown) {
      const error = thrown as { status?: unknown; expose?: unknown; code?: unknown; message?: unknown };
      const status = typeof error.status === 'number' && error.status >= 400 && error.status < 600 ? error.status : 500;
      const exposed = status < 500 && error.expose === true;
      ctx.status = status;
      ctx.body = {
        error: {
          code: exposed && typeof error.code === 'string' ? error.code : status === 500 ? 'INTERNAL' : `HTTP_${status}`,
          message: exposed ? String(error.message) : status === 500 ? 'Something went wrong on our side.' : STATUS_CODES[status],
        },
      };
      if (status >= 500) ctx.app.emit('error', thrown, ctx);
    }
  };
}

/** The host's per-request state and the headers it derives from it, after every response. */
function hostState(): Koa.Middleware<HostState> {
  return async (ctx, next) => {
    ctx.state.startedAt = Date.now();
    ctx.state.requestId = randomUUID();
    try {
      await next();
    } finally {
      ctx.set('x-host-request-id', ctx.state.requestId);
      ctx.set('x-response-time', `${Date.now() - ctx.state.startedAt}ms`);
    }
  };
}

interface Note {
  id: number;
  text: string;
  /** The kit account that wrote it, or null for an anonymous note. */
  authorId: string | null;
  createdAt: string;
}

/** The host's own routes: a home page and a notes API in memory (a real host has its own database). */
function hostRoutes(kit: Kit): Koa.Middleware<HostState> {
  const notes: Note[] = [];
  /** Who is calling, for the `/api` routes: the kit's account for the bearer token, or null. */
  const loadUser = async (ctx: HostContext) => (ctx.state.user = await authenticatedAccount(kit, ctx));

  return async (ctx) => {
    const route = `${ctx.method} ${ctx.path}`;
    switch (route) {
      case 'GET /':
        ctx.body = { service: 'notes', identity: `${kit.config.mountPath}/rest/v1`, docs: `${kit.config.mountPath}/docs` };
        return;
      case 'GET /api/notes':
        ctx.body = { notes };
        return;
      case 'POST /api/notes': {
        await loadUser(ctx);
        const text = (ctx.request.body as { text?: unknown } | undefined)?.text;
        if (typeof text !== 'string' || text.trim() === '' || text.length > 1000) {
          throw new HostError(422, 'INVALID_NOTE', 'text must be a non-empty string of at most 1000 characters.');
        }
        const note: Note = { id: notes.length + 1, text, authorId: ctx.state.user?.id ?? null, createdAt: new Date().toISOString() };
        notes.push(note);
        ctx.status = 201;
        ctx.body = { note };
        return;
      }
      case 'GET /api/me': {
        const user = await loadUser(ctx);
        if (!user) throw new HostError(401, 'SIGN_IN_REQUIRED', 'Send Authorization: Bearer <token> from /identity.');
        ctx.body = { user: { id: user.id, type: user.accountType, name: user.name, email: user.email, walletAddress: user.walletAddress } };
        return;
      }
    }
    const note = /^\/api\/notes\/(\d+)$/.exec(ctx.path);
    if (ctx.method === 'GET' && note) {
      const found = notes.find((n) => n.id === Number(note[1]));
      if (!found) throw new HostError(404, 'NOTE_NOT_FOUND', `No note ${note[1]}.`);
      ctx.body = { note: found };
      return;
    }
    throw new HostError(404, 'NOT_FOUND', `No route for ${route}.`);
  };
}

export interface HostAppOptions {
  /** A kit created with `config.mountPath` (`/identity` in this example). */
  kit: Kit;
  /**
   * Run the host's body parser before the kit instead of after it (default false). The kit then
   * uses the bodies the parser left in `ctx.request.body`, but a body the parser rejects
   * (malformed JSON) on a kit route is answered in the host's error format, not the route's.
   */
  bodyParserFirst?: boolean;
}

/**
 * The host app. The order, and why:
 * 1. the host's error handler and state first: they wrap every request, the kit's too, but the
 *    kit's routes never throw into the handler (the kit renders its own errors), and the kit
 *    adds only `ctx.state.w3kit` beside the host's keys;
 * 2. `kit.middleware()` next: it answers `/identity/…` routes it serves and passes everything
 *    else on untouched;
 * 3. the host's body parser and routes last, so a body sent to a kit route is read by the kit
 *    (a malformed one gets the kit's 400 in that route's format) and the host's parser only
 *    sees the host's requests.
 */
export function createHostApp({ kit, bodyParserFirst = false }: HostAppOptions): Koa<HostState> {
  const app = new Koa<HostState>();
  app.use(hostErrors());
  app.use(hostState());
  if (bodyParserFirst) app.use(bodyParser());
  app.use(kit.middleware());
  if (!bodyParserFirst) app.use(bodyParser());
  app.use(hostRoutes(kit));
  return app;
}
