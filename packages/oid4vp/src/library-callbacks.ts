import { createHash } from 'node:crypto';
import { HashAlgorithm, type CallbackContext, type Jwk } from '@openid4vc/oauth2';
import { CompactSign, compactDecrypt, importJWK } from 'jose';
import type { VerifierIdentity } from './verifier-identity.js';

const HASHES: Record<HashAlgorithm, string> = { [HashAlgorithm.Sha256]: 'sha256', [HashAlgorithm.Sha384]: 'sha384', [HashAlgorithm.Sha512]: 'sha512' };

/** The JOSE work the openid4vc libraries leave to their caller, on the verifier's side, with jose. */
export type VerifierCallbacks = Omit<CallbackContext, 'generateRandom' | 'clientAuthentication'>;

// the verifier's signing key, imported once per identity rather than on every request object
const signingKeys = new WeakMap<VerifierIdentity, ReturnType<typeof importJWK>>();

function signingKeyOf(identity: VerifierIdentity): ReturnType<typeof importJWK> {
  let key = signingKeys.get(identity);
  if (!key) {
    key = importJWK(identity.privateJwk, 'ES256');
    signingKeys.set(identity, key);
  }
  return key;
}

/**
 * Callbacks for one request: it signs request objects with the verifier's key, decrypts a
 * `direct_post.jwt` response with that request's own ephemeral key (`decryptionJwk`, absent for
 * `direct_post`), and verifies no signed (JARM) response: the kit asks for encrypted ones only.
 */
export function verifierCallbacks(identity: VerifierIdentity, decryptionJwk?: Jwk): VerifierCallbacks {
  return {
    hash: (data, alg) => createHash(HASHES[alg]).update(data).digest(),
    async signJwt(signer, { header, payload }) {
      if (signer.method !== 'did' || signer.didUrl !== identity.keyId) throw new TypeError('oid4vp: only the verifier’s own key signs');
      const key = await signingKeyOf(identity);
      const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ ...header, alg: 'ES256' }).sign(key);
      return { jwt, signerJwk: identity.publicJwk };
    },
    verifyJwt: () => ({ verified: false }),
    async encryptJwe() {
      throw new TypeError('oid4vp: the verifier encrypts nothing');
    },
    async decryptJwe(jwe) {
      if (!decryptionJwk) return { decrypted: false };
      try {
        const { plaintext } = await compactDecrypt(jwe, await importJWK(decryptionJwk, 'ECDH-ES'));
        return { decrypted: true, decryptionJwk, payload: new TextDecoder().decode(plaintext) };
      } catch {
        return { decrypted: false };
      }
    },
  };
}
