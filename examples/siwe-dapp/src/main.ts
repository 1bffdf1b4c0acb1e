// `pnpm --filter @w3kit/example-siwe-dapp start`: the dapp on http://127.0.0.1:3100, SQLite in memory,
// sign-ins on chain 31337 (a local anvil at SIWE_RPC_URL, default http://127.0.0.1:8545).
import { randomBytes } from 'node:crypto';
import { startDappServer } from './dapp-server.js';

const server = await startDappServer({
  databaseUrl: 'sqlite::memory:',
  chains: [{ chainId: Number(process.env['SIWE_CHAIN_ID'] ?? 31337), rpcUrl: process.env['SIWE_RPC_URL'] ?? 'http://127.0.0.1:8545' }],
  port: Number(process.env['PORT'] ?? 3100),
  config: { mode: 'development', masterKey: randomBytes(32).toString('hex') },
});
console.log(`dapp at ${server.url} (a throwaway database and master key: development only)`);
