#!/usr/bin/env node
import { parseArgs } from 'node:util';
import type { Kit } from '@w3kit/core';
import { PASSWORD_ENV, PasswordSourceError, readPassword } from './cli-password.js';
import { describeSeed, seedDemo } from './dev/dev-seed.js';
import type { ServerConfig } from './env-config.js';
import { WalletError } from './wallet/wallet-error.js';

const USAGE = `usage: w3kit <command> [options]

commands:
  migrate                                    apply pending database migrations of core and every plugin
  org create --name <n> --domain <d> --email <e> [--password-stdin]
                                             create an organization; prints account_id and api_key_secret (shown once);
                                             a password (optional) from stdin or ${PASSWORD_ENV}
  org verify-domain --account <id> [--production-override]
                                             the operator's override: mark the organization's domain verified
                                             without the DNS TXT check (logged as an audit warning); production
                                             refuses it unless --production-override is given
  org rotate-secret --account <id>           revoke the organization's API key secrets (and the tokens made
                                             from them) and print a new one
  user create --id <login id> [--password-stdin] [--email <e>] [--name <n>] [--phone <p>]
                                             create an end user (with an ID wallet); prints account_id;
                                             the password from stdin, ${PASSWORD_ENV}, or a prompt on a terminal
  user set-password --id <login id or email> [--password-stdin]
                                             set a new password (from stdin or ${PASSWORD_ENV}); ends every
                                             session of the account
  keys rotate                                a new token signing key signs from now on (the kit's access tokens,
                                             the OpenID provider's ID tokens, the OID4VCI issuer's credentials);
                                             earlier tokens and credentials stay valid
  keys retire <kid>                          a rotated key stops verifying: the tokens it signed are refused
                                             (running instances within 5 s); an OIDC kid leaves the OP's JWKS
  oidc client create --name <n> --redirect-uri <uri> [--redirect-uri <uri>…] [--post-logout-redirect-uri <uri>…] [--public]
                                             register a relying party; prints client_id and client_secret (shown once;
                                             --public: no secret, PKCE only)
  oidc client list                           the registered relying parties (no secrets)
  oidc client delete --client-id <id>        remove a relying party; its tokens stop working
  chain seal-key                             read a sender private key (0x + 64 hex) from stdin; print it sealed under
                                             the master key (W3KIT_CHAIN_SENDER_KEY_SEALED) and its address (fund it)
  chain deploy                               deploy the credential NFT contract from the sender key; print its address
                                             (W3KIT_CHAIN_CONTRACT)
  chain jobs [--status pending|submitted|confirmed|failed]
                                             the chain jobs (oldest first, at most 1000), with status, nonce, tx hash, error
  chain retry <job id>                       send a failed job again, from scratch (a new nonce)
  wallet create [--wallet <file>]            a development wallet: a new secp256k1 key and its did:ethr in a file of its own
                                             (mode 0600; default $W3KIT_WALLET or data/wallet.json); the key is never sent
  wallet credential --token <user token> [--name <n>] [--server <url>]
                                             get a credential issued to the wallet's DID (create-vc with the user's token,
                                             or W3KIT_TOKEN); kept in the wallet file
  wallet login '<requestId>' [--server <url>]
                                             answer a website login (the text under the QR code of /v2/login-demo) with a
                                             VP the wallet signs itself (did-jwt-vc)
  wallet sign-claim --topic <n> --data <text>
                                             sign an Origin identity claim (ERC725 hash of the wallet's address, topic, data)
                                             as the identity's owner; prints hash, signature and signer
  wallet receive '<offer>' [--tx-code <code>] [--server <url>]
                                             receive an SD-JWT VC by OpenID4VCI (the openid-credential-offer://… link of an
                                             offer; --tx-code when the offer asks for one), checked against the issuer's key
  wallet present '<openid4vp://…>' [--server <url>]
                                             answer an OpenID4VP request (the text under the QR code of /oid4vp/login):
                                             discloses only the claims its DCQL query asks for
  dev seed [--json]                          development only: a demo organization (verified domain), an end user,
                                             an NFT minted to the user and a VC; prints their secrets and curl lines
  help                                       show this text

Passwords: --password-stdin reads standard input (one trailing line break dropped);
otherwise ${PASSWORD_ENV}; otherwise user create asks on the terminal, without echo.
--password <p> still works but warns: the command line is visible to every process listing.

The database and keys come from the same environment variables as the server
(DATABASE_URL, W3KIT_MASTER_KEY, …; see the README).`;

/**
 * The server's environment, read as the server reads it. Loaded on first use: env-config pulls in
 * @w3kit/core, which `help` and the wallet commands do not need (CLI start time).
 */
const loadServerConfig = async (): Promise<ServerConfig> => (await import('./env-config.js')).loadServerConfig();

const redactDatabaseUrl = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

/** One CLI command: runs with the parsed options and prints JSON (or text) to stdout. */
type Command = (args: string[]) => Promise<void>;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Opens the kit (migrations run), hands it to `work`, prints the result (one JSON line unless `print` says otherwise). */
async function withKit<T>(work: (kit: Kit, config: ServerConfig) => Promise<T>, print: (result: T) => string = (r) => `${JSON.stringify(r)}\n`): Promise<void> {
  const config = await loadServerConfig();
  // log lines (warnings, audit lines) go to stderr: stdout is the command's answer
  // loaded here, not at the top: `help` and the wallet need none of the plugins (CLI start time)
  const { createStandaloneServer } = await import('./server.js');
  const { kit } = await createStandaloneServer({ ...config, logLevel: 'warn' }, { logTo: 'stderr' });
  try {
    process.stdout.write(print(await work(kit, config)));
  } finally {
    await kit.close();
  }
}

/** withKit for the chain commands: the chain must be configured and deployed. */
async function withChainKit(work: (kit: Kit) => Promise<unknown>): Promise<void> {
  if (!(await loadServerConfig()).chain?.contractAddress) throw new UsageError('no chain configured: set W3KIT_CHAIN_RPC_URL, W3KIT_CHAIN_ID, W3KIT_CHAIN_CONTRACT and W3KIT_CHAIN_SENDER_KEY_SEALED');
  await withKit(work);
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

function required(values: Record<string, string | boolean | undefined>, ...names: string[]): void {
  const missing = names.filter((n) => typeof values[n] !== 'string' || values[n] === '');
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((n) => `--${n}`).join(', ')}`);
}

/** The password of `org create`, `user create` and `user set-password`, from the sources `readPassword` tries. */
const passwordOf = (values: { password?: string | undefined; 'password-stdin'?: boolean | undefined }, prompt: boolean) =>
  readPassword({ flag: values.password, fromStdin: values['password-stdin'], env: process.env, stdin: process.stdin, stderr: process.stderr, prompt });

const PASSWORD_OPTIONS = { password: { type: 'string' }, 'password-stdin': { type: 'boolean' } } as const;

const subcommands =
  (group: string, table: Record<string, Command>): Command =>
  async (args) => {
    const [name, ...rest] = args;
    const command = name ? table[name] : undefined;
    if (!command) throw new UsageError(`${group} needs one of: ${Object.keys(table).join(', ')}`);
    await command(rest);
  };

const commands: Record<string, Command> = {
  async migrate(args) {
    parseArgs({ args, options: {}, strict: true });
    const config = await loadServerConfig();
    const [{ runMigrations }, { loadChainPlugin, standalonePlugins }] = await Promise.all([import('@w3kit/core'), import('./server.js')]);
    const applied = await runMigrations(config.databaseUrl, standalonePlugins(config, await loadChainPlugin(config)));
    process.stdout.write(`${JSON.stringify({ applied, database: redactDatabaseUrl(config.databaseUrl) })}\n`);
  },
  org: subcommands('org', {
    async create(args) {
      const { values } = parseArgs({ args, strict: true, options: { name: { type: 'string' }, domain: { type: 'string' }, email: { type: 'string' }, ...PASSWORD_OPTIONS } });
      required(values, 'name', 'domain', 'email');
      const password = await passwordOf(values, false);
      await withKit(async (kit) => {
        const { account, apiKeySecret } = await kit.services.accountService.createOrganization({
          name: values.name!,
          domain: values.domain!,
          email: values.email!,
          password,
        });
        return { account_id: account.id, api_key_secret: apiKeySecret, id_wallet_address: account.wallet?.address, domain: account.domain };
      });
    },
    async 'verify-domain'(args) {
      const { values } = parseArgs({ args, strict: true, options: { account: { type: 'string' }, 'production-override': { type: 'boolean' } } });
      required(values, 'account');
      if ((await loadServerConfig()).mode === 'production' && values['production-override'] !== true) {
        throw new UsageError(
          'org verify-domain skips the proof that the organization controls its domain; in production (NODE_ENV=production) pass --production-override to do it anyway (it is logged), or let the organization publish its TXT record and call /rest/v1/auth/verify/domain/step2',
        );
      }
      await withKit(async (kit, config) => {
        if (config.mode === 'production') process.stderr.write('w3kit: production override: the domain is marked verified without a DNS check; the audit line is in the log\n');
        return kit.services.verificationService.verifyDomainByOperator(values.account!, { operator: 'w3kit org verify-domain', mode: config.mode });
      });
    },
    async 'rotate-secret'(args) {
      const { values } = parseArgs({ args, strict: true, options: { account: { type: 'string' } } });
      required(values, 'account');
      await withKit(async (kit) => ({ account_id: values.account, api_key_secret: await kit.services.apiKeyService.rotate(values.account!) }));
    },
  }),
  user: subcommands('user', {
    async create(args) {
      const { values } = parseArgs({
        args,
        strict: true,
        options: { id: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' }, phone: { type: 'string' }, ...PASSWORD_OPTIONS },
      });
      required(values, 'id');
      const password = await passwordOf(values, true);
      if (password === undefined) throw new UsageError(`missing password: pipe it with --password-stdin, set ${PASSWORD_ENV}, or run on a terminal to be asked`);
      await withKit(async (kit) => {
        const account = await kit.services.accountService.createEndUser({
          loginId: values.id!,
          password,
          ...(values.email ? { email: values.email } : {}),
          ...(values.name ? { name: values.name } : {}),
          ...(values.phone ? { phoneNumber: values.phone } : {}),
        });
        return { account_id: account.id, login_id: account.loginId, id_wallet_address: account.wallet?.address };
      });
    },
    async 'set-password'(args) {
      const { values } = parseArgs({ args, strict: true, options: { id: { type: 'string' }, ...PASSWORD_OPTIONS } });
      required(values, 'id');
      const password = await passwordOf(values, true);
      if (password === undefined) throw new UsageError(`missing password: pipe it with --password-stdin, set ${PASSWORD_ENV}, or run on a terminal to be asked`);
      await withKit(async (kit) => {
        const account = await kit.services.accountService.findByLoginId(values.id!);
        if (!account) throw new UsageError(`no account has the login id or email "${values.id}"`);
        const { sessionsRevoked } = await kit.services.accountService.changePassword(account.id, password);
        return { account_id: account.id, sessions_revoked: sessionsRevoked };
      });
    },
  }),
  keys: subcommands('keys', {
    async rotate(args) {
      parseArgs({ args, options: {}, strict: true });
      await withKit(async (kit) => ({
        ...(await kit.services.tokenService.rotateSigningKey()),
        oidc_kid: (await kit.services.oidcSigningKeys.rotate()).kid,
        // the credential issuer's key, when the issuer is composed (OID4VCI)
        ...(kit.container.hasRegistration('oid4vciIssuerKeys') ? { oid4vci_kid: (await kit.services.oid4vciIssuerKeys.rotate()).kid } : {}),
      }));
    },
    async retire(args) {
      // no options: every argument is the kid, which may begin with "-" (a JWK thumbprint is base64url, one in 64 does)
      const [kid, ...extra] = args[0] === '--' ? args.slice(1) : args;
      if (!kid || extra.length > 0) throw new UsageError('keys retire needs exactly one <kid> (see /.well-known/jwks.json)');
      await withKit(async (kit) => {
        // A kid names a key of the kit's access tokens or of the OpenID provider (see /oidc/jwks).
        const oidcKeys = (await kit.services.oidcSigningKeys.keySet()).keys.map((k) => k.kid);
        if (oidcKeys.includes(kid)) await kit.services.oidcSigningKeys.retire(kid);
        else await kit.services.tokenService.retireSigningKey(kid);
        return { retired: kid };
      });
    },
  }),
  oidc: subcommands('oidc', {
    client: subcommands('oidc client', {
      async create(args) {
        const { values } = parseArgs({
          args,
          strict: true,
          options: { name: { type: 'string' }, 'redirect-uri': { type: 'string', multiple: true }, 'post-logout-redirect-uri': { type: 'string', multiple: true }, public: { type: 'boolean' } },
        });
        required(values as Record<string, string | undefined>, 'name');
        if (!values['redirect-uri']?.length) throw new UsageError('missing --redirect-uri');
        await withKit(async (kit) =>
          kit.services.oidcClientService.create({
            name: values.name!,
            redirectUris: values['redirect-uri']!,
            postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
            public: values.public === true,
          }),
        );
      },
      async list(args) {
        parseArgs({ args, options: {}, strict: true });
        await withKit(async (kit) => kit.services.oidcClientService.list());
      },
      async delete(args) {
        const { values } = parseArgs({ args, strict: true, options: { 'client-id': { type: 'string' } } });
        required(values, 'client-id');
        await withKit(async (kit) => {
          if (!(await kit.services.oidcClientService.remove(values['client-id']!))) throw new UsageError(`no client has the id "${values['client-id']}"`);
          return { deleted: values['client-id'] };
        });
      },
    }),
  }),
  chain: subcommands('chain', {
    async 'seal-key'(args) {
      parseArgs({ args, options: {}, strict: true });
      const config = await loadServerConfig();
      const [{ sealSenderKey }, { createEnvelopeEncryption }] = await Promise.all([import('@w3kit/chain'), import('@w3kit/core')]);
      const key = (await readStdin()).trim();
      process.stdout.write(`${JSON.stringify(sealSenderKey(createEnvelopeEncryption(config.masterKey, config.previousMasterKeys), key))}\n`);
    },
    async deploy(args) {
      parseArgs({ args, options: {}, strict: true });
      const config = await loadServerConfig();
      if (!config.chain) throw new UsageError('set W3KIT_CHAIN_RPC_URL, W3KIT_CHAIN_ID and W3KIT_CHAIN_SENDER_KEY_SEALED first');
      const [{ deployWithSealedKey }, { createEnvelopeEncryption }] = await Promise.all([import('@w3kit/chain'), import('@w3kit/core')]);
      const encryption = createEnvelopeEncryption(config.masterKey, config.previousMasterKeys);
      const deployed = await deployWithSealedKey({ rpcUrl: config.chain.rpcUrl, chainId: config.chain.chainId, senderKeySealed: config.chain.senderKeySealed, encryption });
      process.stdout.write(`${JSON.stringify({ contract_address: deployed.contractAddress, tx_hash: deployed.txHash, minter: deployed.minter })}\n`);
    },
    async jobs(args) {
      const { values } = parseArgs({ args, strict: true, options: { status: { type: 'string' } } });
      const status = values.status;
      if (status !== undefined && !['pending', 'submitted', 'confirmed', 'failed'].includes(status)) throw new UsageError('--status is pending, submitted, confirmed or failed');
      await withChainKit(async (kit) =>
        (await kit.services.chainJobStore.list((status as 'failed' | undefined) ?? null, 1000)).map((j) => ({
          job_id: j.id,
          token_id: j.tokenId,
          kind: j.kind,
          status: j.status,
          nonce: j.nonce,
          tx_hash: j.txHash,
          block_number: j.blockNumber,
          attempts: j.attempts,
          error: j.error,
        })),
      );
    },
    async retry(args) {
      const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
      const [job, ...extra] = positionals;
      if (!job || extra.length > 0) throw new UsageError('chain retry needs exactly one <job id> (see w3kit chain jobs --status failed)');
      await withChainKit(async (kit) => {
        if (!(await kit.services.chainJobStore.retry(job, Date.now()))) throw new UsageError(`no failed job has the id "${job}"`);
        return { retried: job, status: 'pending' };
      });
    },
  }),
  dev: subcommands('dev', {
    async seed(args) {
      const { values } = parseArgs({ args, strict: true, options: { json: { type: 'boolean' } } });
      const { mode, publicUrl } = await loadServerConfig();
      if (mode === 'production') throw new UsageError('dev seed makes demo accounts with known secrets and runs in development only; this is production (NODE_ENV=production)');
      await withKit(
        (kit, config) => seedDemo(kit, config),
        (seed) => (values.json ? `${JSON.stringify(seed)}\n` : describeSeed(seed, publicUrl)),
      );
    },
  }),
  async wallet(args) {
    const { walletCommands } = await import('./wallet/wallet-commands.js');
    const [name, ...rest] = args;
    const command = name ? walletCommands[name] : undefined;
    if (!command) throw new UsageError(`wallet needs one of: ${Object.keys(walletCommands).join(', ')}`);
    await command(rest, process.env);
  },
  async help() {
    process.stdout.write(`${USAGE}\n`);
  },
};

async function main(argv: string[]): Promise<void> {
  const [name = 'help', ...args] = argv;
  const command = commands[name];
  if (!command) {
    process.stderr.write(`w3kit: unknown command "${name}"\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  await command(args);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const e = error as Error & { code?: string; status?: number };
  const usage = e instanceof UsageError || e.code?.startsWith('ERR_PARSE_ARGS') === true;
  const badPassword = e instanceof PasswordSourceError;
  // configuration errors, bad input and the kit's own errors (409 account exists…) are the operator's to fix: no stack
  const known = usage || badPassword || e instanceof WalletError || e.name === 'EnvConfigError' || e.name === 'KitConfigError' || e.name === 'KitError' || e instanceof TypeError;
  const issues = (e as { issues?: unknown }).issues;
  process.stderr.write(
    `w3kit: ${known ? e.message : (e.stack ?? String(e))}${known && Array.isArray(issues) && issues.length > 0 ? ` ${JSON.stringify(issues)}` : ''}\n${usage ? `\n${USAGE}\n` : ''}`,
  );
  process.exitCode = usage || badPassword ? 2 : 1;
});
