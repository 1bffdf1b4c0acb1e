import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { JsonWebKey } from 'node:crypto';
import { dirname } from 'node:path';
import { computeAddress, SigningKey } from 'ethers';
import { WalletError } from './wallet-error.js';

/**
 * A development wallet: one secp256k1 key and the credentials issued to it, in a file of its own
 * (mode 0600). The key never leaves this file and this process: the wallet sends only DIDs,
 * presentations and signatures it makes.
 */
export interface WalletFile {
  version: 1;
  did: string;
  address: string;
  /** 0x + 64 hex. */
  privateKey: string;
  /** JWT credentials (`proof.jwt`) issued to `did`, newest last. */
  credentials: string[];
  /**
   * The P-256 key (private JWK) that OID4VCI credentials are bound to: the kit's issuer binds the
   * `jwk` of the proof JWT and accepts ES256, ES384 or EdDSA, not the secp256k1 key above. Made
   * by the first `wallet receive`; absent from older wallet files.
   */
  holderKey?: JsonWebKey;
  /** SD-JWT VCs received with `wallet receive` (bound to `holderKey`), newest last. */
  sdJwtVcs?: StoredSdJwtVc[];
  /**
   * Offers resolved but not redeemed yet, by the offer URI the person gave: an offer document is
   * served once, so a retry (a forgotten or mistyped tx code) needs the copy. Dropped once used.
   */
  pendingOffers?: Record<string, { offer: unknown; savedAt: string }>;
}

/** An SD-JWT VC (`dc+sd-jwt`) as the wallet keeps it: the issued form, with every disclosure. */
export interface StoredSdJwtVc {
  format: 'dc+sd-jwt';
  issuer: string;
  vct: string;
  credentialConfigurationId: string;
  credential: string;
  receivedAt: string;
}

export function createWalletFile(path: string): WalletFile {
  if (existsSync(path)) throw new WalletError(`${path} exists already; a wallet is never overwritten (pass --wallet <another file>)`);
  const key = new SigningKey(`0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}`);
  const address = computeAddress(key.publicKey);
  const wallet: WalletFile = { version: 1, did: `did:ethr:${address.toLowerCase()}`, address, privateKey: key.privateKey, credentials: [] };
  mkdirSync(dirname(path), { recursive: true });
  // wx: fail rather than replace a file created meanwhile; 0600 from the first byte
  writeFileSync(path, `${JSON.stringify(wallet, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return wallet;
}

export function readWalletFile(path: string): WalletFile {
  if (!existsSync(path)) throw new WalletError(`no wallet at ${path}; make one with \`w3kit wallet create\``);
  if ((statSync(path).mode & 0o077) !== 0) throw new WalletError(`${path} is readable by other users; \`chmod 600 ${path}\` (it holds the wallet's private key)`);
  const wallet = JSON.parse(readFileSync(path, 'utf8')) as WalletFile;
  if (wallet.version !== 1 || !/^0x[0-9a-f]{64}$/i.test(wallet.privateKey)) throw new WalletError(`${path} is not a w3kit wallet file`);
  return wallet;
}

/** Rewrites the file through a temporary one, so a crash never leaves half a wallet. */
export function saveWalletFile(path: string, wallet: WalletFile): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(wallet, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
