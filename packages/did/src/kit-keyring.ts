import { createECDH } from 'node:crypto';
import type { Signer as DataIntegritySigner } from '@digitalbazaar/data-integrity';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { addressOfPublicKey, secp256k1KeyPair, type Clock, type EnvelopeEncryption, type RandomSource } from '@w3kit/core';
import { ES256KSigner } from 'did-jwt';
import type { Issuer as JwtIssuer } from 'did-jwt-vc';
import type { CredentialFormat } from './did-config.js';
import type { KitDidResolver } from './did-resolver.js';
import type { KeyType, KitKeyRecord, KitKeyRole, KitKeyStore } from './kit-key-store.js';

/** One of the DIDs the kit issues or verifies as, as `GET /did/issuers` shows it (Veramo's identifier shape). */
export interface KitIdentity {
  did: string;
  alias: string;
  provider: 'did:ethr' | 'did:key';
  role: KitKeyRole;
  keyType: KeyType;
  /** The credential formats this DID signs. */
  formats: CredentialFormat[];
  /** secp256k1: uncompressed public key hex; did:key: the multibase public key. */
  publicKey: string;
}

/**
 * The kit's own keys: created at first start, stored encrypted in the database (so every
 * instance issues as the same DIDs), opened only here to sign. Nothing outside gets a private key.
 */
export interface KitKeyring {
  /** Loads the keys, creating the missing ones; runs at startup (`onReady`). */
  ensureKeys(): Promise<void>;
  issuers(): KitIdentity[];
  verifiers(): KitIdentity[];
  /** The issuer that signs the format. */
  issuerFor(format: CredentialFormat): KitIdentity;
  /** The kit issuer with this DID, if it is one. */
  issuer(did: string): KitIdentity | undefined;
  /** The signer of a kit issuer (throws for any other DID). */
  signingKey(did: string): IssuerKey;
}

export interface KitKeyringDeps {
  store: KitKeyStore;
  encryption: EnvelopeEncryption;
  random: RandomSource;
  clock: Clock;
  resolver: KitDidResolver;
  issuerAlias: string;
  verifierAlias: string;
}

export const ISSUER_FORMATS: Record<KeyType, CredentialFormat[]> = {
  secp256k1: ['jwt'],
  Ed25519: ['eddsa-rdfc-2022', 'Ed25519Signature2020'],
  'P-256': ['ecdsa-rdfc-2019'],
};

const WANTED: { role: KitKeyRole; keyType: KeyType }[] = [
  { role: 'issuer', keyType: 'secp256k1' },
  { role: 'issuer', keyType: 'Ed25519' },
  { role: 'issuer', keyType: 'P-256' },
  { role: 'verifier', keyType: 'secp256k1' },
];

const keyContext = (did: string) => `did.kit-key:${did}`;

/** An issuer's identity with its signer: a did-jwt-vc issuer (secp256k1) or a Data Integrity signer (did:key). */
export interface IssuerKey {
  identity: KitIdentity;
  jwt?: JwtIssuer;
  dataIntegrity?: DataIntegritySigner;
}

/** A new key pair of the type: its DID, public key (as KitIdentity has it) and secret, to be sealed. */
export async function generateKeyPair(keyType: KeyType, random: RandomSource, resolver: KitDidResolver): Promise<{ did: string; publicKey: string; secret: string }> {
  if (keyType === 'secp256k1') {
    const key = secp256k1KeyPair(random.bytes(32));
    return { did: resolver.ethrDid(addressOfPublicKey(key.publicKey)), publicKey: key.publicKey, secret: key.privateKey };
  }
  const pair = keyType === 'Ed25519' ? await Ed25519Multikey.generate({ seed: random.bytes(32) }) : await p256Pair(random);
  const exported = await pair.export({ publicKey: true, secretKey: true });
  return { did: `did:key:${pair.publicKeyMultibase}`, publicKey: pair.publicKeyMultibase, secret: String(exported['secretKeyMultibase']) };
}

/** The signer of an opened secret key, for the identity it belongs to. */
export async function signerOf(identity: KitIdentity, secret: string): Promise<IssuerKey> {
  if (identity.keyType === 'secp256k1') {
    return { identity, jwt: { did: identity.did, alg: 'ES256K', signer: ES256KSigner(Buffer.from(secret.slice(2), 'hex')) } };
  }
  const multikey = { type: 'Multikey', id: `${identity.did}#${identity.publicKey}`, controller: identity.did, publicKeyMultibase: identity.publicKey, secretKeyMultibase: secret };
  const pair = identity.keyType === 'Ed25519' ? await Ed25519Multikey.from(multikey) : await EcdsaMultikey.from(multikey);
  return { identity, dataIntegrity: pair.signer() };
}

export function createKitKeyring(deps: KitKeyringDeps): KitKeyring {
  const { store, encryption, random, clock, resolver } = deps;
  let loaded: Map<string, IssuerKey> | undefined;

  async function generate(role: KitKeyRole, keyType: KeyType): Promise<KitKeyRecord> {
    const { did, publicKey, secret } = await generateKeyPair(keyType, random, resolver);
    return {
      did,
      role,
      keyType,
      alias: role === 'issuer' ? deps.issuerAlias : deps.verifierAlias,
      publicKey,
      encryptedPrivateKey: encryption.encrypt(secret, keyContext(did)),
      createdAt: clock.now(),
    };
  }

  async function open(record: KitKeyRecord): Promise<IssuerKey> {
    const provider = record.keyType === 'secp256k1' ? 'did:ethr' : 'did:key';
    const identity: KitIdentity = {
      did: record.did,
      alias: record.alias,
      provider,
      role: record.role,
      keyType: record.keyType,
      formats: record.role === 'issuer' ? ISSUER_FORMATS[record.keyType] : [],
      publicKey: record.publicKey,
    };
    return signerOf(identity, encryption.decrypt(record.encryptedPrivateKey, keyContext(record.did)).toString('utf8'));
  }

  const all = () => {
    if (!loaded) throw new Error('the kit keys are not loaded: createKit runs did().onReady first');
    return [...loaded.values()];
  };
  const find = (did: string) => {
    const key = all().find((k) => k.identity.did === did);
    if (!key) throw new TypeError(`${did} is not a kit key`);
    return key;
  };

  return {
    async ensureKeys() {
      const existing = await store.list();
      const keys = new Map<string, IssuerKey>();
      for (const { role, keyType } of WANTED) {
        let record = existing.find((k) => k.role === role && k.keyType === keyType);
        record ??= await store.insertIfAbsent(await generate(role, keyType));
        keys.set(record.did, await open(record));
      }
      loaded = keys;
    },
    issuers: () =>
      all()
        .filter((k) => k.identity.role === 'issuer')
        .map((k) => k.identity),
    verifiers: () =>
      all()
        .filter((k) => k.identity.role === 'verifier')
        .map((k) => k.identity),
    issuerFor(format) {
      const key = all().find((k) => k.identity.role === 'issuer' && k.identity.formats.includes(format));
      if (!key) throw new TypeError(`no kit issuer signs ${format}`);
      return key.identity;
    },
    issuer: (did) => all().find((k) => k.identity.role === 'issuer' && k.identity.did === did)?.identity,
    signingKey(did) {
      const key = find(did);
      if (key.identity.role !== 'issuer') throw new TypeError(`${did} is not a kit issuer`);
      return key;
    },
  };
}

/**
 * A P-256 Multikey pair from the container's randomness (ecdsa-multikey's generate() draws its
 * own). 32 random bytes are a valid secret unless they reach the curve order (odds below 2^-32),
 * in which case the next draw is used.
 */
async function p256Pair(random: RandomSource): Promise<MultikeyPair> {
  for (;;) {
    const secret = random.bytes(32);
    const ecdh = createECDH('prime256v1');
    try {
      ecdh.setPrivateKey(secret);
    } catch {
      continue;
    }
    return EcdsaMultikey.fromRaw({ curve: 'P-256', secretKey: new Uint8Array(secret), publicKey: new Uint8Array(ecdh.getPublicKey(null, 'compressed')) });
  }
}
