export { createKit, runMigrations, type CreateKitOptions, type Kit } from './create-kit.js';
export {
  defineRoute,
  type KitPlugin,
  type PluginContext,
  type RouteGroup,
  type RouteExample,
  type RouteSpec,
  type RouteRequest,
  type AnyRouteSpec,
  type HttpMethod,
  type RouteAuth,
  type PrincipalFor,
  type RateLimitKey,
  type RouteRateLimit,
  type KitUrls,
} from './plugin.js';
export type { KitServices } from './container.js';
export type { SiweVerifier } from './contracts/wallet-sign-in.js';
export type { SdJwtVcIssuer, JsonWebPublicKey } from './contracts/sd-jwt-vc.js';
export type { Ledger, LedgerMint, LedgerState, LedgerStatus } from './contracts/ledger.js';
export {
  LoginResultSchema,
  type AccountDirectory,
  type AccountSummary,
  type AccountType,
  type Authenticator,
  type LoginResult,
  type Principal,
  type PublicKeyJwk,
  type TypedDataRequest,
} from './contracts/accounts.js';
export { KitConfigSchema, KitConfigError, resolveKitConfig, type KitConfig, type KitConfigInput } from './config/kit-config.js';
export { persistedDevelopmentSecret } from './config/development-secret.js';
export { createKitServer, serveUntilSignal, SERVE_DEFAULTS, type ServeOptions, type Serving } from './http/serve.js';
export { clientIpOf, createProxyMatcher, normalizeIp, resolveClientIp, type ProxyMatcher } from './http/client-ip.js';
export { weakKeyReason } from './crypto/key-strength.js';
export { KitError, defineErrors, coreErrors, isKitError, type ErrorCatalog, type ErrorDefinition, type ErrorFactory, type FieldIssue, type KitErrorOptions } from './errors.js';
export { wireFormats, type WireFormat, type WireFormatName } from './http/wire-formats.js';
export { compileValidator, parseParts, type PartValidator, type RequestPart } from './http/validation.js';
export { readJsonBody } from './http/json-body.js';
export { readFormBody } from './http/form-body.js';
export { STATE_KEY, getRequestState, type W3kitRequestState } from './http/request-state.js';
export { buildOpenApi } from './http/openapi.js';
export { createLogger, redactUrl, redactSecrets, LOGGER_DEFAULTS, SENSITIVE_FIELDS, type LoggerConfig } from './logging/logger.js';
export { createDatabase, type DatabaseHandle, type DatabaseDialect, type DatabaseOptions, type KitDatabase } from './database/create-database.js';
export type { MysqlCounters } from './database/mysql-failover.js';
export { migrateToLatest, pendingMigrations, type MigrationSet, type MigrationOwner } from './database/migrations.js';
export { coreMigrations, type CoreTables } from './database/core-migrations.js';
export { retryTransient, isTransientDbError, isDatabaseUnavailable, isUniqueViolation } from './database/retry.js';
export { insertUnique, insertOrFind, type InsertOrFound } from './database/insert-unique.js';
export { compileOnce, type Slot } from './database/compile-once.js';
export { lazyModule, ModuleLoadError } from './lazy-module.js';
export { createWorkerPool, type WorkerPool, type WorkerPoolOptions, type WorkerAnswer } from './worker-pool.js';
export { checksumAddress, addressOfPublicKey, uncompressedPublicKey, secp256k1KeyPair, recoverPublicKey } from './crypto/evm-address.js';
export { secp256k1Workers, createSecp256k1Workers, type Secp256k1Workers, type WorkerSigningKey } from './crypto/secp256k1-workers.js';
export { typedDataDigest, recoverTypedDataSigner, keccak256Hex } from './crypto/eip712.js';
export { createRateLimiter, type RateLimiter, type RateLimitRule, type RateLimitDecision } from './rate-limit/rate-limiter.js';
export {
  createOneTimeCodes,
  type OneTimeCodes,
  type IssueCodeInput,
  type IssuedCode,
  type CodeLocator,
  type ConsumeResult,
  type ConsumeFailure,
  type SecretShape,
  type PeekResult,
} from './one-time-codes/one-time-codes.js';
export { systemClock, type Clock } from './clock.js';
export { cryptoRandom, type RandomSource } from './random.js';
export { createScryptHasher, type SecretHasher, type HashRequest } from './crypto/secret-hasher.js';
export { createHashingQueue, defaultHashingConcurrency, type HashingQueue, type HashingQueueOptions, type HashingQueueStats } from './crypto/hashing-queue.js';
export { normalizeIdentifier, requireIdentifier, IDENTIFIER_MAX_LENGTH, type IdentifierCheck } from './identifiers.js';
export { createEnvelopeEncryption, type EnvelopeEncryption } from './crypto/envelope-encryption.js';
export { createLogSmsSender, createLogEmailSender, type SmsSender, type EmailSender, type SmsMessage, type EmailMessage } from './senders/senders.js';
export { createTwilioSmsSender, type TwilioSmsConfig } from './senders/twilio-sms-sender.js';
export { createSmtpEmailSender, type SmtpEmailConfig } from './senders/smtp-email-sender.js';
export { Type, type Static, type TSchema } from '@sinclair/typebox';
// Kysely, re-exported so every plugin builds its queries and migrations on core's pinned version.
export { sql, CompiledQuery, type Kysely, type Migration, type Selectable, type Insertable, type Updateable } from 'kysely';
// awilix's registration helpers, re-exported so plugins register their services with the container core creates, on core's version.
export { asFunction, asValue, asClass, Lifetime, type AwilixContainer, type Resolver } from 'awilix';
export type { Logger } from 'pino';
export { isMysql, isPostgres } from './database/dialect.js';
