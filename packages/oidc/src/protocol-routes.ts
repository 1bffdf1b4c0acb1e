import { clientIpOf, defineRoute, type HttpMethod } from '@w3kit/core';

/** One endpoint of node-oidc-provider, served by handing the request to it. */
function protocolRoute(method: HttpMethod, path: string, summary: string, rateLimit?: string) {
  return defineRoute({
    method,
    path,
    summary,
    description: 'Served by node-oidc-provider: OAuth 2.0 / OpenID Connect wire format (errors as `{"error","error_description"}`).',
    raw: true,
    async handler({ ctx, services }) {
      if (rateLimit) await services.rateLimiter.enforce(rateLimit, clientIpOf(ctx));
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
    protocolRoute('GET', '/.well-known/openid-configuration', 'OpenID Provider discovery document.'),
    protocolRoute('GET', '/jwks', 'The OP’s public signing keys (JWKS).'),
    protocolRoute('GET', '/auth', 'Authorization endpoint (code flow with PKCE S256).'),
    protocolRoute('GET', '/auth/:uid', 'Resumes an authorization request after the interaction.'),
    protocolRoute('POST', '/token', 'Token endpoint: authorization_code (with code_verifier) and refresh_token grants.', 'oidc.token'),
    protocolRoute('GET', '/me', 'UserInfo endpoint.'),
    protocolRoute('POST', '/me', 'UserInfo endpoint, form post.'),
    protocolRoute('POST', '/token/revocation', 'Token revocation (RFC 7009).', 'oidc.token'),
    protocolRoute('POST', '/token/introspection', 'Token introspection (RFC 7662).', 'oidc.token'),
    protocolRoute('GET', '/session/end', 'RP-initiated logout.'),
    protocolRoute('POST', '/session/end/confirm', 'Confirms an RP-initiated logout (the logout page’s form).'),
    protocolRoute('GET', '/session/end/success', 'After a logout without a post_logout_redirect_uri.'),
  ];
  if (options.dynamicRegistration) {
    routes.push(
      protocolRoute('POST', '/reg', 'Dynamic client registration (on only when `dynamicRegistration` is set).', 'oidc.registration'),
      protocolRoute('GET', '/reg/:clientId', 'Reads a dynamically registered client.'),
      protocolRoute('PUT', '/reg/:clientId', 'Updates a dynamically registered client.'),
      protocolRoute('DELETE', '/reg/:clientId', 'Deletes a dynamically registered client.'),
    );
  }
  return routes;
}
