import { createHash } from 'node:crypto';
import { clientAuthenticationNone, Oauth2AuthorizationServer, Oauth2ResourceServer, type CallbackContext, type Jwk, type VerifyJwtCallback } from '@openid4vc/oauth2';
import { Openid4vciIssuer } from '@openid4vc/openid4vci';
import type { RandomSource } from '@w3kit/core';
import { compactVerify, importJWK, SignJWT, type JWK } from 'jose';
import type { IssuerKeys } from './issuer-keys.js';

/** The algorithms a wallet's proof (and any JWT the kit checks here) may be signed with. */
export const PROOF_ALGORITHMS = ['ES256', 'ES384', 'EdDSA'] as const;

/**
 * The OpenWallet Foundation libraries' three roles (issuer, authorization server, resource
 * server), wired to the kit: hashing and randomness from node/the container, JWTs signed with
 * the issuer's sealed key (header `kid`), and verified with jose. `fetch` answers the kit's own
 * JWKS from memory, so checking an access token never leaves the process.
 */
export interface Protocol {
  issuer: Openid4vciIssuer;
  authorizationServer: Oauth2AuthorizationServer;
  resourceServer: Oauth2ResourceServer;
}

export function createProtocol(deps: { keys: IssuerKeys; random: RandomSource; jwksUri: string }): Protocol {
  const { keys, random, jwksUri } = deps;

  const verifyJwt: VerifyJwtCallback = async (signer, { compact, header }) => {
    if (signer.method !== 'jwk' || !PROOF_ALGORITHMS.includes(header.alg as (typeof PROOF_ALGORITHMS)[number])) return { verified: false };
    try {
      await compactVerify(compact, await importJWK(signer.publicJwk as JWK, header.alg), { algorithms: [header.alg] });
      return { verified: true, signerJwk: signer.publicJwk };
    } catch {
      return { verified: false };
    }
  };

  const callbacks: Omit<CallbackContext, 'decryptJwe' | 'encryptJwe'> = {
    hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
    generateRandom: (bytes) => random.bytes(bytes),
    async signJwt(_signer, { header, payload }) {
      // the kit signs only as the issuer, whatever signer the library names
      const key = await keys.signingKey();
      const jwt = await new SignJWT(payload).setProtectedHeader({ ...header, alg: 'ES256', kid: key.kid }).sign(await importJWK(key.privateJwk as JWK, 'ES256'));
      return { jwt, signerJwk: key.publicJwk as Jwk };
    },
    verifyJwt,
    clientAuthentication: clientAuthenticationNone({ clientId: 'w3kit-oid4vci' }),
    async fetch(input) {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url !== jwksUri) throw new TypeError(`oid4vci: no outbound request to ${url}`);
      return new Response(JSON.stringify({ keys: await keys.publicKeys() }), { headers: { 'content-type': 'application/json' } });
    },
  };
  return {
    issuer: new Openid4vciIssuer({ callbacks }),
    authorizationServer: new Oauth2AuthorizationServer({ callbacks }),
    resourceServer: new Oauth2ResourceServer({ callbacks }),
  };
}
