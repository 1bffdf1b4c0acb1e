// The fixed cost of the kit's middleware stack: GET /healthz through the kit vs a bare Koa app.
import { compare } from './lib/harness.js';

export default () =>
  compare({
    name: 'healthz',
    kit: { script: 'healthz-kit.ts', request: { path: '/healthz' } },
    baseline: { script: 'healthz-bare.ts', request: { path: '/healthz' } },
  });
