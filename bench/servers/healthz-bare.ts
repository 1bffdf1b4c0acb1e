// The baseline: a bare Koa app answering the same body on the same path.
import Koa from 'koa';
import { listen } from './listen.js';

const app = new Koa();
app.use(async (ctx, next) => {
  if (ctx.method === 'GET' && ctx.path === '/healthz') ctx.body = { status: 'ok' };
  else await next();
});
listen(app);
