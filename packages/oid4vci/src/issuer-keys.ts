import { createHash, generateKeyPairSync } from 'node:crypto';
import type { Clock, EnvelopeEncryption, JsonWebPublicKey } from '@w3kit/core';
import type { IssuerKeyStore } from './signing-key-store.js';

/** The key that signs now: its public JWK (with kid) and the private JWK, opened for signing only. */
export interface IssuerSigningKey {
  kid: string;
  publicJwk: JsonWebPublicKey & { kid: string; alg: 'ES256'; use: 'sig' };
  privateJwk: Record<string, unknown>;
}

/**
 * The credential issuer's ES256 keys: generated here, the private half sealed under the master
 * key the moment it exists (as the kit's other keys), opened in this process only to sign. The
 * oldest active key signs, so instances that race to create the first key agree on one; a
 * rotation retires every earlier key from signing (they stay published).
 */
export interface IssuerKeys {
  ensureKey(): Promise<void>;
  signingKey(): Promise<IssuerSigningKey>;
  /** The public key of this kid, retired or not (credentials it signed keep a verifiable signature; their status says the rest). */
  publicKey(kid: string): Promise<IssuerSigningKey['publicJwk'] | undefined>;
  /** Every public key (retired ones too: what they signed still verifies), for the JWKS of `/.well-known/jwt-vc-issuer`. */
  publicKeys(): Promise<IssuerSigningKey['publicJwk'][]>;
  /** `w3kit keys rotate`: a new key signs from now on (other instances within 5 s); the earlier ones stay published. */
  rotate(): Promise<{ kid: string }>;
}

const sealContext = (kid: string) => `oid4vci.signing-key:${kid}`;

/** RFC 7638 thumbprint of an EC public key: a kid that names the key itself. */
function thumbprint(jwk: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify({ crv: jwk['crv'], kty: jwk['kty'], x: jwk['x'], y: jwk['y'] }))
    .digest('base64url');
}

const publicView = (jwk: Record<string, unknown>, kid: string): IssuerSigningKey['publicJwk'] => ({
  kty: 'EC',
  crv: 'P-256',
  x: jwk['x'] as string,
  y: jwk['y'] as string,
  kid,
  alg: 'ES256',
  use: 'sig',
});

// how long an instance signs with the key it read before looking again (a rotation elsewhere shows within it)
const CACHE_MS = 5000;

export function createIssuerKeys(deps: { store: IssuerKeyStore; encryption: EnvelopeEncryption; clock: Clock }): IssuerKeys {
  const { store, encryption, clock } = deps;
  let cached: { key: IssuerSigningKey; readAt: number } | undefined;

  async function create() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicJwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const kid = thumbprint(publicJwk);
    const privateJwk = pair.privateKey.export({ format: 'jwk' });
    await store.insert({ kid, publicJwk, privateSealed: encryption.encrypt(JSON.stringify(privateJwk), sealContext(kid)), createdAt: clock.now(), retiredAt: null });
    return kid;
  }

  return {
    async ensureKey() {
      if ((await store.listActive()).length === 0) await create();
    },
    async signingKey() {
      const now = clock.now().getTime();
      if (cached && now - cached.readAt < CACHE_MS) return cached.key;
      let [record] = await store.listActive();
      if (!record) {
        await create();
        [record] = await store.listActive();
      }
      const privateJwk = JSON.parse(encryption.decrypt(record!.privateSealed, sealContext(record!.kid)).toString('utf8')) as Record<string, unknown>;
      const key = { kid: record!.kid, publicJwk: publicView(record!.publicJwk, record!.kid), privateJwk };
      cached = { key, readAt: now };
      return key;
    },
    async publicKey(kid) {
      const record = await store.get(kid);
      return record && publicView(record.publicJwk, record.kid);
    },
    async publicKeys() {
      return (await store.listAll()).map((r) => publicView(r.publicJwk, r.kid));
    },
    async rotate() {
      const earlier = await store.listActive();
      const kid = await create();
      for (const key of earlier) await store.retire(key.kid, clock.now());
      cached = undefined;
      return { kid };
    },
  };
}
