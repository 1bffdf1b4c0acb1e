import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, mountedApp, rootMount, testDatabases, type TestApp, type TestDatabase, type TestDatabaseKind } from '@w3kit/core/testing';
import { nft, type NftOptions } from '@w3kit/nft';
import request from 'supertest';
import { endUser, expectError, mint, nftKit, organization, staticMetadata, type Actor } from './support.js';

const GPS = { gps: { latitude: '26.583193', longitude: '128.053881' } };
const URL_MESSAGE = 'must be an https: or ipfs: URL.';

/** What a browser would run, fetch in the clear or render from the token itself. */
const REFUSED_URLS = [
  'javascript:alert(document.cookie)',
  'JavaScript:alert(1)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+',
  'http://acme.test/diploma.png',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  '//acme.test/diploma.png',
  '/diploma.png',
  'ipfs:bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
  'https://',
];
const URL_FIELDS = [
  ['static', 'image'],
  ['static', 'link'],
  ['static', 'animation_url'],
  ['dynamic', 'external_url'],
  ['dynamic', 'youtube_url'],
] as const;

/** A kit on its own database, for the cases that need plugin options. */
async function kitWith(kind: TestDatabaseKind, options: NftOptions): Promise<{ kit: Kit; app: TestApp; db: TestDatabase }> {
  const db = await createTestDatabase(kind);
  const kit = await nftKit(db.url, { nft: options });
  return { kit, app: mountedApp(rootMount, kit), db };
}

describe('security-nft', () => {
  for (const kind of testDatabases()) {
    describe(kind, () => {
      let db: TestDatabase;
      let kit: Kit;
      let app: TestApp;
      let minter: Actor;
      let holder: Actor;
      let scanner: Actor;

      before(async () => {
        db = await createTestDatabase(kind);
        kit = await nftKit(db.url);
        app = mountedApp(rootMount, kit);
        [minter, holder, scanner] = await Promise.all([organization(kit), endUser(kit), endUser(kit)]);
      });
      after(async () => {
        await kit.close();
        await db.drop();
      });
      const agent = () => request(app.callback());
      const mintWith = (who: Actor, metadata: { static: Record<string, unknown>; dynamic?: Record<string, unknown> }, visibility = 'public') =>
        agent().post(`/rest/v1/nft/mint/to/${holder.address}`).set('authorization', who.bearer).send({ metadata, visibility });
      const mintedCount = async () =>
        Number(
          (
            await kit.services.db
              .withTables<{ nft_tokens: { minter_account_id: string } }>()
              .selectFrom('nft_tokens')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('minter_account_id', '=', minter.accountId)
              .executeTakeFirstOrThrow()
          ).n,
        );

      describe('security-nft: metadata URL schemes', () => {
        it('400 naming the field and the allowed schemes for every refused URL in every URL field; nothing is minted', async () => {
          const before = await mintedCount();
          for (const [part, field] of URL_FIELDS) {
            for (const url of REFUSED_URLS) {
              const metadata = part === 'static' ? { static: staticMetadata({ [field]: url }) } : { static: staticMetadata(), dynamic: { [field]: url } };
              const res = await mintWith(minter, metadata);
              expectError(res, 400, 'VALIDATION_FAILED');
              assert.deepEqual(res.body.error.issues, [`metadata.${part}.${field}: ${URL_MESSAGE}`], `${part}.${field} = ${JSON.stringify(url)}`);
            }
          }
          assert.equal(await mintedCount(), before);
        });

        it('one reply names every bad URL field, and a bad valid area beside them', async () => {
          const res = await mintWith(minter, {
            static: staticMetadata({ image: 'javascript:alert(1)', link: 'data:,x', animation_url: 'http://acme.test/a.mp4' }),
            // an area without its radius: a rule of the service (the schema already refuses a malformed latitude on its own)
            dynamic: { external_url: 'javascript:void(0)', youtube_url: 'http://youtube.com/x', valid_latitude: '35', valid_longitude: '0' },
          });
          expectError(res, 400, 'VALIDATION_FAILED');
          assert.deepEqual(res.body.error.issues, [
            `metadata.static.image: ${URL_MESSAGE}`,
            `metadata.static.link: ${URL_MESSAGE}`,
            `metadata.static.animation_url: ${URL_MESSAGE}`,
            `metadata.dynamic.external_url: ${URL_MESSAGE}`,
            `metadata.dynamic.youtube_url: ${URL_MESSAGE}`,
            'metadata.dynamic.valid_radius: is required with valid_latitude, valid_longitude.',
          ]);
        });

        it('https:, ipfs: and an empty string are accepted and served in the ERC-721 metadata', async () => {
          const ipfs = 'ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/diploma.png';
          const res = await mintWith(minter, {
            static: staticMetadata({ image: ipfs, link: 'HTTPS://acme.test/diploma', animation_url: '' }),
            dynamic: { external_url: 'https://acme.test/x', youtube_url: 'https://www.youtube.com/watch?v=x' },
          });
          assert.equal(res.status, 200, JSON.stringify(res.body));
          const erc721 = (await agent().get(`/rest/v1/nft/${res.body.result.token_id}/metadata`)).body;
          assert.deepEqual([erc721.image, erc721.external_url, erc721.animation_url, erc721.youtube_url], [ipfs, 'https://acme.test/x', '', 'https://www.youtube.com/watch?v=x']);
        });

        it('a token stored before the check (a javascript: URL in the store) is served without it', async () => {
          const t = await mint(app, minter, holder, { visibility: 'public' });
          const stored = (await kit.services.nftStore.findById(t.token_id))!;
          const legacyId = `0x${'ab'.repeat(32)}`;
          await kit.services.nftStore.insert({
            ...stored,
            tokenId: legacyId,
            metadata: {
              static: { ...stored.metadata.static, image: 'javascript:alert(1)', animation_url: 'data:text/html,x' },
              dynamic: { external_url: 'javascript:x', youtube_url: 'http://x.test' },
            },
          });
          const erc721 = (await agent().get(`/rest/v1/nft/${legacyId}/metadata`)).body;
          assert.equal(erc721.name, 'Bachelor of Science');
          for (const key of ['image', 'external_url', 'animation_url', 'youtube_url']) assert.equal(key in erc721, false, `${key}: ${JSON.stringify(erc721[key])}`);
        });
      });

      describe('security-nft: holder self-scan', () => {
        it('the holder scanning its own code: 403 HOLDER_SELF_SCAN, and the code stays usable by another account', async () => {
          const t = await mint(app, minter, holder);
          const { code } = (await agent().post(`/rest/v1/nft/${t.token_id}/verification/qr_code/step1`).set('authorization', holder.bearer).send(GPS)).body.result;
          const self = await agent().post(`/rest/v1/nft/verification/qr_code/step2?c=${code}`).set('authorization', holder.bearer).send(GPS);
          expectError(self, 403, 'HOLDER_SELF_SCAN');
          assert.equal(self.body.error.message, 'The holder cannot verify its own QR code; another account must scan it.');
          assert.deepEqual((await agent().get(`/rest/v1/nft/verification/qr_code/result?c=${code}`).set('authorization', holder.bearer)).body.result, { token_id: null });
          assert.equal((await kit.services.nftVerificationStore.listVerifications(t.token_id, 10)).length, 0);
          const other = await agent().post(`/rest/v1/nft/verification/qr_code/step2?c=${code}`).set('authorization', scanner.bearer).send(GPS);
          assert.deepEqual(other.body, { status: 'ok', result: { token_id: t.token_id }, error: null });
        });

        it('with allowHolderSelfScan: true the holder may verify its own code', async () => {
          const own = await kitWith(kind, { allowHolderSelfScan: true });
          try {
            const [org, user] = [await organization(own.kit), await endUser(own.kit)];
            const t = await mint(own.app, org, user);
            const { code } = (await request(own.app.callback()).post(`/rest/v1/nft/${t.token_id}/verification/qr_code/step1`).set('authorization', user.bearer).send(GPS)).body.result;
            const self = await request(own.app.callback()).post(`/rest/v1/nft/verification/qr_code/step2?c=${code}`).set('authorization', user.bearer).send(GPS);
            assert.deepEqual(self.body, { status: 'ok', result: { token_id: t.token_id }, error: null });
            const [record] = await own.kit.services.nftVerificationStore.listVerifications(t.token_id, 10);
            assert.equal(record?.scannerAccountId, user.accountId);
          } finally {
            await own.kit.close();
            await own.db.drop();
          }
        });

        it('allowHolderSelfScan must be a boolean', () => {
          assert.throws(() => nft({ allowHolderSelfScan: 'yes' as unknown as boolean }), /allowHolderSelfScan must be a boolean/);
        });
      });

      describe('security-nft: minter verified domain beside the free-text issuer', () => {
        it('organization B minting as "Acme": every public view carries B’s verified domain, the metadata unchanged', async () => {
          const impostor = await organization(kit);
          const impostorDomain = (await kit.services.accountDirectory.get(impostor.accountId))!.domain!;
          const metadata = {
            static: staticMetadata({ issuer: 'Acme University', contents_provider: 'Acme' }),
            // posing as the kit's field: a dynamic key and a supplied attribute of the same name
            dynamic: { category: `spoof-${impostorDomain}`, minter_verified_domain: 'acme.test', attributes: [{ trait_type: 'minter_verified_domain', value: 'acme.test' }] },
          };
          const minted = await mintWith(impostor, metadata);
          assert.equal(minted.status, 200, JSON.stringify(minted.body));
          const t = minted.body.result;
          assert.equal(t.minter_verified_domain, impostorDomain);
          assert.equal(t.metadata.static.issuer, 'Acme University');
          assert.deepEqual(t.metadata.dynamic, metadata.dynamic, 'the signed metadata is kept as sent');

          const fetched = await agent().get(`/rest/v1/nft/${t.token_id}`).set('authorization', scanner.bearer);
          assert.equal(fetched.body.result.minter_verified_domain, impostorDomain);
          const held = await agent().get(`/rest/v1/nft/held_by_id_wallet/${holder.address}?perPageItemNum=100&order=desc`).set('authorization', scanner.bearer);
          assert.equal(held.body.result.find((x: { token_id: string }) => x.token_id === t.token_id)?.minter_verified_domain, impostorDomain);
          const found = await agent()
            .post('/rest/v1/nft/search')
            .set('authorization', scanner.bearer)
            .send({ category: `spoof-${impostorDomain}` });
          assert.deepEqual(
            found.body.result.map((x: { minter_verified_domain: string }) => x.minter_verified_domain),
            [impostorDomain],
          );
          const mine = await agent().get('/rest/v1/nft/minted_by_me').set('authorization', impostor.bearer);
          assert.deepEqual(
            mine.body.result.map((x: { minter_verified_domain: string }) => x.minter_verified_domain),
            [impostorDomain],
          );
          const mineSearch = await agent().post('/rest/v1/nft/minted_by_me/search').set('authorization', impostor.bearer).send({ issuer: 'Acme University' });
          assert.deepEqual(
            mineSearch.body.result.map((x: { minter_verified_domain: string }) => x.minter_verified_domain),
            [impostorDomain],
          );

          const erc721 = (await agent().get(`/rest/v1/nft/${t.token_id}/metadata`)).body;
          assert.equal(erc721.minter_verified_domain, impostorDomain);
          assert.deepEqual(
            erc721.attributes.filter((a: { trait_type: string }) => a.trait_type === 'minter_verified_domain'),
            [{ trait_type: 'minter_verified_domain', value: impostorDomain }],
          );
        });

        it('a list of tokens from several minters names each one’s domain; a domain no longer verified is null', async () => {
          const other = await organization(kit);
          const user = await endUser(kit);
          const a = await mint(app, minter, user, { visibility: 'public' });
          const b = await mint(app, other, user, { visibility: 'public' });
          const domainOf = async (actor: Actor) => (await kit.services.accountDirectory.get(actor.accountId))!.domain;
          const list = async () =>
            Object.fromEntries(
              (await agent().get(`/rest/v1/nft/held_by_id_wallet/${user.address}`).set('authorization', scanner.bearer)).body.result.map(
                (x: { token_id: string; minter_verified_domain: string | null }) => [x.token_id, x.minter_verified_domain],
              ),
            );
          assert.deepEqual(await list(), { [a.token_id]: await domainOf(minter), [b.token_id]: await domainOf(other) });
          await kit.services.accountStore.update(other.accountId, { domainVerified: false }, new Date());
          assert.deepEqual(await list(), { [a.token_id]: await domainOf(minter), [b.token_id]: null });
          const erc721 = (await agent().get(`/rest/v1/nft/${b.token_id}/metadata`)).body;
          assert.equal(erc721.minter_verified_domain, null);
          assert.equal(
            erc721.attributes.some((x: { trait_type: string }) => x.trait_type === 'minter_verified_domain'),
            false,
          );
        });
      });

      describe('security-nft: strict paging parameters', () => {
        const endpoints = () => [
          { name: 'held_by_id_wallet', call: (q: string) => agent().get(`/rest/v1/nft/held_by_id_wallet/${holder.address}?${q}`).set('authorization', scanner.bearer) },
          { name: 'minted_by_me', call: (q: string) => agent().get(`/rest/v1/nft/minted_by_me?${q}`).set('authorization', minter.bearer) },
          { name: 'search', call: (q: string) => agent().post(`/rest/v1/nft/search?${q}`).set('authorization', scanner.bearer).send({}) },
          { name: 'minted_by_me/search', call: (q: string) => agent().post(`/rest/v1/nft/minted_by_me/search?${q}`).set('authorization', minter.bearer).send({}) },
        ];
        const BAD = ['1e400', '1.5', '-1', '0', 'abc', '', '1e3', '0x10', '%205', '+5', '1.0', 'Infinity', 'NaN', '9007199254740993', '99999999999999999999'];
        const RANGES = { pageNum: 'must be an integer from 1 to 10000.', perPageItemNum: 'must be an integer from 1 to 100.' };

        it('pageNum and perPageItemNum: 400 naming the parameter and its range for each bad value, on every paged endpoint', async () => {
          for (const { name, call } of endpoints()) {
            for (const [param, message] of Object.entries(RANGES)) {
              for (const value of [...BAD, param === 'pageNum' ? '10001' : '101']) {
                const res = await call(`${param}=${value}`);
                expectError(res, 400, 'VALIDATION_FAILED');
                assert.deepEqual(res.body.error.issues, [`query.${param}: ${message}`], `${name} ${param}=${value}`);
              }
            }
          }
        });

        it('a repeated parameter is 400; plain decimals at the bounds are served', async () => {
          const repeated = await endpoints()[0]!.call('pageNum=1&pageNum=2');
          expectError(repeated, 400, 'VALIDATION_FAILED');
          assert.deepEqual(repeated.body.error.issues, [`query.pageNum: ${RANGES.pageNum}`]);
          for (const { name, call } of endpoints()) {
            for (const q of ['pageNum=1&perPageItemNum=1', 'pageNum=10000&perPageItemNum=100', 'pageNum=02']) {
              const res = await call(q);
              assert.equal(res.status, 200, `${name} ${q}: ${JSON.stringify(res.body)}`);
              assert.ok(Array.isArray(res.body.result));
            }
          }
        });

        it('maxPageNum bounds pageNum, and the message names that bound', async () => {
          const own = await kitWith(kind, { maxPageNum: 50 });
          try {
            const user = await endUser(own.kit);
            const at = (n: string) => request(own.app.callback()).get(`/rest/v1/nft/held_by_id_wallet/${user.address}?pageNum=${n}`).set('authorization', user.bearer);
            assert.equal((await at('50')).status, 200);
            const over = await at('51');
            expectError(over, 400, 'VALIDATION_FAILED');
            assert.deepEqual(over.body.error.issues, ['query.pageNum: must be an integer from 1 to 50.']);
          } finally {
            await own.kit.close();
            await own.db.drop();
          }
        });
      });
    });
  }
});
