import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { auth } from '@w3kit/auth';
import { chain, CREDENTIAL_NFT_ABI } from '@w3kit/chain';
import { createKit, createLogger, type Kit } from '@w3kit/core';
import { startAnvil, type Anvil } from '@w3kit/core/testing';
import { nft } from '@w3kit/nft';
import { Contract, JsonRpcProvider, toBeHex, Wallet } from 'ethers';

const CLI = join(resolve(import.meta.dirname, '..'), 'dist/cli.js');

describe('chain CLI: w3kit chain seal-key, deploy, jobs and retry', function () {
  this.timeout(90_000);
  let dir: string;
  let anvil: Anvil;
  let provider: JsonRpcProvider;
  const sender = Wallet.createRandom();
  const stranger = Wallet.createRandom();
  const env: Record<string, string> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-chain-cli-'));
    anvil = await startAnvil();
    provider = new JsonRpcProvider(anvil.url, anvil.chainId, { staticNetwork: true, pollingInterval: 50 });
    for (const w of [sender, stranger]) await anvil.rpc('anvil_setBalance', [w.address, toBeHex(10n ** 21n)]);
  });
  after(async () => {
    provider?.destroy();
    await anvil?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[], input = '') => spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'], W3KIT_DATA_DIR: dir, OIDC: 'false', ...env }, input, encoding: 'utf8' });

  /** A kit on the CLI's database, sending with `key` (sealed by the CLI itself). */
  async function kitWith(sealed: string): Promise<Kit> {
    return createKit({
      database: `sqlite:${join(dir, 'w3kit.db')}`,
      plugins: [
        auth(),
        nft({ defaultVisibility: 'public' }),
        chain({ rpcUrl: anvil.url, chainId: anvil.chainId, contractAddress: env['W3KIT_CHAIN_CONTRACT']!, senderKeySealed: sealed, confirmations: 1, pollIntervalMs: 50 }),
      ],
      logger: createLogger({ level: 'silent' }),
      config: { masterKey: readFileSync(join(dir, 'master-key'), 'utf8').trim(), mode: 'test', housekeepingIntervalSeconds: 0, publicUrl: 'https://id.example.com' },
    });
  }

  it('chain CLI: seal-key prints the key sealed (never in clear) and its address; deploy deploys the contract with that key as its minter; a failed job is listed and retried', async () => {
    const sealed = cli(['chain', 'seal-key'], `${sender.privateKey}\n`);
    assert.equal(sealed.status, 0, sealed.stderr);
    const out = JSON.parse(sealed.stdout) as { sealed: string; address: string };
    assert.equal(out.address, sender.address);
    assert.ok(!sealed.stdout.includes(sender.privateKey.slice(2)), 'the key is not printed');
    const badKey = cli(['chain', 'seal-key'], 'not-a-key\n');
    assert.equal(badKey.status, 1);
    assert.match(badKey.stderr, /the sender key must be 0x \+ 64 hex characters/);

    Object.assign(env, { W3KIT_CHAIN_RPC_URL: anvil.url, W3KIT_CHAIN_ID: String(anvil.chainId), W3KIT_CHAIN_SENDER_KEY_SEALED: out.sealed });
    const deployed = cli(['chain', 'deploy']);
    assert.equal(deployed.status, 0, deployed.stderr);
    const { contract_address, minter } = JSON.parse(deployed.stdout) as { contract_address: string; minter: string };
    assert.equal(minter, sender.address);
    assert.equal(await new Contract(contract_address, CREDENTIAL_NFT_ABI, provider).getFunction('minter')(), sender.address);
    env['W3KIT_CHAIN_CONTRACT'] = contract_address;

    // a job that fails: the kit signs with a key that is not the minter
    const strangerSealed = JSON.parse(cli(['chain', 'seal-key'], stranger.privateKey).stdout).sealed as string;
    let kit = await kitWith(strangerSealed);
    const { account: org } = await kit.services.accountService.createOrganization({ name: 'Org', domain: 'org-cli.test', email: 'ops@org-cli.test' });
    await kit.services.accountStore.update(org.id, { domainVerified: true }, new Date());
    const holder = await kit.services.accountService.createEndUser({ loginId: 'cli-holder', email: 'h@example.com', password: 'pw-123456' });
    const token = await kit.services.nftService.mint({ accountId: org.id, accountType: 'organization' } as never, {
      holderAddress: holder.wallet!.address,
      metadata: { static: { issuer: 'Org', contents_provider: 'Org', name: 'N', description: 'D', image: '', link: '', animation_url: '' }, dynamic: {} },
    });
    const until = async (status: string) => {
      for (let i = 0; i < 400; i++) {
        const job = (await kit.services.chainJobStore.list(null, 10)).find((j) => j.tokenId === token.token_id);
        if (job?.status === status) return job;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no ${status} job`);
    };
    const failed = await until('failed');
    await kit.close();

    const listed = cli(['chain', 'jobs', '--status', 'failed']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(
      JSON.parse(listed.stdout).map((j: { job_id: string; error: string }) => [j.job_id, j.error]),
      [[failed.id, 'reverted: only the minter']],
    );
    const retried = cli(['chain', 'retry', failed.id]);
    assert.equal(retried.status, 0, retried.stderr);
    assert.deepEqual(JSON.parse(retried.stdout), { retried: failed.id, status: 'pending' });
    const again = cli(['chain', 'retry', failed.id]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, new RegExp(`no failed job has the id "${failed.id}"`));
    const missing = cli(['chain', 'retry']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /chain retry needs exactly one <job id>/);

    // the right key now: the retried job is sent and confirmed
    kit = await kitWith(out.sealed);
    try {
      await until('confirmed');
      assert.equal(await new Contract(contract_address, CREDENTIAL_NFT_ABI, provider).getFunction('ownerOf')(BigInt(token.token_id)), holder.wallet!.address);
    } finally {
      await kit.close();
    }
  });
});
