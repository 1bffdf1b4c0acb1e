import type { Clock, EnvelopeEncryption, RandomSource } from '@w3kit/core';
import type { CredentialFormat } from './did-config.js';
import type { KitDidResolver } from './did-resolver.js';
import type { KeyType } from './kit-key-store.js';
import { generateKeyPair, ISSUER_FORMATS, signerOf, type IssuerKey, type KitIdentity } from './kit-keyring.js';
import type { OrganizationKeyRecord, OrganizationKeyStore } from './organization-key-store.js';

/**
 * Each organization's own issuer DIDs, for VC-API issuance: a did:ethr (secp256k1, JWT) and two
 * did:key (Ed25519, P-256; Data Integrity), created on the organization's first use and sealed
 * like every custodial key. A credential an organization issues names that organization's DID,
 * so no organization can make the kit's account-attesting issuers sign its claims.
 */
export interface OrganizationIssuers {
  /** The organization's issuer identities, one per key type (created now when missing). */
  list(accountId: string): Promise<KitIdentity[]>;
  /** The organization's issuer with this DID; null when the DID is not one of its own. */
  ownKey(accountId: string, did: string): Promise<IssuerKey | null>;
  /** The organization's issuer that signs the format. */
  keyFor(accountId: string, format: CredentialFormat): Promise<IssuerKey>;
  /** Whether the DID is an issuer of some organization (to tell "not yours" from "unknown"). */
  isOrganizationIssuer(did: string): Promise<boolean>;
  /** The signer of an organization issuer by DID (status lists are signed by their issuer). */
  signingKey(did: string): Promise<IssuerKey | null>;
}

export interface OrganizationIssuersDeps {
  store: OrganizationKeyStore;
  encryption: EnvelopeEncryption;
  random: RandomSource;
  clock: Clock;
  resolver: KitDidResolver;
}

const KEY_TYPES: KeyType[] = ['secp256k1', 'Ed25519', 'P-256'];
const ALIAS = 'organization';
const keyContext = (did: string) => `did.organization-key:${did}`;

function identityOf(record: OrganizationKeyRecord): KitIdentity {
  return {
    did: record.did,
    alias: ALIAS,
    provider: record.keyType === 'secp256k1' ? 'did:ethr' : 'did:key',
    role: 'issuer',
    keyType: record.keyType,
    formats: ISSUER_FORMATS[record.keyType],
    publicKey: record.publicKey,
  };
}

export function createOrganizationIssuers(deps: OrganizationIssuersDeps): OrganizationIssuers {
  const { store, encryption, random, clock, resolver } = deps;

  async function records(accountId: string): Promise<OrganizationKeyRecord[]> {
    const existing = await store.listFor(accountId);
    const all: OrganizationKeyRecord[] = [];
    for (const keyType of KEY_TYPES) {
      let record = existing.find((k) => k.keyType === keyType);
      if (!record) {
        const { did, publicKey, secret } = await generateKeyPair(keyType, random, resolver);
        record = await store.insertIfAbsent({ did, accountId, keyType, publicKey, encryptedPrivateKey: encryption.encrypt(secret, keyContext(did)), createdAt: clock.now() });
      }
      all.push(record);
    }
    return all;
  }

  const open = (record: OrganizationKeyRecord) => signerOf(identityOf(record), encryption.decrypt(record.encryptedPrivateKey, keyContext(record.did)).toString('utf8'));

  return {
    list: async (accountId) => (await records(accountId)).map(identityOf),
    async ownKey(accountId, did) {
      const record = (await records(accountId)).find((r) => r.did === did);
      return record ? open(record) : null;
    },
    async keyFor(accountId, format) {
      const record = (await records(accountId)).find((r) => ISSUER_FORMATS[r.keyType].includes(format))!;
      return open(record);
    },
    isOrganizationIssuer: async (did) => (await store.find(did)) !== null,
    async signingKey(did) {
      const record = await store.find(did);
      return record ? open(record) : null;
    },
  };
}
