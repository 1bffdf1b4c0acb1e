import type { Clock, EnvelopeEncryption, PublicKeyJwk, TypedDataRequest } from '@w3kit/core';
import { getBytes, Wallet } from 'ethers';
import type { WalletRecord } from './account-store.js';

/**
 * ID wallets: secp256k1 key pairs whose private key is sealed under the master key the moment
 * it is made and opened only inside `sign*`. Nothing here returns a private key.
 */
export interface WalletService {
  /** A new wallet, its private key already encrypted. */
  generate(): WalletRecord;
  publicKeyJwk(wallet: WalletRecord): PublicKeyJwk;
  signTypedData(wallet: WalletRecord, request: TypedDataRequest): Promise<string>;
  signMessage(wallet: WalletRecord, message: string | Uint8Array): Promise<string>;
}

/** The encryption context binds a ciphertext to its wallet: it decrypts for no other address. */
const contextOf = (address: string) => `auth.id-wallet:${address.toLowerCase()}`;

const jwkCache = new Map<string, PublicKeyJwk>();
const JWK_CACHE_SIZE = 10_000;

/** The JWK of a public key; memoized (bounded), since every my_info and public_info asks again. */
export function publicKeyToJwk(uncompressedHex: string): PublicKeyJwk {
  const cached = jwkCache.get(uncompressedHex);
  if (cached) return cached;
  if (jwkCache.size >= JWK_CACHE_SIZE) jwkCache.delete(jwkCache.keys().next().value!);
  const jwk = Object.freeze(computeJwk(uncompressedHex));
  jwkCache.set(uncompressedHex, jwk);
  return jwk;
}

function computeJwk(uncompressedHex: string): PublicKeyJwk {
  const bytes = getBytes(uncompressedHex);
  if (bytes.length !== 65 || bytes[0] !== 4) throw new TypeError('expected an uncompressed secp256k1 public key');
  return {
    kty: 'EC',
    crv: 'secp256k1',
    x: Buffer.from(bytes.subarray(1, 33)).toString('base64url'),
    y: Buffer.from(bytes.subarray(33, 65)).toString('base64url'),
  };
}

export function createWalletService({ encryption, clock }: { encryption: EnvelopeEncryption; clock: Clock }): WalletService {
  const open = (wallet: WalletRecord) => new Wallet(encryption.decrypt(wallet.encryptedPrivateKey, contextOf(wallet.address)).toString('utf8'));
  return {
    generate() {
      const wallet = Wallet.createRandom();
      return {
        address: wallet.address,
        publicKey: wallet.signingKey.publicKey,
        encryptedPrivateKey: encryption.encrypt(wallet.privateKey, contextOf(wallet.address)),
        createdAt: clock.now(),
      };
    },
    publicKeyJwk: (wallet) => publicKeyToJwk(wallet.publicKey),
    signTypedData: (wallet, { domain, types, value }) => open(wallet).signTypedData(domain, types, value),
    signMessage: (wallet, message) => open(wallet).signMessage(message),
  };
}
