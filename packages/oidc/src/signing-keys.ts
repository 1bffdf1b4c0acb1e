import { generateKeyPairSync, createHash } from 'node:crypto';
import type { Clock, EnvelopeEncryption } from '@w3kit/core';
import type { OidcSigningKeyRecord, OidcSigningKeyStore } from './signing-key-store.js';

export type OidcSigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

/** A private JWK as node-oidc-provider's `jwks` option takes it. */
export type PrivateJwk = Record<string, unknown> & { kid: string; alg: string };

export interface OidcKeySet {
  /** Changes whenever a key is added or retired (the kids in order): instances rebuild on a change. */
  version: string;
  keys: PrivateJwk[];
  /** True when the key that signs was created by a development-mode server on its own. */
  signedByDevelopmentKey: boolean;
}

/**
 * The OP's signing keys: generated here, the private half sealed under the master key the
 * moment it exists, opened only to hand the key set to node-oidc-provider. They rotate with
 * the kit (`w3kit keys rotate`): the new key signs, earlier ones stay in the JWKS (so ID
 * tokens they signed still verify) until `w3kit keys retire <kid>`.
 */
export interface OidcSigningKeys {
  /** The active keys, newest (the signer) first. */
  keySet(): Promise<OidcKeySet>;
  /** Creates the first key when there is none. */
  ensureKey(origin: OidcSigningKeyRecord['origin']): Promise<void>;
  rotate(origin?: OidcSigningKeyRecord['origin']): Promise<{ kid: string }>;
  /** TypeError for an unknown or retired kid, and for the key that signs now (rotate first). */
  retire(kid: string): Promise<void>;
}

export interface OidcSigningKeysDeps {
  store: OidcSigningKeyStore;
  encryption: EnvelopeEncryption;
  clock: Clock;
  algorithm: OidcSigningAlgorithm;
}

const sealContext = (kid: string) => `oidc.signing-key:${kid}`;

function generate(algorithm: OidcSigningAlgorithm): { publicJwk: Record<string, unknown>; privateJwk: Record<string, unknown> } {
  const pair =
    algorithm === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return { publicJwk: pair.publicKey.export({ format: 'jwk' }), privateJwk: pair.privateKey.export({ format: 'jwk' }) };
}

/** RFC 7638 thumbprint of the public key: a kid that names the key itself. */
function thumbprint(jwk: Record<string, unknown>): string {
  const members = jwk['kty'] === 'RSA' ? ['e', 'kty', 'n'] : jwk['kty'] === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['crv', 'kty', 'x'];
  const canonical = JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]])));
  return createHash('sha256').update(canonical).digest('base64url');
}

export function createOidcSigningKeys(deps: OidcSigningKeysDeps): OidcSigningKeys {
  const { store, encryption, clock, algorithm } = deps;

  async function rotate(origin: OidcSigningKeyRecord['origin'] = 'operator') {
    const { publicJwk, privateJwk } = generate(algorithm);
    const kid = thumbprint(publicJwk);
    await store.insert({
      kid,
      alg: algorithm,
      publicJwk: { ...publicJwk, kid, alg: algorithm, use: 'sig' },
      sealedPrivateJwk: encryption.encrypt(JSON.stringify(privateJwk), sealContext(kid)),
      origin,
      createdAt: clock.now(),
      retiredAt: null,
    });
    return { kid };
  }

  return {
    async keySet() {
      const active = await store.listActive();
      const keys = active.map((key): PrivateJwk => {
        const privateJwk = JSON.parse(encryption.decrypt(key.sealedPrivateJwk, sealContext(key.kid)).toString('utf8')) as Record<string, unknown>;
        return { ...privateJwk, kid: key.kid, alg: key.alg, use: 'sig' };
      });
      return { version: active.map((k) => k.kid).join(','), keys, signedByDevelopmentKey: active[0]?.origin === 'development' };
    },
    async ensureKey(origin) {
      if ((await store.listActive()).length === 0) await rotate(origin);
    },
    rotate,
    async retire(kid) {
      const active = await store.listActive();
      if (active[0]?.kid === kid) throw new TypeError(`key ${kid} signs now; run \`w3kit keys rotate\` first, then retire it`);
      if (!active.some((k) => k.kid === kid) || !(await store.retire(kid, clock.now()))) throw new TypeError(`no active OIDC signing key has kid ${kid}`);
    },
  };
}
