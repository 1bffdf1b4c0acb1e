import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Cryptosuite } from '@digitalbazaar/data-integrity';

/**
 * Ed25519 public keys as node:crypto KeyObjects, by their 32 bytes. @digitalbazaar/ed25519-multikey
 * imports the key anew (DER → KeyObject) for every signature it checks, which costs more than the
 * check itself (a CPU profile of `pnpm bench did-verify`: 470 ms in createPublicKey against 290 ms
 * in the verification). The cache is keyed by the key material alone, so it can never answer a
 * key for other bytes: a rotated key (another DID, or another publicKeyMultibase under the same
 * verification method id) is other bytes and gets its own entry; a proof is checked against
 * the key its DID document lists now, as before. Which key a proof may use, status, expiry and
 * the every-proof rule are decided elsewhere and on every request, exactly as without the cache.
 * Bounded: at most ED25519_KEY_CACHE_SIZE keys, the least recently used dropped first.
 */
export const ED25519_KEY_CACHE_SIZE = 1000;

// SubjectPublicKeyInfo of an Ed25519 key (RFC 8410) before its 32 bytes
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map<string, KeyObject>();

export function ed25519KeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new TypeError('an Ed25519 public key is 32 bytes');
  const id = Buffer.from(publicKey).toString('hex');
  let key = keys.get(id);
  if (key) {
    keys.delete(id); // most recently used last
  } else {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (keys.size >= ED25519_KEY_CACHE_SIZE) keys.delete(keys.keys().next().value!);
  }
  keys.set(id, key);
  return key;
}

/** Keys in the cache (for tests of its bound). */
export const ed25519KeyCacheSize = (): number => keys.size;

interface Multikey {
  id?: string;
  publicKey?: Uint8Array;
}

/**
 * The public key bytes ed25519-multikey reads from a verification method, by the method's exact
 * JSON: decoding publicKeyMultibase (base58) and building its key-pair object cost as much as
 * the signature check (a CPU profile of `pnpm bench did-verify` with new credentials). The bytes
 * are a pure function of that JSON, so a rotated key (another publicKeyMultibase under the same
 * id) is other JSON and is decoded anew. Only methods of strings are kept (what a DID document
 * holds; a publicKeyJwk is decoded every time). Bounded like the KeyObjects.
 */
const decoded = new Map<string, Multikey>();

/** Verification methods whose key bytes are kept (for tests of its bound). */
export const decodedKeyCacheSize = (): number => decoded.size;

const ofStrings = (method: Record<string, unknown>): boolean => Object.values(method).every((v) => typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string')));

async function decodedKey(method: Record<string, unknown>, from: (key: Record<string, unknown>) => Promise<unknown>): Promise<Multikey> {
  const json = ofStrings(method) ? JSON.stringify(method) : null;
  const hit = json === null ? undefined : decoded.get(json);
  if (hit) {
    decoded.delete(json!); // most recently used last
    decoded.set(json!, hit);
    return hit;
  }
  const { id, publicKey } = (await from(method)) as Multikey;
  const pair = { id, publicKey };
  if (json !== null && publicKey) {
    if (decoded.size >= ED25519_KEY_CACHE_SIZE) decoded.delete(decoded.keys().next().value!);
    decoded.set(json, pair);
  }
  return pair;
}

/**
 * The eddsa-rdfc-2022 cryptosuite with its verifier checking signatures with node:crypto on the
 * cached KeyObject; canonicalization and everything else are the suite's own.
 */
export function withCachedEd25519Keys(
  suite: Cryptosuite & { createVerifier(options: { verificationMethod: Record<string, unknown> }): Promise<unknown> },
  from: (key: Record<string, unknown>) => Promise<unknown>,
): Cryptosuite {
  return {
    ...suite,
    async createVerifier({ verificationMethod }: { verificationMethod: Record<string, unknown> }) {
      const pair = await decodedKey(verificationMethod, from);
      if (!pair.publicKey) throw new Error('A public key is not available for verifying.');
      const key = ed25519KeyObject(pair.publicKey);
      return {
        algorithm: 'Ed25519',
        id: pair.id,
        verify: async ({ data, signature }: { data: Uint8Array; signature: Uint8Array }) => verify(null, data, key, signature),
      };
    },
  } as Cryptosuite;
}
