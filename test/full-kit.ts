import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKit, createLogger, sql, type EmailMessage, type Kit, type SmsMessage } from '@w3kit/core';
import type { ManualClock } from '@w3kit/core/testing';
import { loadServerConfig, standalonePlugins } from '@w3kit/standalone-server';
import Koa from 'koa';

/** What the kit's senders were asked to deliver, newest last. */
export interface Outbox {
  sms: SmsMessage[];
  email: EmailMessage[];
}

export interface FullKit {
  kit: Kit;
  app: Koa;
  server: Server;
  /** `http://127.0.0.1:<port>`, also the kit's `publicUrl`. */
  url: string;
  outbox: Outbox;
  /** Errors the kit re-emitted on the app (every one is a bug answered with a 500). */
  appErrors: unknown[];
  close(): Promise<void>;
}

export interface FullKitOptions {
  clock?: ManualClock;
  /** Every rate-limit rule's limit raised to this (the fuzz tests go past the real limits on purpose). */
  rateLimit?: number;
}

/**
 * The standalone server's composition — every plugin, with the options `standalonePlugins`
 * gives them — on a real HTTP server on loopback: test-speed password hashing, no background
 * sweeps, senders that keep what they send, and a TXT resolver that finds no record (no DNS
 * query leaves the machine). The server listens first, so the kit's `publicUrl` is its own URL.
 */
export async function startFullKit(databaseUrl: string, options: FullKitOptions = {}): Promise<FullKit> {
  let kit: Kit | undefined;
  const appErrors: unknown[] = [];
  const app = new Koa();
  app.silent = true;
  app.on('error', (error: unknown) => appErrors.push(error));
  app.use((ctx, next) => kit!.middleware()(ctx, next));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const config = loadServerConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: url,
    W3KIT_MASTER_KEY: randomBytes(32).toString('hex'),
    ATTESTATION_SIGNER_KEY: `0x${randomBytes(32).toString('hex')}`,
    DID_LOGIN_DEMO: 'true',
  });
  const plugins = standalonePlugins(config);
  const rateLimits =
    options.rateLimit === undefined ? {} : Object.fromEntries(plugins.flatMap((p) => Object.entries(p.rateLimits ?? {})).map(([name, rule]) => [name, { ...rule, limit: options.rateLimit! }]));
  const outbox: Outbox = { sms: [], email: [] };
  kit = await createKit({
    database: databaseUrl,
    plugins,
    logger: createLogger({ level: 'silent' }),
    services: {
      smsSender: { development: false, send: async (message) => void outbox.sms.push(message) },
      emailSender: { development: false, send: async (message) => void outbox.email.push(message) },
      txtResolver: { resolveTxt: async () => [] },
      ...(options.clock ? { clock: options.clock } : {}),
    },
    config: {
      mode: 'test',
      masterKey: config.masterKey,
      publicUrl: url,
      passwordHashCost: 10,
      housekeepingIntervalSeconds: 0,
      rateLimits,
    },
  });
  return {
    kit,
    app,
    server,
    url,
    outbox,
    appErrors,
    async close() {
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
      await kit.close();
    },
  };
}

const countQueries = new WeakMap<Kit, string>();

/** Row count of every table of the kit's database, by table name (one statement). */
export async function rowCounts(kit: Kit): Promise<Record<string, number>> {
  let query = countQueries.get(kit);
  if (!query) {
    // the tables are known once migrations ran; listing them is the slow part on MariaDB
    const tables = (await kit.services.db.introspection.getTables()).map((t) => t.name).sort();
    // the kit's table names are plain lower-case identifiers: unquoted, they read the same on every engine
    query = tables.map((name) => `SELECT '${name}' AS name, COUNT(*) AS n FROM ${name}`).join(' UNION ALL ');
    countQueries.set(kit, query);
  }
  const { rows } = await sql<{ name: string; n: number | string }>`${sql.raw(query)}`.execute(kit.services.db);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** An account as the tests use it: who it is, its bearer token and its ID wallet address. */
export interface TestAccount {
  accountId: string;
  token: string;
  bearer: string;
  address: string;
}

/** An organization whose domain is verified (the store is updated as the DNS check would), with its API key secret. */
export async function verifiedOrganization(kit: Kit): Promise<TestAccount & { domain: string; apiKeySecret: string }> {
  const domain = `org-${unique()}.test`;
  const { account, apiKeySecret } = await kit.services.accountService.createOrganization({ name: `Org ${domain}`, domain, email: `ops@${domain}` });
  await kit.services.accountStore.update(account.id, { domainVerified: true }, new Date());
  const { token } = await kit.services.tokenService.issueAccessToken(account);
  return { accountId: account.id, token, bearer: `Bearer ${token}`, address: account.wallet!.address, domain, apiKeySecret };
}

/** An end user with an ID wallet, a known login id and password. */
export async function endUserWithLogin(kit: Kit): Promise<TestAccount & { loginId: string; password: string; email: string }> {
  const loginId = `user-${unique()}`;
  const password = 'correct horse battery';
  const email = `${loginId}@example.com`;
  const account = await kit.services.accountService.createEndUser({ loginId, email, password, name: 'Ada', phoneNumber: '+14155550100' });
  const { token } = await kit.services.tokenService.issueAccessToken(account);
  return { accountId: account.id, token, bearer: `Bearer ${token}`, address: account.wallet!.address, loginId, password, email };
}
