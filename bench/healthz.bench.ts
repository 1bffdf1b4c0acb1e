// The fixed cost of the kit's middleware stack: GET /healthz through the kit vs a bare Koa app
// (as before, no target), vs a bare Koa app routing the path with @koa/router (issue 13: the kit
// reaches at least 85% of it), and vs that app sending the kit's response headers too (no
// target: it tells how much of the gap those headers are).
import { compare } from './lib/harness.js';

export default async () => {
  const kit = { script: 'healthz-kit.ts', request: { path: '/healthz' } };
  await compare({ name: 'healthz', kit, baseline: { script: 'healthz-bare.ts', request: { path: '/healthz' } } });
  await compare({ name: 'healthz-router-headers', kit, baseline: { script: 'healthz-router.ts', env: { BENCH_KIT_HEADERS: '1' }, request: { path: '/healthz' } } });
  return compare({ name: 'healthz-router', kit, baseline: { script: 'healthz-router.ts', request: { path: '/healthz' } }, target: 0.85 });
};
