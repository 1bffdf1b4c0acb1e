import { randomBytes } from 'node:crypto';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, type Kit } from '@w3kit/core';
import { createTestDatabase, mountedApp, rootMount, type ManualClock, type TestApp, type TestDatabase, type TestDatabaseKind } from '@w3kit/core/testing';
import { canonicalJson, nft, type NftOptions } from '@w3kit/nft';
import { computeAddress, keccak256, toUtf8Bytes } from 'ethers';
import request from 'supertest';
import { sampleStaticMetadata } from '@w3kit/nft/testing';

export const MASTER_KEY = randomBytes(32).toString('hex');

export function nftKit(url: string, options: { clock?: ManualClock; nft?: NftOptions; mountPath?: string } = {}): Promise<Kit> {
  return createKit({
    database: url,
    plugins: [auth(), nft(options.nft)],
    logger: createLogger({ level: 'silent' }),
    ...(options.clock ? { services: { clock: options.clock } } : {}),
    config: { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: 'https://id.example.com', mountPath: options.mountPath ?? '' },
  });
}

export interface ServedKit {
  db: TestDatabase;
  kit: Kit;
  app: TestApp;
}

/** For the describe block it is called in: a kit on a fresh `kind` database, served at the root, made in `before` and closed in `after`. */
export function servedNftKit(kind: TestDatabaseKind): ServedKit {
  const served = {} as ServedKit;
  before(async () => {
    served.db = await createTestDatabase(kind);
    served.kit = await nftKit(served.db.url);
    served.app = mountedApp(rootMount, served.kit);
  });
  after(async () => {
    await served.kit?.close();
    await served.db?.drop();
  });
  return served;
}

let n = 0;
const unique = () => `${Date.now().toString(36)}${(n++).toString(36)}`;

export interface Actor {
  accountId: string;
  bearer: string;
  address: string;
}

export async function organization(kit: Kit, { verified = true } = {}): Promise<Actor> {
  const domain = `org-${unique()}.test`;
  const { account } = await kit.services.accountService.createOrganization({ name: `Org ${domain}`, domain, email: `ops@${domain}` });
  if (verified) await kit.services.accountStore.update(account.id, { domainVerified: true }, new Date());
  const { token } = await kit.services.tokenService.issueAccessToken(account);
  return { accountId: account.id, bearer: `Bearer ${token}`, address: account.wallet!.address };
}

export async function endUser(kit: Kit): Promise<Actor> {
  const loginId = `u-${unique()}`;
  const account = await kit.services.accountService.createEndUser({ loginId, email: `${loginId}@example.com`, password: 'pw-123456' });
  const { token } = await kit.services.tokenService.issueAccessToken(account);
  return { accountId: account.id, bearer: `Bearer ${token}`, address: account.wallet!.address };
}

export const staticMetadata = sampleStaticMetadata;

export async function mint(app: TestApp, minter: Actor, holder: Actor, body: Record<string, unknown> = {}) {
  const res = await request(app.callback())
    .post(`/rest/v1/nft/mint/to/${holder.address}`)
    .set('authorization', minter.bearer)
    .send({ metadata: { static: staticMetadata(), dynamic: { category: 'diploma', brand: 'acme' } }, ...body });
  if (res.status !== 200) throw new Error(`mint failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.result as { token_id: string; [key: string]: unknown };
}

/** Web3Connect error envelope with its code. */
export function expectError(res: { status: number; body: Record<string, unknown> }, status: number, code: string): void {
  if (res.status !== status || (res.body['error'] as { code?: string } | null)?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  if (res.body['status'] !== 'error' || res.body['result'] !== null) throw new Error(`not an error envelope: ${JSON.stringify(res.body)}`);
}

/** docs/nft.md, "Minter signature", written out from the docs (not imported from the kit), so the signer cannot change together with its checker. */
export const DOCUMENTED_DOMAIN = { name: 'w3kit NFT', version: '1', chainId: 1 };
export const DOCUMENTED_TYPES = {
  CredentialNFT: [
    { name: 'tokenId', type: 'bytes32' },
    { name: 'holder', type: 'address' },
    { name: 'minter', type: 'address' },
    { name: 'metadataHash', type: 'bytes32' },
    { name: 'createdAt', type: 'string' },
  ],
};

/** The address of a wallet's public JWK (secp256k1), as `public_info` serves it, computed by ethers. */
export function addressOfJwk(jwk: { x: string; y: string }): string {
  return computeAddress(`0x04${Buffer.from(jwk.x, 'base64url').toString('hex')}${Buffer.from(jwk.y, 'base64url').toString('hex')}`);
}

/**
 * The facts a minted token's `minter_digital_signature` covers (docs/nft.md, "Minter signature"),
 * read off the token as served; the metadata hash is made by ethers (keccak256 of the canonical
 * JSON). `minter` replaces the token's own minter address, e.g. with one read from `public_info`.
 */
export function signedFacts(token: { token_id: string; [key: string]: unknown }, minter = String(token['minter_id_wallet_address'])) {
  return {
    tokenId: token.token_id,
    holder: String(token['holder_id_wallet_address']),
    minter,
    metadataHash: keccak256(toUtf8Bytes(canonicalJson(token['metadata']))),
    createdAt: String(token['created_at']),
  };
}
