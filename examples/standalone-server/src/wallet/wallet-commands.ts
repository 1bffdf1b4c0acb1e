import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { answerLogin, requestCredential, requestIdOf, signClaim } from './wallet-actions.js';
import { WalletError } from './wallet-error.js';
import { createWalletFile, readWalletFile, saveWalletFile } from './wallet-file.js';

const WALLET_OPTIONS = { wallet: { type: 'string' }, server: { type: 'string' } } as const;

/** `--wallet`, else W3KIT_WALLET, else `<W3KIT_DATA_DIR or ./data>/wallet.json`. */
const walletPath = (flag: string | undefined, env: NodeJS.ProcessEnv) => resolve(flag ?? env['W3KIT_WALLET'] ?? join(env['W3KIT_DATA_DIR'] ?? 'data', 'wallet.json'));
/** `--server`, else W3KIT_URL (dev seed's demo.env), else PUBLIC_URL, else the server's default address. */
const serverUrl = (flag: string | undefined, env: NodeJS.ProcessEnv) => flag ?? env['W3KIT_URL'] ?? env['PUBLIC_URL'] ?? `http://127.0.0.1:${env['PORT'] || '3000'}`;

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

/** The `w3kit wallet …` commands: a holder on the person's machine that talks to the server over HTTP only. */
export const walletCommands: Record<string, (args: string[], env: NodeJS.ProcessEnv) => Promise<void>> = {
  async create(args, env) {
    const { values } = parseArgs({ args, strict: true, options: WALLET_OPTIONS });
    const path = walletPath(values.wallet, env);
    const wallet = createWalletFile(path);
    print({ wallet: path, did: wallet.did, address: wallet.address });
  },
  async credential(args, env) {
    const { values } = parseArgs({ args, strict: true, options: { ...WALLET_OPTIONS, token: { type: 'string' }, name: { type: 'string' } } });
    const token = values.token ?? env['W3KIT_TOKEN'];
    if (!token) throw new WalletError('wallet credential needs a user access token: --token <token> or W3KIT_TOKEN (the token of auth-user, or of `w3kit dev seed`)');
    const path = walletPath(values.wallet, env);
    const wallet = readWalletFile(path);
    const jwt = await requestCredential(wallet, serverUrl(values.server, env), token, { name: values.name ?? 'Wallet holder' });
    saveWalletFile(path, { ...wallet, credentials: [...wallet.credentials, jwt] });
    print({ did: wallet.did, credentials: wallet.credentials.length + 1 });
  },
  async login(args, env) {
    const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: WALLET_OPTIONS });
    if (positionals.length !== 1) throw new WalletError('wallet login needs exactly one <requestId>: the text under the QR code of the login page, in quotes');
    const wallet = readWalletFile(walletPath(values.wallet, env));
    print(await answerLogin(wallet, serverUrl(values.server, env), requestIdOf(positionals[0]!)));
  },
  async 'sign-claim'(args, env) {
    const { values } = parseArgs({ args, strict: true, options: { ...WALLET_OPTIONS, topic: { type: 'string' }, data: { type: 'string' } } });
    const topic = Number(values.topic);
    if (!Number.isInteger(topic) || topic < 0)
      throw new WalletError('wallet sign-claim needs --topic <claim type> (facebook 3, twitter 4, phone 10, email 11) and --data <text> (like "phone verified")');
    if (!values.data) throw new WalletError('wallet sign-claim needs --data <text> (like "phone verified")');
    print(signClaim(readWalletFile(walletPath(values.wallet, env)), topic, values.data));
  },
};
