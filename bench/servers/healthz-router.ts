// The second baseline: a bare Koa app routing the same path with @koa/router (the router the kit
// mounts its routes on), so the ratio says what the kit's own stack costs beyond routing. With
// BENCH_KIT_HEADERS=1 (the third baseline) it also sends the response headers the kit sends on
// /healthz (a fresh request id, nosniff, no-store), so that the kit's gap to the router splits
// into what those headers cost and what the rest of the kit costs.
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import Koa from 'koa';
import { listen } from './listen.js';

const app = new Koa();
const router = new Router();
// chosen once: the plain baseline's handler has no branch in it
router.get(
  '/healthz',
  process.env['BENCH_KIT_HEADERS'] === '1'
    ? (ctx) => {
        ctx.res.setHeader('x-request-id', randomUUID());
        ctx.res.setHeader('x-content-type-options', 'nosniff');
        ctx.res.setHeader('cache-control', 'no-store');
        ctx.body = { status: 'ok' };
      }
    : (ctx) => {
        ctx.body = { status: 'ok' };
      },
);
app.use(router.routes());
app.use(router.allowedMethods());
listen(app);
