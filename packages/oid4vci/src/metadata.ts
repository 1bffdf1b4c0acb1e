import type { AuthorizationServerMetadata } from '@openid4vc/oauth2';
import { Openid4vciVersion, type IssuerMetadataResult } from '@openid4vc/openid4vci';
import type { ResolvedOid4vciOptions } from './oid4vci-config.js';
import { PROOF_ALGORITHMS, type Protocol } from './protocol.js';

/** The three credential configurations: one account profile, in each format the kit signs. */
export const CONFIGURATIONS = {
  /** SD-JWT VC: every claim of my_info selectively disclosable, signed by this plugin. */
  sdJwt: 'w3kit_profile_dc_sd_jwt',
  /** The did plugin's JWT VC (VC 1.1, ES256K, its Bitstring Status List). */
  jwtVcJson: 'w3kit_profile_jwt_vc_json',
  /** The did plugin's Data Integrity VC (VC 2.0, eddsa-rdfc-2022, its Bitstring Status List). */
  ldpVc: 'w3kit_profile_ldp_vc',
} as const;

export interface IssuerMetadata {
  /** The credential issuer identifier: the kit's public URL (with its mount path). */
  credentialIssuer: string;
  /** Where this plugin's protocol endpoints live. */
  baseUrl: string;
  jwksUri: string;
  configurationIds: string[];
  /** The `vct` of the SD-JWT VC. */
  vct: string;
  authorizationServer: AuthorizationServerMetadata;
  /** The OP (@w3kit/oidc) when it is composed: the authorization server of the authorization code flow. */
  openIdProvider: AuthorizationServerMetadata | undefined;
  credentialIssuerMetadata: IssuerMetadataResult['credentialIssuer'];
  /** What the library's issuer functions take. */
  result: IssuerMetadataResult;
  statusListUri(listId: number): string;
}

const proofTypes = { jwt: { proof_signing_alg_values_supported: [...PROOF_ALGORITHMS] } };

export function buildIssuerMetadata(protocol: Protocol, urls: { credentialIssuer: string; baseUrl: string; opIssuer?: string | undefined }, options: ResolvedOid4vciOptions): IssuerMetadata {
  const { credentialIssuer, baseUrl, opIssuer } = urls;
  // with the OP, each configuration has a scope (its id) a wallet asks the OP for
  const scoped = (id: string) => (opIssuer ? { scope: id } : {});
  const jwksUri = `${baseUrl}/jwks`;
  const vct = options.profileVct ?? `${credentialIssuer}/credentials/account`;
  const display = [{ name: 'Account profile', locale: 'en' }];
  const credentialIssuerMetadata = protocol.issuer.createCredentialIssuerMetadata({
    credential_issuer: credentialIssuer,
    credential_endpoint: `${baseUrl}/credential`,
    nonce_endpoint: `${baseUrl}/nonce`,
    display: [{ name: 'w3kit' }],
    // both servers, so every offer's grant names its own (`authorization_server`)
    ...(opIssuer ? { authorization_servers: [credentialIssuer, opIssuer] } : {}),
    credential_configurations_supported: {
      [CONFIGURATIONS.sdJwt]: {
        format: 'dc+sd-jwt',
        ...scoped(CONFIGURATIONS.sdJwt),
        vct,
        cryptographic_binding_methods_supported: ['jwk'],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: proofTypes,
        credential_metadata: { display },
      },
      [CONFIGURATIONS.jwtVcJson]: {
        format: 'jwt_vc_json',
        ...scoped(CONFIGURATIONS.jwtVcJson),
        credential_definition: { type: ['VerifiableCredential', 'Profile'] },
        cryptographic_binding_methods_supported: ['jwk'],
        credential_signing_alg_values_supported: ['ES256K'],
        proof_types_supported: proofTypes,
        credential_metadata: { display },
      },
      [CONFIGURATIONS.ldpVc]: {
        format: 'ldp_vc',
        ...scoped(CONFIGURATIONS.ldpVc),
        credential_definition: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential', 'Profile'] },
        cryptographic_binding_methods_supported: ['jwk'],
        credential_signing_alg_values_supported: ['eddsa-rdfc-2022'],
        proof_types_supported: proofTypes,
        credential_metadata: { display },
      },
    },
  });
  const authorizationServer = protocol.authorizationServer.createAuthorizationServerMetadata({
    issuer: credentialIssuer,
    token_endpoint: `${baseUrl}/token`,
    jwks_uri: jwksUri,
    grant_types_supported: ['urn:ietf:params:oauth:grant-type:pre-authorized_code'],
    'pre-authorized_grant_anonymous_access_supported': true,
  });
  // what the OP's discovery says (node-oidc-provider's endpoints below its issuer), for the library's offer checks
  const openIdProvider: AuthorizationServerMetadata | undefined = opIssuer
    ? {
        issuer: opIssuer,
        authorization_endpoint: `${opIssuer}/auth`,
        token_endpoint: `${opIssuer}/token`,
        pushed_authorization_request_endpoint: `${opIssuer}/request`,
        jwks_uri: `${opIssuer}/jwks`,
        code_challenge_methods_supported: ['S256'],
        grant_types_supported: ['authorization_code'],
      }
    : undefined;
  return {
    credentialIssuer,
    openIdProvider,
    baseUrl,
    jwksUri,
    configurationIds: Object.values(CONFIGURATIONS),
    vct,
    authorizationServer,
    credentialIssuerMetadata,
    result: {
      originalDraftVersion: Openid4vciVersion.V1,
      credentialIssuer: credentialIssuerMetadata,
      authorizationServers: openIdProvider ? [authorizationServer, openIdProvider] : [authorizationServer],
      knownCredentialConfigurations: protocol.issuer.getKnownCredentialConfigurationsSupported(credentialIssuerMetadata),
    },
    statusListUri: (listId) => `${baseUrl}/status-lists/${listId}`,
  };
}
