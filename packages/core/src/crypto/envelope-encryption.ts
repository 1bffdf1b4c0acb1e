import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM envelope encryption under the master key: every value gets its own random
 * data key, which is itself encrypted ("wrapped") under the master key. The `context`
 * string is bound as additional authenticated data, so a ciphertext copied onto another
 * row (another wallet, another DID) does not decrypt there.
 */
export interface EnvelopeEncryption {
  encrypt(plaintext: Uint8Array | string, context: string): string;
  decrypt(ciphertext: string, context: string): Buffer;
  /** True when `ciphertext` was sealed under a previous master key and should be re-encrypted. */
  needsReencrypt(ciphertext: string): boolean;
  /**
   * A keyed hash (HMAC-SHA256, hex) for short-lived, low-entropy values looked up by hash:
   * codes, rate-limit keys. Its key derives from the current master key, so a master-key
   * rotation invalidates them: acceptable for values that live minutes. Long-lived
   * high-entropy secrets (API key secrets) are stored as a plain SHA-256 instead.
   */
  digest(purpose: string, value: string): string;
}

const VERSION = 'w3e1';

function parseKey(hex: string, label: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new TypeError(`${label} must be 64 hex characters (32 bytes)`);
  return Buffer.from(hex, 'hex');
}

const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 12);

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < 28) throw new Error('ciphertext is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
}

/**
 * @param masterKeyHex the current master key (32 bytes, hex); new values are sealed under it.
 * @param previousKeysHex earlier master keys that still decrypt existing values during a rotation.
 */
export function createEnvelopeEncryption(masterKeyHex: string, previousKeysHex: readonly string[] = []): EnvelopeEncryption {
  const current = parseKey(masterKeyHex, 'master key');
  const currentId = keyId(current);
  const keys = new Map<string, Buffer>([[currentId, current]]);
  previousKeysHex.forEach((hex, i) => {
    const key = parseKey(hex, `previous master key #${i + 1}`);
    keys.set(keyId(key), key);
  });
  const digestKey = Buffer.from(hkdfSync('sha256', current, Buffer.alloc(0), 'w3kit digest key', 32));

  return {
    encrypt(plaintext, context) {
      const aad = Buffer.from(context, 'utf8');
      const dataKey = randomBytes(32);
      const wrappedKey = seal(current, dataKey, aad);
      const body = seal(dataKey, Buffer.from(plaintext), aad);
      return [VERSION, currentId, wrappedKey.toString('base64url'), body.toString('base64url')].join('.');
    },
    decrypt(ciphertext, context) {
      const [version, id, wrapped, body] = ciphertext.split('.');
      if (version !== VERSION || !id || !wrapped || !body) throw new Error('not a w3kit envelope ciphertext');
      const key = keys.get(id);
      if (!key) throw new Error(`ciphertext was sealed under an unknown master key (${id}); configure it as a previous key`);
      const aad = Buffer.from(context, 'utf8');
      const dataKey = open(key, Buffer.from(wrapped, 'base64url'), aad);
      return open(dataKey, Buffer.from(body, 'base64url'), aad);
    },
    needsReencrypt: (ciphertext) => ciphertext.split('.')[1] !== currentId,
    digest: (purpose, value) => createHmac('sha256', digestKey).update(`${purpose}\0${value}`).digest('hex'),
  };
}
