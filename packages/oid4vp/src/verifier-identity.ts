import { createECDH, createHash } from 'node:crypto';
import type { Jwk } from '@openid4vc/oauth2';
import type { EnvelopeEncryption } from '@w3kit/core';

/**
 * Who the verifier is to a wallet: `decentralized_identifier:did:web:…` (OID4VP 1.0 §5.9.3), the
 * DID naming the verifier's own base URL, whose document the plugin serves at `<base>/did.json`.
 * The request-signing key (ES256) derives from the master key, so every instance signs with the
 * same key without sharing a row, and a master-key rotation rotates it (request objects live
 * minutes, so nothing outstanding depends on the old one for long).
 */
export interface VerifierIdentity {
  /** The DID (`did:web:<host%3Aport>:<path>`). */
  did: string;
  /** The OID4VP client identifier: the DID with its prefix; the `aud` of key-binding JWTs. */
  clientId: string;
  /** The verification method (`<did>#request-signing`), the JOSE `kid` of request objects. */
  keyId: string;
  publicJwk: Jwk;
  privateJwk: Jwk;
  /** The DID document served at `<base>/did.json`. */
  didDocument: Record<string, unknown>;
}

const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

export function deriveVerifierIdentity(baseUrl: string, encryption: EnvelopeEncryption): VerifierIdentity {
  const url = new URL(baseUrl);
  // did:web: the host with its port %-encoded, then the path segments, colon-separated (did:web spec §3.2)
  const did = ['did:web', encodeURIComponent(url.host), ...url.pathname.split('/').filter(Boolean).map(encodeURIComponent)].join(':');
  const seed = BigInt(`0x${encryption.digest('oid4vp.request-signing-key', 'v1')}`);
  // a scalar in [1, n-1]: the reduction's bias is below 2^-32, far under what matters for ECDSA
  const d = Buffer.from(((seed % (P256_ORDER - 1n)) + 1n).toString(16).padStart(64, '0'), 'hex');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey();
  const keyId = `${did}#request-signing`;
  const publicJwk: Jwk = { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
  const verificationMethod = { id: keyId, type: 'JsonWebKey2020', controller: did, publicKeyJwk: publicJwk };
  return {
    did,
    clientId: `decentralized_identifier:${did}`,
    keyId,
    publicJwk,
    privateJwk: { ...publicJwk, d: d.toString('base64url') },
    didDocument: {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
      id: did,
      verificationMethod: [verificationMethod],
      authentication: [keyId],
      assertionMethod: [keyId],
    },
  };
}

/** SHA-256 of a string, hex: the stored form of one-time secrets (tokens of 24 random bytes need no slow hash). */
export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');
