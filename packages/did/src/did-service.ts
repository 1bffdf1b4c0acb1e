import { addressOfPublicKey, secp256k1KeyPair, type AccountDirectory, type Clock, type EnvelopeEncryption, type Principal, type RandomSource } from '@w3kit/core';
import { ES256KSigner } from 'did-jwt';
import type { Issuer as JwtIssuer } from 'did-jwt-vc';
import type { CustodialKeyRecord, CustodialKeyStore } from './custodial-key-store.js';
import type { KitDidResolver } from './did-resolver.js';
import { didErrors } from './errors.js';
import type { IdentifierRecord, IdentifierStore } from './identifier-store.js';
import type { KitIdentity, KitKeyring } from './kit-keyring.js';
import type { OrganizationIssuers } from './organization-issuers.js';
import { secretDigest, secretMatches } from './secret-digest.js';

/** A DID as the Finenex document's `create-did` and the issuer and verifier lists answer it (Veramo's identifier shape, no private part). */
export interface IdentifierView {
  did: string;
  alias: string;
  provider: 'did:ethr' | 'did:key';
  controllerKeyId: string;
  keys: { kid: string; type: 'Secp256k1' | 'Ed25519' | 'P-256'; publicKeyHex?: string; publicKeyMultibase?: string }[];
  services: never[];
  /** Kit issuers only: the credential formats it signs. */
  formats?: string[];
}

export interface CreatedAddress {
  address: string;
  /** Shown once; only its SHA-256 is stored. It authorizes `create-did` and `create-vp` (`tempKey`). */
  secretKey: string;
}

export interface DidService {
  /** A new custodial secp256k1 key; bound to the account when the request carries its token. */
  createAddress(principal: Principal | null): Promise<CreatedAddress>;
  /** A did:ethr for a custodial address (its secretKey, or its owner's token) or for the caller's ID wallet (token). */
  createDid(principal: Principal | null, request: { alias: string; address: string; secretKey?: string }): Promise<IdentifierView>;
  issuers(): IdentifierView[];
  /** The organization's own issuer DIDs (VC-API issuance), created on first use. */
  organizationIssuers(accountId: string): Promise<IdentifierView[]>;
  verifiers(): IdentifierView[];
  /**
   * A did-jwt signer for a holder DID the kit holds the key of, after checking the use is
   * authorized: by the address's secretKey (`tempKey`) or by the owning account's token.
   */
  holderSigner(holder: string, authorization: { tempKey?: string; principal: Principal | null }): Promise<JwtIssuer>;
}

export interface DidServiceDeps {
  custodialKeyStore: CustodialKeyStore;
  identifierStore: IdentifierStore;
  keyring: KitKeyring;
  organizationIssuers: OrganizationIssuers;
  resolver: KitDidResolver;
  accountDirectory: AccountDirectory;
  encryption: EnvelopeEncryption;
  random: RandomSource;
  clock: Clock;
}

const keyContext = (address: string) => `did.custodial-key:${address.toLowerCase()}`;

function kitView(identity: KitIdentity): IdentifierView {
  const controllerKeyId = identity.provider === 'did:key' ? `${identity.did}#${identity.publicKey}` : `${identity.did}#controller`;
  return {
    did: identity.did,
    alias: identity.alias,
    provider: identity.provider,
    controllerKeyId,
    keys: [
      identity.keyType === 'secp256k1'
        ? { kid: controllerKeyId, type: 'Secp256k1', publicKeyHex: identity.publicKey.replace(/^0x/, '') }
        : { kid: controllerKeyId, type: identity.keyType, publicKeyMultibase: identity.publicKey },
    ],
    services: [],
    ...(identity.role === 'issuer' ? { formats: identity.formats } : {}),
  };
}

function ethrView(identifier: IdentifierRecord, publicKeyHex: string | null): IdentifierView {
  return {
    did: identifier.did,
    alias: identifier.alias,
    provider: 'did:ethr',
    controllerKeyId: `${identifier.did}#controller`,
    keys: publicKeyHex ? [{ kid: `${identifier.did}#controllerKey`, type: 'Secp256k1', publicKeyHex: publicKeyHex.replace(/^0x/, '') }] : [],
    services: [],
  };
}

const jwkToHex = (jwk: { x: string; y: string }) => `0x04${Buffer.from(jwk.x, 'base64url').toString('hex')}${Buffer.from(jwk.y, 'base64url').toString('hex')}`;

export function createDidService(deps: DidServiceDeps): DidService {
  const { custodialKeyStore, identifierStore, keyring, organizationIssuers, resolver, accountDirectory, encryption, random, clock } = deps;

  return {
    async createAddress(principal) {
      const key = secp256k1KeyPair(random.bytes(32));
      const address = addressOfPublicKey(key.publicKey).toLowerCase();
      // 128 random bits, as long as the Finenex document's example: far beyond guessing, so a plain SHA-256 is enough at rest
      const secretKey = random.bytes(16).toString('hex');
      const record: CustodialKeyRecord = {
        address,
        publicKey: key.publicKey,
        encryptedPrivateKey: encryption.encrypt(key.privateKey, keyContext(address)),
        secretHash: secretDigest(secretKey),
        ownerAccountId: principal?.accountId ?? null,
        createdAt: clock.now(),
      };
      await custodialKeyStore.insert(record);
      return { address, secretKey };
    },

    async createDid(principal, request) {
      const address = request.address.toLowerCase();
      const custodial = await custodialKeyStore.find(address);
      let keySource: IdentifierRecord['keySource'];
      let publicKeyHex: string | null;
      let owner: string | null;
      if (request.secretKey !== undefined) {
        if (!custodial || !secretMatches(request.secretKey, custodial.secretHash)) throw didErrors.create('INVALID_SECRET_KEY');
        keySource = 'custodial';
        publicKeyHex = custodial.publicKey;
        owner = custodial.ownerAccountId;
      } else if (principal) {
        if (custodial && custodial.ownerAccountId === principal.accountId) {
          keySource = 'custodial';
          publicKeyHex = custodial.publicKey;
          owner = principal.accountId;
        } else {
          const account = await accountDirectory.get(principal.accountId);
          if (!account?.walletAddress || account.walletAddress.toLowerCase() !== address || !account.walletPublicKeyJwk) throw didErrors.create('NOT_YOUR_ADDRESS');
          keySource = 'id-wallet';
          publicKeyHex = jwkToHex(account.walletPublicKeyJwk);
          owner = principal.accountId;
        }
      } else {
        throw didErrors.create('ADDRESS_AUTHORIZATION_REQUIRED');
      }
      const stored = await identifierStore.insertIfAbsent({ did: resolver.ethrDid(address), alias: request.alias, address, keySource, ownerAccountId: owner, createdAt: clock.now() });
      return ethrView(stored, publicKeyHex);
    },

    issuers: () => keyring.issuers().map(kitView),
    organizationIssuers: async (accountId) => (await organizationIssuers.list(accountId)).map(kitView),
    verifiers: () => keyring.verifiers().map(kitView),

    async holderSigner(holder, { tempKey, principal }) {
      const identifier = await identifierStore.find(holder);
      if (!identifier || identifier.keySource !== 'custodial') throw didErrors.create('HOLDER_KEY_NOT_HELD');
      const key = await custodialKeyStore.find(identifier.address);
      if (!key) throw didErrors.create('HOLDER_KEY_NOT_HELD');
      const owner = key.ownerAccountId ?? identifier.ownerAccountId;
      const byToken = principal !== null && owner !== null && principal.accountId === owner;
      if (!byToken && !secretMatches(tempKey, key.secretHash)) throw didErrors.create('HOLDER_NOT_AUTHORIZED');
      const privateKey = encryption.decrypt(key.encryptedPrivateKey, keyContext(key.address)).toString('utf8');
      return { did: holder, alg: 'ES256K', signer: ES256KSigner(Buffer.from(privateKey.slice(2), 'hex')) };
    },
  };
}
