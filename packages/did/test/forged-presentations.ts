/// <reference path="../src/digitalbazaar.d.ts" />
// What an attacker builds against the kit's presentation verifiers, with the same libraries a
// wallet uses (@digitalbazaar/vc) or by hand: proof sets with a junk proof first, proofs by a
// key the holder never authorized, re-encoded proof values, high-S ES256K signatures.
import { randomBytes } from 'node:crypto';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';

type Json = Record<string, unknown>;

/** A did:key wallet (Ed25519) of its own, as a user or an attacker makes one. */
export async function didKeyWallet() {
  const key = await Ed25519Multikey.generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  return { did, key };
}
export type DidKeyWallet = Awaited<ReturnType<typeof didKeyWallet>>;

/** An unsigned presentation of the credentials that names `holder`, whoever signs it. */
export const presentationOf = (holder: string, credentials: Json[]): Json => vc.createPresentation({ verifiableCredential: credentials, holder });

/** The wallet's authentication proof over the presentation (eddsa-rdfc-2022), dated `date`. */
export async function presentationProof(presentation: Json, wallet: DidKeyWallet, options: { challenge: string; domain: string; loader: vc.DocumentLoader; date?: Date }): Promise<Json> {
  const signed = await vc.signPresentation({
    presentation: structuredClone(presentation),
    suite: new DataIntegrityProof({ signer: wallet.key.signer(), cryptosuite: eddsaRdfc2022, ...(options.date ? { date: options.date } : {}) }),
    documentLoader: options.loader,
    challenge: options.challenge,
    domain: options.domain,
  });
  return signed['proof'] as Json;
}

/** The wallet's assertion proof over a credential (without its proofs), as an issuer would sign it. */
export async function credentialProof(credential: Json, wallet: DidKeyWallet, loader: vc.DocumentLoader): Promise<Json> {
  const { proof: _proofs, ...unsigned } = credential;
  const signed = await vc.issue({ credential: structuredClone(unsigned), suite: new DataIntegrityProof({ signer: wallet.key.signer(), cryptosuite: eddsaRdfc2022 }), documentLoader: loader });
  return signed['proof'] as Json;
}

/** The document with this proof set (each proof signs the document without its proofs). */
export const withProofs = (document: Json, proofs: Json[]): Json => ({ ...structuredClone(document), proof: proofs });

/** The document's proofs as an array. */
export const proofsOf = (document: Json): Json[] => ([] as Json[]).concat(document['proof'] as Json | Json[]);

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/**
 * A proof that looks like `like` (same suite, purpose, challenge, domain) but is signed by no
 * one, by a verification method that resolves to nothing, and dated `created` (default now).
 */
export function junkProof(like: Json, created = new Date()): Json {
  const proofValue = `z${Array.from(randomBytes(86), (b) => BASE58[b % 58]).join('')}`;
  return { ...like, verificationMethod: 'did:example:junk#key-1', created: created.toISOString().replace(/\.\d{3}Z$/, 'Z'), proofValue };
}

/** Bytes of a base58btc string (the `z` multibase body). */
function base58Decode(text: string): Buffer {
  let value = 0n;
  for (const char of text) value = value * 58n + BigInt(BASE58.indexOf(char));
  const hex = value === 0n ? '' : value.toString(16).padStart(Math.ceil(value.toString(16).length / 2) * 2, '0');
  const zeros = /^1*/.exec(text)![0].length;
  return Buffer.concat([Buffer.alloc(zeros), Buffer.from(hex, 'hex')]);
}

/** The same proof with its proofValue's signature bytes re-encoded from base58btc (`z`) to base64url (`u`): data-integrity accepts both. */
export function reencodedProof(proof: Json): Json {
  const value = proof['proofValue'] as string;
  if (!value.startsWith('z')) throw new Error('expected a base58btc proofValue');
  return { ...proof, proofValue: `u${base58Decode(value.slice(1)).toString('base64url')}` };
}

// the order of secp256k1's group
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const sOf = (jwt: string) => BigInt(`0x${Buffer.from(jwt.split('.')[2]!, 'base64url').subarray(32, 64).toString('hex')}`);

/** Whether an ES256K JWT's signature has a high S (above n/2). */
export const hasHighS = (jwt: string) => sOf(jwt) > SECP256K1_N / 2n;

/** The ES256K JWT with its signature's S replaced by n − S: the same signature to a verifier that accepts high S, other bytes. */
export function flippedS(jwt: string): string {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  const s = (SECP256K1_N - sOf(jwt)).toString(16).padStart(64, '0');
  return `${header}.${payload}.${Buffer.concat([bytes.subarray(0, 32), Buffer.from(s, 'hex'), bytes.subarray(64)]).toString('base64url')}`;
}
