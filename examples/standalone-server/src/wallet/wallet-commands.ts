import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { connectKit } from './kit-connection.js';
import { newHolderKey, receiveCredential } from './oid4vci-receive.js';
import { presentCredentials } from './oid4vp-present.js';
import { answerLogin, requestCredential, requestIdOf, signClaim } from './wallet-actions.js';
import { WalletError } from './wallet-error.js';
import { createWalletFile, readWalletFile, saveWalletFile, type WalletFile } from './wallet-file.js';

const WALLET_OPTIONS = { wallet: { type: 'string' }, server: { type: 'string' } } as const;

/** `--wallet`, else W3KIT_WALLET, else `<W3KIT_DATA_DIR or ./data>/wallet.json`. */
const walletPath = (flag: string | undefined, env: NodeJS.ProcessEnv) => resolve(flag ?? env['W3KIT_WALLET'] ?? join(env['W3KIT_DATA_DIR'] ?? 'data', 'wallet.json'));
/** `--server`, else W3KIT_URL (dev seed's demo.env), else PUBLIC_URL, else the server's default address. */
const serverUrl = (flag: string | undefined, env: NodeJS.ProcessEnv) => flag ?? env['W3KIT_URL'] ?? env['PUBLIC_URL'] ?? `http://127.0.0.1:${env['PORT'] || '3000'}`;

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

/** The one positional of a command, or a WalletError that says what to pass. */
function onePositional(positionals: string[], message: string): string {
  if (positionals.length !== 1) throw new WalletError(message);
  return positionals[0]!;
}

/** An offer lives minutes on the kit (offerTtlSeconds, 600): a copy kept longer is of no use. */
const PENDING_OFFER_MS = 3600_000;

/** The wallet's pending offers with `offerUri` set to `offer` (or dropped), and stale ones dropped. */
function withPendingOffer(wallet: WalletFile, offerUri: string, offer: unknown): WalletFile {
  const now = Date.now();
  const kept = Object.entries(wallet.pendingOffers ?? {}).filter(([uri, p]) => uri !== offerUri && now - Date.parse(p.savedAt) < PENDING_OFFER_MS);
  if (offer !== undefined) kept.push([offerUri, { offer, savedAt: new Date(now).toISOString() }]);
  return { ...wallet, pendingOffers: Object.fromEntries(kept) };
}

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
  async receive(args, env) {
    const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { ...WALLET_OPTIONS, 'tx-code': { type: 'string' } } });
    const offerUri = onePositional(positionals, "wallet receive needs exactly one '<offer>': the openid-credential-offer://… link of the offer (its page shows it), in quotes");
    const path = walletPath(values.wallet, env);
    let wallet = readWalletFile(path);
    if (!wallet.holderKey) {
      wallet = { ...wallet, holderKey: newHolderKey() };
      saveWalletFile(path, wallet);
    }
    const kit = await connectKit(serverUrl(values.server, env));
    const received = await receiveCredential(wallet, kit, { offerUri, txCode: values['tx-code'], holderKey: wallet.holderKey! }, (offer) => {
      wallet = withPendingOffer(wallet, offerUri, offer);
      saveWalletFile(path, wallet);
    });
    wallet = { ...wallet, sdJwtVcs: [...(wallet.sdJwtVcs ?? []), received.stored] };
    saveWalletFile(path, wallet);
    print({ issuer: received.stored.issuer, vct: received.stored.vct, format: received.stored.format, claims: received.claims, sd_jwt_vcs: wallet.sdJwtVcs!.length });
  },
  async present(args, env) {
    const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: WALLET_OPTIONS });
    const request = onePositional(positionals, "wallet present needs exactly one '<request>': the openid4vp://… text under the QR code of /oid4vp/login, in quotes");
    const wallet = readWalletFile(walletPath(values.wallet, env));
    const kit = await connectKit(serverUrl(values.server, env));
    const presented = await presentCredentials(kit, request, wallet.sdJwtVcs ?? [], wallet.holderKey);
    print({ client_id: presented.clientId, response_mode: presented.responseMode, disclosed: presented.disclosed, ...(presented.redirectUri ? { redirect_uri: presented.redirectUri } : {}) });
  },
};
