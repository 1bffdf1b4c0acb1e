import { defineRoute, type HttpMethod } from '@w3kit/core';

/**
 * One endpoint of node-oidc-provider, served by handing the request to it (the protocol
 * passthrough: the provider writes the body, core only counts the route's per-IP limit first).
 */
function protocolRoute(name: string, method: HttpMethod, path: string, summary: string, rateLimit?: string, produces = 'application/json') {
  return defineRoute({
    name,
    method,
    path,
    summary,
    produces,
    description: 'Served by node-oidc-provider: OAuth 2.0 / OpenID Connect wire format (errors as `{"error","error_description"}`).',
    raw: true,
    ...(rateLimit ? { rateLimit: [{ rule: rateLimit, key: 'ip' as const }] } : {}),
    async handler({ ctx, services }) {
      await services.oidcProviderHost.handle(ctx);
    },
  });
}

/**
 * The OP's protocol endpoints, below the issuer (`/oidc` by default). Each is declared here, so
 * the kit's route table, the OpenAPI document and duplicate detection know them; the provider
 * does the rest.
 */
export function protocolRoutes(options: { dynamicRegistration: boolean }) {
  const routes = [
    protocolRoute('oidc.discovery', 'GET', '/.well-known/openid-configuration', 'OpenID Provider discovery document.'),
    protocolRoute('oidc.jwks', 'GET', '/jwks', 'The OP’s public signing keys (JWKS).'),
    protocolRoute('oidc.authorize', 'GET', '/auth', 'Authorization endpoint (code flow with PKCE S256).', undefined, 'redirect'),
    protocolRoute('oidc.authorize.resume', 'GET', '/auth/:uid', 'Resumes an authorization request after the interaction.', undefined, 'redirect'),
    protocolRoute('oidc.par', 'POST', '/request', 'Pushed authorization request (RFC 9126): the request is stored, the answer is its request_uri.', 'oidc.token', 'application/json'),
    protocolRoute('oidc.token', 'POST', '/token', 'Token endpoint: authorization_code (with code_verifier) and refresh_token grants.', 'oidc.token'),
    protocolRoute('oidc.userinfo', 'GET', '/me', 'UserInfo endpoint.'),
    protocolRoute('oidc.userinfo.post', 'POST', '/me', 'UserInfo endpoint, form post.'),
    protocolRoute('oidc.revocation', 'POST', '/token/revocation', 'Token revocation (RFC 7009).', 'oidc.token'),
    protocolRoute('oidc.introspection', 'POST', '/token/introspection', 'Token introspection (RFC 7662).', 'oidc.token'),
    protocolRoute('oidc.end-session', 'GET', '/session/end', 'RP-initiated logout.', undefined, 'text/html'),
    protocolRoute('oidc.end-session.confirm', 'POST', '/session/end/confirm', 'Confirms an RP-initiated logout (the logout page’s form).', undefined, 'text/html'),
    protocolRoute('oidc.end-session.success', 'GET', '/session/end/success', 'After a logout without a post_logout_redirect_uri.', undefined, 'text/html'),
  ];
  if (options.dynamicRegistration) {
    routes.push(
      protocolRoute('oidc.registration', 'POST', '/reg', 'Dynamic client registration (on only when `dynamicRegistration` is set).', 'oidc.registration'),
      protocolRoute('oidc.registration.read', 'GET', '/reg/:clientId', 'Reads a dynamically registered client.'),
      protocolRoute('oidc.registration.update', 'PUT', '/reg/:clientId', 'Updates a dynamically registered client.'),
      protocolRoute('oidc.registration.delete', 'DELETE', '/reg/:clientId', 'Deletes a dynamically registered client.'),
    );
  }
  return routes;
}
