import type { AccountDirectory, Clock, EnvelopeEncryption, LoginResult, Principal, RandomSource, RateLimiter, SiweVerifier } from '@w3kit/core';
import type { Hex } from 'viem';
import type { SiweMessage } from 'viem/siwe';
import type { AddressStore } from './address-store.js';
import { siweErrors } from './errors.js';
import type { NonceStore } from './nonce-store.js';
import { ChainUnavailableError, type SignatureChecker } from './signature-checker.js';
import type { ResolvedSiweOptions } from './siwe-config.js';
import { loadViem, type Viem } from './viem-library.js';

/** A signed EIP-4361 message, as a wallet returns it. */
export interface SignedMessage {
  message: string;
  /** 0x-hex: 65 bytes for an EOA, anything the wallet contract checks for EIP-1271, an EIP-6492 wrapper for a wallet not deployed yet. */
  signature: string;
}

/** Who a verified sign-in is. */
export interface VerifiedSignIn {
  accountId: string;
  /** EIP-55 checksummed. */
  address: string;
  chainId: number;
}

/**
 * What other plugins use (core's contract, registered as `siweVerifier`; auth's association page
 * and the oidc login page call it): `issueNonce`, and `verifySignIn`, which checks the message and
 * its signature, uses its nonce up, and answers the account the address belongs to (signing one
 * up when the `signUp` option allows it). Throws the plugin's errors.
 */
export type { SiweVerifier };

export interface AddressView {
  address: string;
  chain_id: number;
  linked_at: string;
}

/** The rules of Sign-In with Ethereum: nonces, message checks, signatures, and the addresses of accounts. */
export interface SiweService extends SiweVerifier {
  verifySignIn(input: SignedMessage): Promise<VerifiedSignIn>;
  /** `verifySignIn`, then a new session of the account, as password login opens one. */
  signIn(input: SignedMessage): Promise<LoginResult & { address: string; chainId: number }>;
  /** Links the signing address to the signed-in account; 409 SIWE_ADDRESS_TAKEN when another account holds it on that chain. */
  link(principal: Principal, input: SignedMessage): Promise<AddressView>;
  /** The addresses of the signed-in account. */
  addresses(principal: Principal): Promise<AddressView[]>;
}

export interface SiweServiceDeps {
  options: ResolvedSiweOptions;
  nonceStore: NonceStore;
  addressStore: AddressStore;
  signatureChecker: SignatureChecker;
  accountDirectory: AccountDirectory;
  rateLimiter: RateLimiter;
  encryption: EnvelopeEncryption;
  random: RandomSource;
  clock: Clock;
}

type Parsed = Partial<SiweMessage> & Required<Pick<SiweMessage, 'domain' | 'address' | 'uri' | 'version' | 'chainId' | 'nonce' | 'issuedAt'>>;

const REQUIRED = ['domain', 'address', 'uri', 'version', 'chainId', 'nonce', 'issuedAt'] as const;
const invalidDate = (d: Date | undefined) => d !== undefined && Number.isNaN(d.getTime());

export function createSiweService(deps: SiweServiceDeps): SiweService {
  const { options, nonceStore, addressStore, signatureChecker, accountDirectory, rateLimiter, encryption, random, clock } = deps;
  const fail = siweErrors.create;
  const nonceHash = (nonce: string) => encryption.digest('siwe.nonce', nonce);

  function parse({ parseSiweMessage, getAddress }: Viem, message: string): Parsed {
    const parsed = parseSiweMessage(message);
    const missing = REQUIRED.filter((field) => parsed[field] === undefined || parsed[field] === '');
    if (missing.length > 0) throw fail('SIWE_MESSAGE_MALFORMED', { issues: missing.map((field) => ({ field: `message.${field}`, message: 'is missing.' })) });
    if (invalidDate(parsed.issuedAt) || invalidDate(parsed.expirationTime) || invalidDate(parsed.notBefore)) {
      throw fail('SIWE_MESSAGE_MALFORMED', { issues: [{ field: 'message', message: 'Issued At, Expiration Time and Not Before must be RFC 3339 date-times.' }] });
    }
    // EIP-4361 asks for the EIP-55 checksum form. An all-lower-case address is accepted too (many
    // wallets answer eth_requestAccounts in lower case and a page has no keccak to checksum it; the
    // signature covers the text either way), a mixed-case one with a wrong checksum is refused.
    const address = parsed.address!;
    if (address !== address.toLowerCase() && getAddress(address) !== address) {
      throw fail('SIWE_MESSAGE_MALFORMED', { issues: [{ field: 'message.address', message: 'has a wrong EIP-55 checksum.' }] });
    }
    return { ...(parsed as Parsed), address: getAddress(address) };
  }

  /** The allowed origin the message is for: domain (host[:port]), scheme (https when absent, as EIP-4361 says) and uri all on it. */
  function checkOrigin(m: Parsed): void {
    const origin = options.allowedOrigins.find((o) => o.host === m.domain.toLowerCase());
    const scheme = m.scheme ?? 'https';
    let uriOrigin: string | null = null;
    try {
      uriOrigin = new URL(m.uri).origin;
    } catch {
      // an unparsable URI is on no origin
    }
    if (!origin || `${scheme}:` !== origin.protocol || uriOrigin !== origin.origin) throw fail('SIWE_DOMAIN_NOT_ALLOWED');
  }

  function checkTimes(m: Parsed, now: Date): void {
    const skew = options.clockSkewSeconds * 1000;
    if (m.expirationTime && m.expirationTime <= now) throw fail('SIWE_MESSAGE_EXPIRED');
    // no nonce lives longer than nonceTtlSeconds: an older message cannot carry a live one
    if (m.issuedAt.getTime() < now.getTime() - options.nonceTtlSeconds * 1000 - skew) throw fail('SIWE_MESSAGE_EXPIRED');
    if (m.notBefore && m.notBefore > now) throw fail('SIWE_MESSAGE_NOT_YET_VALID');
    if (m.issuedAt.getTime() > now.getTime() + skew) throw fail('SIWE_MESSAGE_NOT_YET_VALID');
  }

  /** Every check of EIP-4361, the nonce used up, the signature checked: the address and chain that signed. */
  async function verifyMessage({ message, signature }: SignedMessage): Promise<{ address: string; chainId: number }> {
    const viem = await loadViem();
    const m = parse(viem, message);
    const now = clock.now();
    checkOrigin(m);
    if (!options.chains.has(m.chainId)) throw fail('SIWE_CHAIN_NOT_ALLOWED');
    if (options.statement !== undefined && m.statement !== options.statement) throw fail('SIWE_STATEMENT_MISMATCH');
    checkTimes(m, now);
    // viem's own validation last, for what is left of the grammar (nonce characters, version 1)
    if (!viem.validateSiweMessage({ message: m, time: now })) throw fail('SIWE_MESSAGE_MALFORMED');
    // Tries on one address, before its nonce or the chain is spent on them (a smart-contract
    // wallet's check is an RPC call): counted per claimed address, whoever sends them.
    await rateLimiter.enforce('siwe.verify.address', `${m.chainId}:${m.address.toLowerCase()}`);
    // One verification per nonce, right or wrong: a replay, or a second try with it, finds it gone.
    if (!(await nonceStore.consume(nonceHash(m.nonce), now))) throw fail('SIWE_NONCE_INVALID');
    let valid: boolean;
    try {
      valid = await signatureChecker.isValid({ chainId: m.chainId, address: m.address, message, signature: signature as Hex });
    } catch (error) {
      if (error instanceof ChainUnavailableError) throw fail('SIWE_CHAIN_UNAVAILABLE', { cause: error });
      throw error;
    }
    if (!valid) throw fail('SIWE_SIGNATURE_INVALID');
    return { address: m.address, chainId: m.chainId };
  }

  async function verifySignIn(input: SignedMessage): Promise<VerifiedSignIn> {
    const { address, chainId } = await verifyMessage(input);
    const holder = await addressStore.find(chainId, address);
    if (holder) return { accountId: holder.accountId, address, chainId };
    if (!options.signUp) throw fail('SIWE_ACCOUNT_NOT_FOUND');
    const account = await accountDirectory.createExternalLoginEndUser();
    const linked = await addressStore.link(chainId, address, account.id, clock.now());
    // two first sign-ins of one address at once: the link that landed first is the account (the other new account stays unused)
    const accountId = linked.outcome === 'taken' ? linked.accountId : account.id;
    return { accountId, address, chainId };
  }

  const view = (a: { address: string; chainId: number; linkedAt: Date }): AddressView => ({ address: a.address, chain_id: a.chainId, linked_at: a.linkedAt.toISOString() });

  return {
    verifySignIn,

    async issueNonce() {
      // 128 bits as hex: EIP-4361 nonces are alphanumeric, at least 8 characters
      const nonce = random.bytes(16).toString('hex');
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + options.nonceTtlSeconds * 1000);
      await nonceStore.insert(nonceHash(nonce), now, expiresAt);
      return options.statement === undefined ? { nonce, expiresAt } : { nonce, expiresAt, statement: options.statement };
    },

    async signIn(input) {
      const { accountId, address, chainId } = await verifySignIn(input);
      return { ...(await accountDirectory.login(accountId)), address, chainId };
    },

    async link(principal, input) {
      const { address, chainId } = await verifyMessage(input);
      const at = clock.now();
      const linked = await addressStore.link(chainId, address, principal.accountId, at);
      if (linked.outcome === 'taken') throw fail('SIWE_ADDRESS_TAKEN');
      const held = linked.outcome === 'linked' ? { address, chainId, linkedAt: at } : await addressStore.find(chainId, address);
      return view(held!);
    },

    async addresses(principal) {
      return (await addressStore.listByAccount(principal.accountId)).map(view);
    },
  };
}
