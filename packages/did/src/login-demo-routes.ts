import { defineRoute, type AnyRouteSpec } from '@w3kit/core';
import { siteOfRequestId } from './app-login-service.js';
import type { ResolvedDidOptions } from './did-config.js';
import { LOGIN_DEMO_SCRIPT, renderLoginDemoPage } from './login-demo-page.js';

/** The demo page of the website login (when `loginDemoPage` is on). */
export function loginDemoRoutes(options: ResolvedDidOptions): AnyRouteSpec[] {
  if (!options.loginDemoPage) return [];
  return [
    defineRoute({
      name: 'did.login-demo',
      method: 'GET',
      path: '/login-demo',
      summary: 'Demo of the website login: a QR code of a new login request, and the signed-in user once the app logs in.',
      raw: true,
      async handler({ services, ctx }) {
        const page = ctx.path.replace(/\/$/, '');
        const prefix = page.slice(0, -'/login-demo'.length);
        const request = await services.appLoginService.requestLogin(`${services.config.publicUrl}${page}?`, options.appLoginDefaultWaitSeconds);
        const { html, headers } = await renderLoginDemoPage({
          ...request,
          site: siteOfRequestId(request.requestId),
          resultUrl: `${prefix}/auth/auth-user-result-by-app`,
          scriptUrl: `${page}/app.js`,
          pollMs: 1000,
        });
        ctx.set(headers);
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = html;
      },
    }),
    defineRoute({
      name: 'did.login-demo.script',
      method: 'GET',
      path: '/login-demo/app.js',
      summary: 'The login demo page’s polling script.',
      raw: true,
      produces: 'text/javascript',
      handler({ ctx }) {
        ctx.set({ 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
        ctx.type = 'text/javascript; charset=utf-8';
        ctx.body = LOGIN_DEMO_SCRIPT;
      },
    }),
  ];
}
