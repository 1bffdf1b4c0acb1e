import { attestations } from '@w3kit/attestations';
import { auth } from '@w3kit/auth';
import type { chain } from '@w3kit/chain';
import { createKit, createLogger, createSmtpEmailSender, createTwilioSmsSender, type CreateKitOptions, type Kit, type KitPlugin } from '@w3kit/core';
import { did } from '@w3kit/did';
import { nft } from '@w3kit/nft';
import { siwe } from '@w3kit/siwe';
import { oidc } from '@w3kit/oidc';
import { oid4vci } from '@w3kit/oid4vci';
import { oid4vp } from '@w3kit/oid4vp';
import Koa from 'koa';
import { pino, type Logger } from 'pino';
import { devOutbox } from './dev/dev-outbox.js';
import { prettyDestination } from './dev/pretty-log.js';
import type { ServerConfig } from './env-config.js';

/**
 * The chain plugin when the environment configures a contract, else undefined: @w3kit/chain (and
 * ethers, 250 modules, under it) is imported only then, not by every start (issue 17, idle RSS).
 */
export async function loadChainPlugin(config: ServerConfig): Promise<typeof chain | undefined> {
  return config.chain?.contractAddress ? (await import('@w3kit/chain')).chain : undefined;
}

/** Every plugin of the kit, with the standalone server's options (`chainPlugin`: `loadChainPlugin(config)`'s, when the chain is configured). Later plugins join here. */
export function standalonePlugins(config: ServerConfig, chainPlugin?: typeof chain): KitPlugin[] {
  if (config.chain?.contractAddress && !chainPlugin) throw new TypeError('standalonePlugins: the chain is configured (W3KIT_CHAIN_CONTRACT): pass the plugin of loadChainPlugin(config)');
  return [
    auth({ dnsServers: config.dnsServers, sessionLifetimeSeconds: config.sessionLifetimeSeconds }),
    did({
      chainId: config.didChainId,
      loginDemoPage: config.didLoginDemo,
      operatorOrganizations: config.didOperatorOrganizations,
      verifyRateLimit: config.didVerifyRateLimit !== 'off',
      ethrRegistry: config.didEthrRegistry ?? null,
      requireAppLoginResultToken: config.didAppLoginResultToken,
    }),
    nft(),
    siwe({ allowedOrigins: config.siweAllowedOrigins, chains: config.siweChains, signUp: config.siweSignUp, statement: config.siweStatement }),
    attestations({
      signerKey: config.attestationSignerKey ?? '',
      signatureForm: config.attestationSignatureForm,
      phoneNumberCheck: config.phoneNumberCheck,
      facebook: config.facebook,
      twitter: config.twitter,
      ...(config.attestationAppOrigin ? { openerOrigin: config.attestationAppOrigin } : {}),
    }),
    // the chain joins once its contract is deployed (`w3kit chain deploy` prints the address)
    ...(config.chain?.contractAddress && chainPlugin
      ? [
          chainPlugin({
            rpcUrl: config.chain.rpcUrl,
            chainId: config.chain.chainId,
            contractAddress: config.chain.contractAddress,
            senderKeySealed: config.chain.senderKeySealed,
            confirmations: config.chain.confirmations,
            webhookUrls: config.chain.webhookUrls,
            ...(config.chain.webhookSecret ? { webhookSecret: config.chain.webhookSecret } : {}),
          }),
        ]
      : []),
    ...(config.oidcEnabled
      ? [oidc({ signingAlgorithm: config.oidcSigningAlgorithm, dynamicRegistration: config.oidcDynamicRegistration, refreshTokenTtlSeconds: config.oidcRefreshTokenTtlSeconds })]
      : []),
    ...(config.oid4vciEnabled ? [oid4vci({ offerTtlSeconds: config.oid4vciOfferTtlSeconds, walletClients: config.oid4vciWalletClients })] : []),
    ...(config.oid4vpEnabled ? [oid4vp({ loginPage: config.oid4vpLoginPage, ...(config.oid4vpVct === undefined ? {} : { vct: config.oid4vpVct }) })] : []),
    // the development senders' outbox (/dev/outbox): never composed in production
    ...(config.mode === 'production' ? [] : [devOutbox({ keep: config.devOutboxKeep })]),
  ];
}

/** The real SMS and email senders the environment configures; the kit keeps its log senders for the others. */
export function standaloneSenders(config: ServerConfig): CreateKitOptions['services'] {
  return {
    ...(config.twilio ? { smsSender: createTwilioSmsSender(config.twilio) } : {}),
    ...(config.smtpUrl ? { emailSender: createSmtpEmailSender({ url: config.smtpUrl, from: config.emailFrom, requireTls: config.smtpRequireTls }) } : {}),
  };
}

export interface StandaloneServer {
  app: Koa;
  kit: Kit;
  logger: Logger;
}

/** Builds the kit and the Koa app of the standalone server (without listening). */
export async function createStandaloneServer(config: ServerConfig, options: { migrations?: 'run' | 'check' | 'skip'; logTo?: 'stdout' | 'stderr' } = {}): Promise<StandaloneServer> {
  const out = options.logTo === 'stderr' ? process.stderr : process.stdout;
  const logger = createLogger({ level: config.logLevel, name: 'w3kit' }, config.logFormat === 'pretty' ? prettyDestination(out) : options.logTo === 'stderr' ? pino.destination(2) : undefined);
  const kit = await createKit({
    database: config.databaseUrl,
    plugins: standalonePlugins(config, await loadChainPlugin(config)),
    services: standaloneSenders(config),
    logger,
    config: {
      mode: config.mode,
      publicUrl: config.publicUrl,
      masterKey: config.masterKey,
      previousMasterKeys: config.previousMasterKeys,
      trustedProxies: config.trustedProxies,
      serveDocs: config.serveDocs,
      hstsMaxAgeSeconds: config.hstsMaxAgeSeconds,
      migrations: options.migrations ?? 'run',
      ...(typeof config.didVerifyRateLimit === 'number' ? { rateLimits: { 'did.verify': { limit: config.didVerifyRateLimit, windowSeconds: 60 } } } : {}),
    },
  });
  // No `proxy: true`: the kit finds the client IP by its own trustedProxies (TRUSTED_PROXIES),
  // and a Koa that trusted every X-Forwarded-* header would let any client pick its ctx.ip.
  const app = new Koa();
  // The kit already logs every error with its request id; keep Koa's default stderr dump quiet.
  app.silent = true;
  app.use(kit.middleware());
  return { app, kit, logger };
}
