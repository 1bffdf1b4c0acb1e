import { attestations } from '@w3kit/attestations';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, createSmtpEmailSender, createTwilioSmsSender, type CreateKitOptions, type Kit, type KitPlugin } from '@w3kit/core';
import { did } from '@w3kit/did';
import { nft } from '@w3kit/nft';
import { oidc } from '@w3kit/oidc';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { ServerConfig } from './env-config.js';

/** Every plugin of the kit, with the standalone server's options. Later plugins join here. */
export function standalonePlugins(config: ServerConfig): KitPlugin[] {
  return [
    auth({ dnsServers: config.dnsServers, sessionLifetimeSeconds: config.sessionLifetimeSeconds }),
    did({
      chainId: config.didChainId,
      loginDemoPage: config.didLoginDemo,
      operatorOrganizations: config.didOperatorOrganizations,
      verifyRateLimit: config.didVerifyRateLimit !== 'off',
      ...(config.didAppLoginResultToken === undefined ? {} : { requireAppLoginResultToken: config.didAppLoginResultToken }),
    }),
    nft(),
    attestations({
      signerKey: config.attestationSignerKey ?? '',
      signatureForm: config.attestationSignatureForm,
      phoneNumberCheck: config.phoneNumberCheck,
      facebook: config.facebook,
      twitter: config.twitter,
    }),
    oidc({ signingAlgorithm: config.oidcSigningAlgorithm, dynamicRegistration: config.oidcDynamicRegistration, refreshTokenTtlSeconds: config.oidcRefreshTokenTtlSeconds }),
  ];
}

/** The real SMS and email senders the environment configures; the kit keeps its log senders for the others. */
export function standaloneSenders(config: ServerConfig): CreateKitOptions['services'] {
  return {
    ...(config.twilio ? { smsSender: createTwilioSmsSender(config.twilio) } : {}),
    ...(config.smtpUrl ? { emailSender: createSmtpEmailSender({ url: config.smtpUrl, from: config.emailFrom }) } : {}),
  };
}

export interface StandaloneServer {
  app: Koa;
  kit: Kit;
  logger: Logger;
}

/** Builds the kit and the Koa app of the standalone server (without listening). */
export async function createStandaloneServer(config: ServerConfig, options: { migrations?: 'run' | 'check' | 'skip' } = {}): Promise<StandaloneServer> {
  const logger = createLogger({ level: config.logLevel, name: 'w3kit' });
  const kit = await createKit({
    database: config.databaseUrl,
    plugins: standalonePlugins(config),
    services: standaloneSenders(config),
    logger,
    config: {
      mode: config.mode,
      publicUrl: config.publicUrl,
      masterKey: config.masterKey,
      previousMasterKeys: config.previousMasterKeys,
      migrations: options.migrations ?? 'run',
      ...(typeof config.didVerifyRateLimit === 'number' ? { rateLimits: { 'did.verify': { limit: config.didVerifyRateLimit, windowSeconds: 60 } } } : {}),
    },
  });
  const app = new Koa({ proxy: config.mode === 'production' });
  // The kit already logs every error with its request id; keep Koa's default stderr dump quiet.
  app.silent = true;
  app.use(kit.middleware());
  return { app, kit, logger };
}
