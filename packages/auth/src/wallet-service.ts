import { randomBytes } from 'node:crypto';
import { addressOfPublicKey, lazyModule, secp256k1KeyPair, type Clock, type EnvelopeEncryption, type PublicKeyJwk, type TypedDataRequest } from '@w3kit/core';
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
  if (!/^0x(?:[0-9a-fA-F]{2})*$/.test(uncompressedHex)) throw new TypeError('expected an uncompressed secp256k1 public key');
  const bytes = Buffer.from(uncompressedHex.slice(2), 'hex');
  if (bytes.length !== 65 || bytes[0] !== 4) throw new TypeError('expected an uncompressed secp256k1 public key');
  return {
    kty: 'EC',
    crv: 'secp256k1',
    x: Buffer.from(bytes.subarray(1, 33)).toString('base64url'),
    y: Buffer.from(bytes.subarray(33, 65)).toString('base64url'),
  };
}

// ethers signs (EIP-712 typed data, EIP-191 messages) but loads on the first signature, not at start
const ethers = lazyModule(() => import('ethers'));

/** 32 random bytes that are a secp256k1 private key (all but about 2^-128 of them are). */
function newPrivateKey(): ReturnType<typeof secp256k1KeyPair> {
  for (;;) {
    try {
      return secp256k1KeyPair(randomBytes(32));
    } catch {
      // zero or not below the curve order: draw again
    }
  }
}

export function createWalletService({ encryption, clock }: { encryption: EnvelopeEncryption; clock: Clock }): WalletService {
  const open = async (wallet: WalletRecord) => new (await ethers()).Wallet(encryption.decrypt(wallet.encryptedPrivateKey, contextOf(wallet.address)).toString('utf8'));
  return {
    generate() {
      const key = newPrivateKey();
      const address = addressOfPublicKey(key.publicKey);
      return {
        address,
        publicKey: key.publicKey,
        encryptedPrivateKey: encryption.encrypt(key.privateKey, contextOf(address)),
        createdAt: clock.now(),
      };
    },
    publicKeyJwk: (wallet) => publicKeyToJwk(wallet.publicKey),
    signTypedData: async (wallet, { domain, types, value }) => (await open(wallet)).signTypedData(domain, types, value),
    signMessage: async (wallet, message) => (await open(wallet)).signMessage(message),
  };
}
