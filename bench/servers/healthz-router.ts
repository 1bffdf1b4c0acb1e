// The second baseline: a bare Koa app routing the same path with @koa/router (the router the kit
// mounts its routes on), so the ratio says what the kit's own stack costs beyond routing.
import Router from '@koa/router';
import Koa from 'koa';
import { listen } from './listen.js';

const app = new Koa();
const router = new Router();
router.get('/healthz', (ctx) => {
  ctx.body = { status: 'ok' };
});
app.use(router.routes());
app.use(router.allowedMethods());
listen(app);
