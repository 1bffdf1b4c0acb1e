#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { runMigrations, type Kit } from '@w3kit/core';
import { PASSWORD_ENV, PasswordSourceError, readPassword } from './cli-password.js';
import { EnvConfigError, loadServerConfig } from './env-config.js';
import { createStandaloneServer, standalonePlugins } from './server.js';

const USAGE = `usage: w3kit <command> [options]

commands:
  migrate                                    apply pending database migrations of core and every plugin
  org create --name <n> --domain <d> --email <e> [--password-stdin]
                                             create an organization; prints account_id and api_key_secret (shown once);
                                             a password (optional) from stdin or ${PASSWORD_ENV}
  org rotate-secret --account <id>           revoke the organization's API key secrets (and the tokens made
                                             from them) and print a new one
  user create --id <login id> [--password-stdin] [--email <e>] [--name <n>] [--phone <p>]
                                             create an end user (with an ID wallet); prints account_id;
                                             the password from stdin, ${PASSWORD_ENV}, or a prompt on a terminal
  user set-password --id <login id or email> [--password-stdin]
                                             set a new password (from stdin or ${PASSWORD_ENV}); ends every
                                             session of the account
  keys rotate                                a new token signing key signs from now on (the kit's access tokens and
                                             the OpenID provider's ID tokens); earlier tokens stay valid
  keys retire <kid>                          a rotated key stops verifying: the tokens it signed are refused
                                             (running instances within 5 s); an OIDC kid leaves the OP's JWKS
  oidc client create --name <n> --redirect-uri <uri> [--redirect-uri <uri>…] [--post-logout-redirect-uri <uri>…] [--public]
                                             register a relying party; prints client_id and client_secret (shown once;
                                             --public: no secret, PKCE only)
  oidc client list                           the registered relying parties (no secrets)
  oidc client delete --client-id <id>        remove a relying party; its tokens stop working
  help                                       show this text

Passwords: --password-stdin reads standard input (one trailing line break dropped);
otherwise ${PASSWORD_ENV}; otherwise user create asks on the terminal, without echo.
--password <p> still works but warns: the command line is visible to every process listing.

The database and keys come from the same environment variables as the server
(DATABASE_URL, W3KIT_MASTER_KEY, …; see the README).`;

const redactDatabaseUrl = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

/** One CLI command: runs with the parsed options and prints JSON (or text) to stdout. */
type Command = (args: string[]) => Promise<void>;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Opens the kit (migrations run), hands it to `work`, prints the result as one JSON line. */
async function withKit(work: (kit: Kit) => Promise<unknown>): Promise<void> {
  const config = loadServerConfig();
  const { kit } = await createStandaloneServer({ ...config, logLevel: 'warn' });
  try {
    process.stdout.write(`${JSON.stringify(await work(kit))}\n`);
  } finally {
    await kit.close();
  }
}

function required(values: Record<string, string | boolean | undefined>, ...names: string[]): void {
  const missing = names.filter((n) => typeof values[n] !== 'string' || values[n] === '');
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((n) => `--${n}`).join(', ')}`);
}

/** The password of `org create`, `user create` and `user set-password`, from the sources `readPassword` tries. */
const passwordOf = (values: { password?: string | undefined; 'password-stdin'?: boolean | undefined }, prompt: boolean) =>
  readPassword({ flag: values.password, fromStdin: values['password-stdin'], env: process.env, stdin: process.stdin, stderr: process.stderr, prompt });

const PASSWORD_OPTIONS = { password: { type: 'string' }, 'password-stdin': { type: 'boolean' } } as const;

const subcommands = (group: string, table: Record<string, Command>): Command => async (args) => {
  const [name, ...rest] = args;
  const command = name ? table[name] : undefined;
  if (!command) throw new UsageError(`${group} needs one of: ${Object.keys(table).join(', ')}`);
  await command(rest);
};

const commands: Record<string, Command> = {
  async migrate(args) {
    parseArgs({ args, options: {}, strict: true });
    const config = loadServerConfig();
    const applied = await runMigrations(config.databaseUrl, standalonePlugins(config));
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
      await withKit(async (kit) => ({ ...(await kit.services.tokenService.rotateSigningKey()), oidc_kid: (await kit.services.oidcSigningKeys.rotate()).kid }));
    },
    async retire(args) {
      const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
      const [kid, ...extra] = positionals;
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
  const known = usage || badPassword || e instanceof EnvConfigError || e.name === 'KitConfigError' || e.name === 'KitError' || e instanceof TypeError;
  process.stderr.write(`w3kit: ${known ? e.message : (e.stack ?? String(e))}\n${usage ? `\n${USAGE}\n` : ''}`);
  process.exitCode = usage || badPassword ? 2 : 1;
});
