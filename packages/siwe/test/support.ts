import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, type CreateKitOptions, type Kit, type KitConfigInput } from '@w3kit/core';
import { appFor, compileSolidity, startAnvil, type Anvil, type CompiledContract } from '@w3kit/core/testing';
import { siwe, type SiweOptions } from '@w3kit/siwe';
import { Contract, ContractFactory, hashMessage, JsonRpcProvider, Wallet, type Signer } from 'ethers';
import request from 'supertest';
import { startKitServer } from '../../auth/test/association-support.js';
import { createSiweMessage, type CreateSiweMessageParameters } from 'viem/siwe';

export const MASTER_KEY = randomBytes(32).toString('hex');
export const DAPP = 'https://dapp.example';

/** A kit with auth and siwe on `url`: test-speed hashing, no background sweeps. */
export function siweKit(url: string, options: SiweOptions, extra: Omit<Partial<CreateKitOptions>, 'config'> & { config?: Partial<KitConfigInput> } = {}): Promise<Kit> {
  return createKit({
    database: url,
    plugins: [auth(), siwe(options)],
    logger: createLogger({ level: 'silent' }),
    ...extra,
    config: { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: 'http://127.0.0.1:3000', ...extra.config },
  });
}

/** A real chain with the test wallet contracts: a deployed EIP-1271 wallet and a CREATE2 factory for counterfactual ones. */
export interface TestChain {
  anvil: Anvil;
  provider: JsonRpcProvider;
  deployer: Signer;
  contracts: Record<string, CompiledContract>;
  factory: Contract;
  /** Deploys an OwnedWallet for `owner`; its address. */
  deployWallet(owner: string): Promise<string>;
}

export async function startTestChain(): Promise<TestChain> {
  const contracts = compileSolidity({ 'OwnedWallet.sol': readFileSync(new URL('./contracts/OwnedWallet.sol', import.meta.url), 'utf8') });
  const anvil = await startAnvil();
  const provider = new JsonRpcProvider(anvil.url, anvil.chainId, { staticNetwork: true, pollingInterval: 50 });
  const deployer = await provider.getSigner(0);
  const deploy = async (name: string, ...args: unknown[]) => {
    const { abi, bytecode } = contracts[name]!;
    const contract = await new ContractFactory(abi as never, bytecode, deployer).deploy(...args);
    await contract.waitForDeployment();
    return contract as Contract;
  };
  const factory = await deploy('WalletFactory');
  return { anvil, provider, deployer, contracts, factory, deployWallet: async (owner) => (await deploy('OwnedWallet', owner)).getAddress() };
}

/** A fresh EOA key (not funded: signing needs no gas). */
export const newKey = () => new Wallet(`0x${randomBytes(32).toString('hex')}`);

/** The raw secp256k1 signature of the message's EIP-191 hash, as an OwnedWallet's owner gives it for EIP-1271. */
export const ownerSignature = (owner: Wallet, message: string) => owner.signingKey.sign(hashMessage(message)).serialized;

/** An EIP-4361 message for the dapp origin, with the fields a test does not set at their usual values. */
export function message(fields: Partial<CreateSiweMessageParameters> & Pick<CreateSiweMessageParameters, 'address' | 'nonce' | 'chainId'>): string {
  return createSiweMessage({
    domain: 'dapp.example',
    uri: `${DAPP}/login`,
    version: '1',
    statement: 'Sign in to the dapp.',
    issuedAt: new Date(),
    ...fields,
  });
}

/** The HTTP side of a siwe kit: nonce and verify over supertest. */
export function siweApi(kit: Kit) {
  const app = appFor(kit).callback();
  return {
    app,
    async nonce(): Promise<string> {
      const res = await request(app).post('/v2/auth/siwe/nonce').send({});
      if (res.status !== 201) throw new Error(`nonce: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { nonce: string }).nonce;
    },
    verify: (body: object) => request(app).post('/v2/auth/siwe/verify').send(body),
    link: (body: object, token: string) => request(app).post('/v2/auth/siwe/link').set('authorization', `Bearer ${token}`).send(body),
    addresses: (token: string) => request(app).get('/v2/auth/siwe/addresses').set('authorization', `Bearer ${token}`),
  };
}

/** What a page needs of playwright to get a wallet (structural, so support.ts does not import playwright). */
interface WalletPage {
  exposeFunction(name: string, callback: (method: string, params: unknown[]) => unknown): Promise<unknown>;
  addInitScript(script: string): Promise<unknown>;
}

/**
 * A browser wallet stand-in: an injected EIP-1193 provider (`window.ethereum`) backed by one of
 * anvil's unlocked accounts. Every request goes to anvil, which signs `personal_sign` with the
 * account's key; `eth_requestAccounts` answers that one account. Returns its address.
 */
export async function injectAnvilWallet(page: WalletPage, anvil: Anvil, accountIndex = 0): Promise<string> {
  const accounts = await anvil.rpc<string[]>('eth_accounts');
  const account = accounts[accountIndex]!;
  await page.exposeFunction('__anvilWallet', async (method: string, params: unknown[]) => {
    try {
      if (method === 'eth_requestAccounts' || method === 'eth_accounts') return { result: [account] };
      return { result: await anvil.rpc(method, params) };
    } catch (error) {
      return { error: { code: 4001, message: (error as Error).message } };
    }
  });
  await page.addInitScript(`window.ethereum = {
    isAnvilStandIn: true,
    request: ({ method, params }) => window.__anvilWallet(method, params || []).then((answer) => {
      if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
      return answer.result;
    }),
  };`);
  return account;
}

/**
 * A real HTTP server on 127.0.0.1 serving a kit with auth and siwe whose `publicUrl` is the
 * server's own URL, and the one allowed sign-in origin (the association page is on it).
 */
export function startSiweKitServer(databaseUrl: string, options: Omit<SiweOptions, 'allowedOrigins'>) {
  return startKitServer(databaseUrl, { pluginsFor: (publicUrl) => [auth(), siwe({ ...options, allowedOrigins: [publicUrl] })] });
}
