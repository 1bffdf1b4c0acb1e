// The third baseline: the bare Koa app with @koa/router, also sending the response headers the
// kit sends on /healthz (a fresh request id, nosniff, no-store), so that the kit's gap to the
// router baseline splits into what those headers cost and what the kit's own stack costs.
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import Koa from 'koa';
import { listen } from './listen.js';

const app = new Koa();
const router = new Router();
router.get('/healthz', (ctx) => {
  ctx.res.setHeader('x-request-id', randomUUID());
  ctx.res.setHeader('x-content-type-options', 'nosniff');
  ctx.res.setHeader('cache-control', 'no-store');
  ctx.body = { status: 'ok' };
});
app.use(router.routes());
app.use(router.allowedMethods());
listen(app);
