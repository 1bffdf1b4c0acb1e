import { randomBytes } from 'node:crypto';
import { addressOfPublicKey, lazyModule, secp256k1KeyPair, secp256k1Workers, typedDataDigest, type Clock, type EnvelopeEncryption, type PublicKeyJwk, type TypedDataRequest } from '@w3kit/core';
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
    async signTypedData(wallet, request) {
      // The digest is hashed here (keccak: microseconds) and signed on a secp256k1 worker, not by
      // ethers on the event loop (a Wallet per call: the public key, the encoder, the signature —
      // milliseconds that every other request waited behind). The same RFC 6979 bytes.
      const digest = Buffer.from(typedDataDigest(request)).toString('hex');
      const sealed = encryption.decrypt(wallet.encryptedPrivateKey, contextOf(wallet.address));
      const key = Buffer.from(sealed.toString('utf8').replace(/^0x/, ''), 'hex');
      const signed = secp256k1Workers().signOnce(key, digest); // the message took a copy of the key
      sealed.fill(0);
      key.fill(0);
      const { compact, recovery } = await signed;
      return `0x${compact}${(27 + recovery).toString(16)}`;
    },
    signMessage: async (wallet, message) => (await open(wallet)).signMessage(message),
  };
}
