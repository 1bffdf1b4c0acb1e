import { ES256KSigner } from 'did-jwt';
import { createVerifiablePresentationJwt, normalizePresentation, type JwtPresentationPayload } from 'did-jwt-vc';
import { getBytes, keccak256, SigningKey, solidityPackedKeccak256, toUtf8Bytes, Wallet } from 'ethers';
import { WalletError } from './wallet-error.js';
import type { WalletFile } from './wallet-file.js';

// The wallet is a holder, not the server: it talks to the kit over HTTP only, and signs with
// wallet-side libraries (did-jwt-vc, ethers), never with the kit's code.

interface Answer {
  status: number;
  body: unknown;
}

async function call(base: string, method: 'GET' | 'POST', path: string, body?: unknown, token?: string): Promise<Answer> {
  const response = await fetch(`${base.replace(/\/+$/, '')}${path}`, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: shown as text
  }
  return { status: response.status, body: parsed };
}

const refusal = (what: string, answer: Answer) => new WalletError(`${what}: the server answered ${answer.status} ${typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)}`);

/** Asks the server for a credential about the token's user, issued to the wallet's DID (POST /v2/did/create-vc). */
export async function requestCredential(wallet: WalletFile, base: string, token: string, userInfo: Record<string, string>): Promise<string> {
  const answer = await call(base, 'POST', '/v2/did/create-vc', { holder: wallet.did, userInfo }, token);
  const jwt = (answer.body as { proof?: { jwt?: unknown } } | null)?.proof?.jwt;
  if (answer.status !== 200 || typeof jwt !== 'string') throw refusal('create-vc failed', answer);
  return jwt;
}

/** The login request a person gives the wallet: the QR code's content is the requestId itself. */
export function requestIdOf(input: string): string {
  const value = input.trim();
  if (!/[?&]requestId=[^&\s]+/.test(value)) throw new WalletError(`"${value}" is not a login request: copy the line under the QR code of /v2/login-demo (it ends with requestId=…)`);
  return value;
}

/**
 * Answers a website login: a VP JWT (did-jwt-vc) with the wallet's newest credential, addressed
 * to the kit's verifier DID, its nonce the requestId; posted to /v2/auth/auth-user-with-vp.
 */
export async function answerLogin(wallet: WalletFile, base: string, requestId: string): Promise<{ userId: string }> {
  const credential = wallet.credentials.at(-1);
  if (!credential) throw new WalletError('the wallet holds no credential yet; get one with `w3kit wallet credential --token <a user token>`');
  const verifiers = await call(base, 'GET', '/v2/did/verifiers');
  const verifier = (verifiers.body as { did?: unknown }[] | null)?.[0]?.did;
  if (verifiers.status !== 200 || typeof verifier !== 'string') throw refusal('could not read the verifier DID', verifiers);
  const holder = { did: wallet.did, alg: 'ES256K', signer: ES256KSigner(getBytes(wallet.privateKey)) };
  const payload: JwtPresentationPayload = {
    vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: [credential] },
    aud: verifier,
    nonce: requestId,
  };
  const vp = await createVerifiablePresentationJwt(payload, holder);
  const answer = await call(base, 'POST', '/v2/auth/auth-user-with-vp', { requestId, vp: normalizePresentation(vp) as object });
  const userId = (answer.body as { userId?: unknown } | null)?.userId;
  if (answer.status !== 200 || typeof userId !== 'string') throw refusal('the login was refused', answer);
  return { userId };
}

/**
 * Signs an Origin identity claim request as the identity's owner: the ERC725 claim hash of
 * (identity = the wallet's address, topic, data), signed with EIP-191 as the Origin claim
 * verifier recovers it. What the attestation server returns for a topic is this same hash signed
 * by its key, so `signer` tells whose signature a claim carries.
 */
export function signClaim(wallet: WalletFile, topic: number, data: string): { identity: string; topic: number; data: string; hash: string; signature: string; signer: string } {
  const hash = solidityPackedKeccak256(['address', 'uint256', 'bytes32'], [wallet.address, topic, keccak256(toUtf8Bytes(data))]);
  const signer = new Wallet(new SigningKey(wallet.privateKey));
  return { identity: wallet.address, topic, data, hash, signature: signer.signMessageSync(getBytes(hash)), signer: signer.address };
}
