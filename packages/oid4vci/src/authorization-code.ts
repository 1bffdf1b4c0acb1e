import type { Clock, EnvelopeEncryption } from '@w3kit/core';
import type { OidcProviderExtension } from '@w3kit/oidc';
import type { IssuerMetadata } from './metadata.js';
import type { OfferStore } from './offer-store.js';
import type { ResolvedOid4vciOptions } from './oid4vci-config.js';

export interface AuthorizationCodeDeps {
  options: ResolvedOid4vciOptions;
  metadata: IssuerMetadata;
  offers: OfferStore;
  encryption: EnvelopeEncryption;
  clock: Clock;
}

const MAX_ISSUER_STATE = 200;

/**
 * The credential issuer's part in the OP (@w3kit/oidc) for the authorization code flow: the
 * issuer as a resource server (JWT access tokens with `aud` = the credential issuer, a scope per
 * credential configuration, the plugin's short access token lifetime), the configured wallets as
 * public clients, and the `issuer_state` of an offer: checked when the authorization request
 * arrives, consumed (one conditional UPDATE, for the offer's own account only) when the OP
 * issues its code, so a reused issuer_state never yields a second code.
 */
export function createAuthorizationCodeExtension(deps: AuthorizationCodeDeps): OidcProviderExtension {
  const { options, metadata, offers, encryption, clock } = deps;
  const digest = (issuerState: string) => encryption.digest('oid4vci.issuer-state', issuerState);
  return {
    clients: options.walletClients,
    resourceServer: { resource: metadata.credentialIssuer, scopes: metadata.configurationIds, accessTokenTtlSeconds: options.accessTokenTtlSeconds },
    authorizationParams: {
      async issuer_state(value, scopes) {
        if (value === undefined) return undefined; // wallet-initiated: no offer
        const offer = value.length <= MAX_ISSUER_STATE ? await offers.findIssuerState(digest(value), clock.now()) : undefined;
        if (!offer) return 'The issuer_state is unknown, expired or already used.';
        if (!scopes.includes(offer.credentialConfigurationId)) return `The scope must name the offer's credential configuration (${offer.credentialConfigurationId}).`;
        return undefined;
      },
    },
    async beforeAuthorizationCode({ accountId, params }) {
      const value = params['issuer_state'];
      if (typeof value !== 'string') return undefined;
      if (value.length > MAX_ISSUER_STATE || !(await offers.authorize(digest(value), accountId, clock.now()))) {
        return 'The credential offer is used, expired, or for another account.';
      }
      return undefined;
    },
  };
}
