import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { AccountDirectory, Authenticator } from './contracts/accounts.js';
import type { SiweVerifier } from './contracts/wallet-sign-in.js';
import type { SdJwtVcIssuer } from './contracts/sd-jwt-vc.js';
import type { Ledger } from './contracts/ledger.js';
import type { KitConfig } from './config/kit-config.js';
import type { EnvelopeEncryption } from './crypto/envelope-encryption.js';
import type { HashingQueue } from './crypto/hashing-queue.js';
import type { SecretHasher } from './crypto/secret-hasher.js';
import type { DatabaseHandle, KitDatabase } from './database/create-database.js';
import type { OneTimeCodes } from './one-time-codes/one-time-codes.js';
import type { RandomSource } from './random.js';
import type { KitUrls } from './plugin.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import type { EmailSender, SmsSender } from './senders/senders.js';

/**
 * The services in the kit's container. Plugins add theirs by declaration merging:
 *
 * ```ts
 * declare module '@w3kit/core' {
 *   interface KitServices { accountService: AccountService }
 * }
 * ```
 */
export interface KitServices {
  config: KitConfig;
  logger: Logger;
  database: DatabaseHandle;
  db: KitDatabase;
  clock: Clock;
  random: RandomSource;
  /** The bounded queue every password hash of this process waits in (its stats, for monitoring). */
  hashingQueue: HashingQueue;
  secretHasher: SecretHasher;
  encryption: EnvelopeEncryption;
  rateLimiter: RateLimiter;
  /** URLs of the kit's routes by name (`urls.to('nft.metadata', { token_id })`); usable once the kit is built. */
  urls: KitUrls;
  oneTimeCodes: OneTimeCodes;
  smsSender: SmsSender;
  emailSender: EmailSender;
  /** Registered by @w3kit/auth: who is making the request. */
  authenticator: Authenticator;
  /** Registered by @w3kit/auth: accounts, their ID wallets, and logins, for other plugins. */
  accountDirectory: AccountDirectory;
  /** Registered by @w3kit/siwe when it is composed (absent otherwise): Sign-In with Ethereum for other plugins. */
  siweVerifier: SiweVerifier;
  /** Registered by @w3kit/oid4vci when it is composed (absent otherwise): the SD-JWT VCs this kit issues, for verifiers. */
  sdJwtVcIssuer: SdJwtVcIssuer;
  /** Registered by @w3kit/chain when it is composed (absent otherwise): credential NFTs on a chain. */
  ledger: Ledger;
  /** Per request only: the request id. */
  requestId: string;
}
