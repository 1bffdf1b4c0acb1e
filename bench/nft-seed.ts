// Seeds NFTs straight through the NFT store: N tokens over 1,000 organizations and 100,000
// holders, plus real accounts for the requests the benchmark makes (a heavy holder with
// 10,000 tokens so page 500 exists, an organization with 1/1000 of the tokens, a viewer).
// Seeded tokens carry a placeholder signature: signing a million EIP-712 messages would
// measure ethers, not the store. Usable alone: `node --import tsx bench/nft-seed.ts <url> <N>`.
import { randomBytes, randomUUID } from 'node:crypto';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, type Kit } from '@w3kit/core';
import { nft, type NftRecord } from '@w3kit/nft';
import { getAddress } from 'ethers';

export interface Seeded {
  tokens: number;
  seconds: number;
  rowsPerSecond: number;
  holder: { accountId: string; address: string; token: string };
  organization: { accountId: string; address: string; token: string };
  viewer: { token: string };
  sampleTokenId: string;
  search: { category: string; brand: string };
}

const CATEGORIES = Array.from({ length: 50 }, (_, i) => `category-${i}`);
const BRANDS = Array.from({ length: 200 }, (_, i) => `brand-${i}`);
const PLACEHOLDER_SIGNATURE = `0x${'00'.repeat(65)}`;

export function seedKit(databaseUrl: string, masterKey: string): Promise<Kit> {
  return createKit({
    database: databaseUrl,
    plugins: [auth(), nft()],
    logger: createLogger({ level: 'silent' }),
    config: { masterKey, publicUrl: 'http://127.0.0.1:3000', mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0 },
  });
}

export async function seed(kit: Kit, total: number, log: (line: string) => void = () => {}): Promise<Seeded> {
  const s = kit.services;
  const org = await s.accountService.createOrganization({ name: 'Bench Org', domain: 'bench-org.test', email: 'ops@bench-org.test' });
  await s.accountStore.update(org.account.id, { domainVerified: true }, new Date());
  const holder = await s.accountService.createEndUser({ loginId: 'bench-holder', email: 'holder@bench.test', password: 'bench-pass' });
  const viewer = await s.accountService.createEndUser({ loginId: 'bench-viewer', email: 'viewer@bench.test', password: 'bench-pass' });
  const holders = Array.from({ length: 99_999 }, () => ({ id: randomUUID(), address: getAddress(`0x${randomBytes(20).toString('hex')}`) }));
  const minters = Array.from({ length: 999 }, () => ({ id: randomUUID(), address: getAddress(`0x${randomBytes(20).toString('hex')}`) }));
  const heavy = Math.min(10_000, Math.floor(total / 10));
  const start = Date.UTC(2025, 0, 1);
  let sampleTokenId = '';
  const started = process.hrtime.bigint();
  const BATCH = 500;
  for (let offset = 0; offset < total; offset += BATCH) {
    const batch: NftRecord[] = [];
    for (let i = offset; i < Math.min(total, offset + BATCH); i++) {
      const toHeavy = i % Math.ceil(total / heavy) === 0;
      const byOrg = i % 1000 === 7;
      const minter = byOrg ? { id: org.account.id, address: org.account.wallet!.address } : minters[i % minters.length]!;
      const category = CATEGORIES[i % CATEGORIES.length]!;
      const brand = BRANDS[(i * 7) % BRANDS.length]!;
      const tokenId = `0x${randomBytes(32).toString('hex')}`;
      if (toHeavy && !sampleTokenId) sampleTokenId = tokenId;
      batch.push({
        tokenId,
        holderAddress: toHeavy ? holder.wallet!.address : holders[i % holders.length]!.address,
        holderAccountId: toHeavy ? holder.id : holders[i % holders.length]!.id,
        minterAccountId: minter.id,
        minterAddress: minter.address,
        visibility: i % 2 === 0 ? 'public' : 'private',
        createdAt: new Date(start + i * 30_000),
        expiredAt: new Date('9999-12-31T23:59:59.000Z'),
        metadata: {
          static: {
            issuer: 'Bench',
            contents_provider: 'Bench',
            name: `Token ${i}`,
            description: 'Seeded for the benchmark.',
            image: 'https://bench.test/i.png',
            link: 'https://bench.test',
            serial_number: i,
            total_issued: total,
            animation_url: 'https://bench.test/a.mp4',
            expired_at: '9999-12-31T23:59:59.000Z',
          },
          dynamic: { category, brand, level: `level-${i % 5}` },
        },
        metadataHash: `0x${randomBytes(32).toString('hex')}`,
        minterSignature: PLACEHOLDER_SIGNATURE,
      });
    }
    await s.nftStore.insertMany(batch);
    if ((offset / BATCH) % 200 === 0) log(`seeded ${offset + batch.length} / ${total}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const token = async (account: Parameters<typeof s.tokenService.issueAccessToken>[0]) => (await s.tokenService.issueAccessToken(account)).token;
  return {
    tokens: total,
    seconds: Math.round(seconds * 10) / 10,
    rowsPerSecond: Math.round(total / seconds),
    holder: { accountId: holder.id, address: holder.wallet!.address, token: await token(holder) },
    organization: { accountId: org.account.id, address: org.account.wallet!.address, token: await token(org.account) },
    viewer: { token: await token(viewer) },
    sampleTokenId,
    // i ≡ 4 (mod 200): category-4 and brand-28 together, on even (public) tokens: 1 in 200 of them
    search: { category: CATEGORIES[4]!, brand: BRANDS[28]! },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, n] = process.argv.slice(2);
  if (!url) throw new Error('usage: nft-seed.ts <database url> [tokens]');
  const kit = await seedKit(url, process.env['W3KIT_MASTER_KEY'] ?? randomBytes(32).toString('hex'));
  const result = await seed(kit, Number(n ?? 1_000_000), console.log);
  console.log(JSON.stringify(result, null, 2));
  await kit.close();
}
