import type { RouteGroup } from '@w3kit/core';
import { appLoginRoutes } from './app-login-routes.js';
import type { ResolvedDidOptions } from './did-config.js';
import { didRoutes } from './did-routes.js';
import { didFinenexExamples } from './examples.js';
import { loginDemoRoutes } from './login-demo-routes.js';

/** The Finenex document's DID and VP-login endpoints, under `/v2` in the Finenex plain-JSON format. */
export function finenexRouteGroup(options: ResolvedDidOptions): RouteGroup {
  return { api: 'finenex', basePath: '/v2', format: 'finenex', routes: [...didRoutes(), ...appLoginRoutes(options), ...loginDemoRoutes(options)], examples: didFinenexExamples };
}
