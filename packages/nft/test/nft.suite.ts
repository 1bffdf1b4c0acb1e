import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, mountedApp, testDatabases, type KitMount, type TestApp, type TestDatabase } from '@w3kit/core/testing';
import { recoverMinter } from '@w3kit/nft';
import request from 'supertest';
import { DynamicMetadata } from '../src/request-schemas.js';
import { addressOfJwk, endUser, expectError, mint, nftKit, organization, signedFacts, staticMetadata, type Actor } from './support.js';

const DOMAIN = { name: 'w3kit NFT', chainId: 1 };

/** Minting, fetching, visibility, listing and metadata over HTTP, with the kit served at `mount`. */
export function nftSuite(mount: KitMount): void {
  for (const kind of testDatabases()) {
    describe(kind, () => {
      let db: TestDatabase;
      let kit: Kit;
      let app: TestApp;
      let minter: Actor;
      let holder: Actor;
      let otherOrg: Actor;
      let otherUser: Actor;

      before(async () => {
        db = await createTestDatabase(kind);
        kit = await nftKit(db.url, { mountPath: mount.mountPath });
        app = mountedApp(mount, kit);
        [minter, holder, otherOrg, otherUser] = await Promise.all([organization(kit), endUser(kit), organization(kit), endUser(kit)]);
      });
      after(async () => {
        await kit.close();
        await db.drop();
      });
      const agent = () => request(app.callback());

      describe('nft: mint', () => {
        it('mints with the documented shape, the default expiry and any extra dynamic keys kept', async () => {
          const res = await agent()
            .post(`/rest/v1/nft/mint/to/${holder.address.toLowerCase()}`)
            .set('authorization', minter.bearer)
            .send({ metadata: { static: staticMetadata(), dynamic: { category: 'diploma', points_earned: 12.5, numbered_position: 1, my_custom_key: { a: [1] } } } });
          assert.equal(res.status, 200);
          assert.equal(res.body.status, 'ok');
          const t = res.body.result;
          assert.match(t.token_id, /^0x[0-9a-f]{64}$/);
          assert.equal(t.token_uri, `https://id.example.com${mount.mountPath}/rest/v1/nft/${t.token_id}/metadata`);
          assert.match(t.minter_digital_signature, /^0x[0-9a-f]{130}$/);
          assert.ok(!Number.isNaN(Date.parse(t.created_at)));
          assert.equal(t.metadata.static.expired_at, '9999-12-31T23:59:59.000Z');
          assert.deepEqual(t.metadata.dynamic.my_custom_key, { a: [1] });
          assert.equal(t.visibility, 'private');
          assert.equal(t.holder_id_wallet_address, holder.address);
          assert.equal(t.minter_id_wallet_address, minter.address);
        });

        it('the minter signature verifies with ethers using only the organization’s public info', async () => {
          const t = await mint(app, minter, holder);
          const info = (await agent().get(`/rest/v1/account/id_wallet/${minter.address}/public_info`).set('authorization', otherUser.bearer)).body.result;
          const facts = signedFacts(t, info.id_wallet_address);
          const signer = addressOfJwk(info.id_wallet_public_key_jwk);
          assert.equal(recoverMinter(DOMAIN, facts, String(t['minter_digital_signature'])), signer);
          assert.notEqual(recoverMinter(DOMAIN, { ...facts, holder: otherUser.address }, String(t['minter_digital_signature'])), signer);
        });

        it('only an organization with a verified domain mints; the holder must be an end user', async () => {
          const unverified = await organization(kit, { verified: false });
          const body = { metadata: { static: staticMetadata() } };
          expectError(await agent().post(`/rest/v1/nft/mint/to/${holder.address}`).set('authorization', holder.bearer).send(body), 403, 'ORGANIZATION_ONLY');
          expectError(await agent().post(`/rest/v1/nft/mint/to/${holder.address}`).set('authorization', unverified.bearer).send(body), 403, 'DOMAIN_NOT_VERIFIED');
          expectError(
            await agent()
              .post(`/rest/v1/nft/mint/to/0x${'12'.repeat(20)}`)
              .set('authorization', minter.bearer)
              .send(body),
            404,
            'HOLDER_NOT_FOUND',
          );
          expectError(await agent().post(`/rest/v1/nft/mint/to/${otherOrg.address}`).set('authorization', minter.bearer).send(body), 404, 'HOLDER_NOT_FOUND');
          expectError(await agent().post(`/rest/v1/nft/mint/to/${holder.address}`).send(body), 401, 'UNAUTHENTICATED');
        });

        it('400 naming each field of the wrong type or missing', async () => {
          const res = await agent()
            .post(`/rest/v1/nft/mint/to/${holder.address}`)
            .set('authorization', minter.bearer)
            .send({
              metadata: {
                static: { ...staticMetadata({ serial_number: '123', expired_at: 'tomorrow' }), name: undefined },
                dynamic: { points_earned: 'twelve', numbered_position: 1.5, attributes: {}, date_created: '2024' },
              },
            });
          expectError(res, 400, 'VALIDATION_FAILED');
          assert.deepEqual(res.body.error.issues, [
            'metadata.static.name: is required.',
            'metadata.static.serial_number: not a valid integer.',
            'metadata.static.expired_at: has an invalid format.',
            'metadata.dynamic.points_earned: not a valid number.',
            'metadata.dynamic.numbered_position: not a valid integer.',
            'metadata.dynamic.date_created: not a valid integer.',
            'metadata.dynamic.attributes: not a valid array.',
          ]);
          const unknownStatic = await agent()
            .post(`/rest/v1/nft/mint/to/${holder.address}`)
            .set('authorization', minter.bearer)
            .send({ metadata: { static: staticMetadata({ colour: 'red' }) } });
          expectError(unknownStatic, 400, 'VALIDATION_FAILED');
          assert.deepEqual(unknownStatic.body.error.issues, ['metadata.static.colour: is not allowed.']);
          const badAddress = await agent()
            .post('/rest/v1/nft/mint/to/0xnope')
            .set('authorization', minter.bearer)
            .send({ metadata: { static: staticMetadata() } });
          expectError(badAddress, 400, 'VALIDATION_FAILED');
          assert.deepEqual(badAddress.body.error.issues, ['params.holder_id_wallet_address: has an invalid format.']);
          const json = await agent().post(`/rest/v1/nft/mint/to/${holder.address}`).set('authorization', minter.bearer).set('content-type', 'application/json').send('{"metadata":');
          expectError(json, 400, 'INVALID_JSON');
        });

        it('400 for an incomplete or unreadable valid area', async () => {
          const mintArea = (dynamic: Record<string, unknown>) =>
            agent()
              .post(`/rest/v1/nft/mint/to/${holder.address}`)
              .set('authorization', minter.bearer)
              .send({ metadata: { static: staticMetadata(), dynamic } });
          const partial = await mintArea({ valid_latitude: '26.5', valid_radius: 5, unit_of_length: 'furlong' });
          expectError(partial, 400, 'VALIDATION_FAILED');
          // the schema states the accepted forms (OpenAPI pattern), and its refusal names them
          assert.deepEqual(partial.body.error.issues, ['metadata.dynamic.unit_of_length: must be one of m, km or mi (any case).']);
          const missing = await mintArea({ valid_latitude: '26.5', valid_radius: 5, unit_of_length: 'KM' });
          expectError(missing, 400, 'VALIDATION_FAILED');
          assert.deepEqual(missing.body.error.issues, ['metadata.dynamic.valid_longitude: is required with valid_latitude, valid_radius.']);
          const range = await mintArea({ valid_latitude: '95', valid_longitude: 'x', valid_radius: -1 });
          assert.deepEqual(range.body.error.issues, [
            'metadata.dynamic.valid_latitude: must be a latitude in decimal degrees, from -90 to 90 (like "35.6812").',
            'metadata.dynamic.valid_longitude: must be a longitude in decimal degrees, from -180 to 180 (like "139.7671").',
          ]);
          const radius = await mintArea({ valid_latitude: '-90', valid_longitude: '180.0', valid_radius: -1 });
          assert.deepEqual(radius.body.error.issues, ['metadata.dynamic.valid_radius: must be positive.']);
          // the schema (hence the OpenAPI document) states what the validator accepts
          const fields = DynamicMetadata.properties as Record<string, { pattern?: string; 'x-accepts'?: string }>;
          for (const [name, good, bad] of [
            ['valid_latitude', '-89.5', '90.5'],
            ['valid_longitude', '179.99', '-181'],
            ['unit_of_length', 'Mi', 'ft'],
          ] as const) {
            const pattern = new RegExp(fields[name]!.pattern!);
            assert.ok(pattern.test(good) && !pattern.test(bad), name);
            assert.ok(fields[name]!['x-accepts'], name);
          }
        });

        it('an Idempotency-Key retry returns the first result; another body with the key is refused', async () => {
          const send = (body: Record<string, unknown>, key: string) =>
            agent().post(`/rest/v1/nft/mint/to/${holder.address}`).set('authorization', minter.bearer).set('idempotency-key', key).send(body);
          const body = { metadata: { static: staticMetadata({ serial_number: 777 }) } };
          const key = `retry-${Date.now()}`;
          const [a, b, c] = await Promise.all([send(body, key), send(body, key), send(body, key)]);
          const ok = [a, b, c].filter((r) => r.status === 200);
          assert.ok(ok.length >= 1);
          assert.ok([a, b, c].every((r) => r.status === 200 || (r.status === 409 && r.body.error.code === 'IDEMPOTENCY_IN_PROGRESS')));
          const again = await send(body, key);
          assert.equal(again.status, 200);
          assert.ok(ok.every((r) => r.body.result.token_id === again.body.result.token_id));
          const count = await kit.services.db
            .withTables<{ nft_tokens: { token_id: string; minter_account_id: string; s_name: string } }>()
            .selectFrom('nft_tokens')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('token_id', '=', again.body.result.token_id)
            .executeTakeFirstOrThrow();
          assert.equal(Number(count.n), 1);
          expectError(await send({ metadata: { static: staticMetadata({ serial_number: 778 }) } }, key), 409, 'IDEMPOTENCY_KEY_REUSED');
          const badKey = await send(body, 'has space');
          expectError(badKey, 400, 'VALIDATION_FAILED');
          assert.deepEqual(badKey.body.error.issues, ['Idempotency-Key: must be 1-128 printable ASCII characters.']);
        });
      });

      describe('nft: fetch, visibility and the permission matrix', () => {
        type Who = 'holder' | 'minter' | 'otherOrg' | 'otherUser' | 'anonymous';
        const who = (w: Who) => ({ holder, minter, otherOrg, otherUser, anonymous: null })[w];
        const as = (req: request.Test, w: Who) => (who(w) ? req.set('authorization', who(w)!.bearer) : req);

        it('private: holder and minter see it, everyone else gets 404; public: any account', async () => {
          const t = await mint(app, minter, holder);
          const expected: Record<Who, number> = { holder: 200, minter: 200, otherOrg: 404, otherUser: 404, anonymous: 401 };
          for (const [w, status] of Object.entries(expected) as [Who, number][]) {
            const res = await as(agent().get(`/rest/v1/nft/${t.token_id}`), w);
            assert.equal(res.status, status, `${w} fetching a private NFT`);
            if (status === 200) assert.equal(res.body.result.token_id, t.token_id);
          }
          const pub = await mint(app, minter, holder, { visibility: 'public' });
          for (const w of ['holder', 'minter', 'otherOrg', 'otherUser'] as Who[]) assert.equal((await as(agent().get(`/rest/v1/nft/${pub.token_id}`), w)).status, 200, w);
          expectError(
            await agent()
              .get(`/rest/v1/nft/0x${'0'.repeat(64)}`)
              .set('authorization', holder.bearer),
            404,
            'NFT_NOT_FOUND',
          );
          const bad = await agent().get('/rest/v1/nft/0x1234').set('authorization', holder.bearer);
          expectError(bad, 400, 'VALIDATION_FAILED');
          assert.deepEqual(bad.body.error.issues, ['params.token_id: has an invalid format.']);
        });

        it('every endpoint × holder, minter, other org, other end user, anonymous', async () => {
          const priv = await mint(app, minter, holder, { metadata: { static: staticMetadata(), dynamic: { category: 'matrix' } } });
          const gps = { gps: { latitude: '26.583193', longitude: '128.053881' } };
          const qr = (await agent().post(`/rest/v1/nft/${priv.token_id}/verification/qr_code/step1`).set('authorization', holder.bearer).send(gps)).body.result;
          const cases: { name: string; call: () => request.Test; expect: Record<Who, number> }[] = [
            { name: 'GET /nft/:id (private)', call: () => agent().get(`/rest/v1/nft/${priv.token_id}`), expect: { holder: 200, minter: 200, otherOrg: 404, otherUser: 404, anonymous: 401 } },
            {
              name: 'PUT visibility (private)',
              call: () => agent().put(`/rest/v1/nft/${priv.token_id}/visibility`).send({ to: 'private' }),
              expect: { holder: 200, minter: 200, otherOrg: 404, otherUser: 404, anonymous: 401 },
            },
            { name: 'GET held_by', call: () => agent().get(`/rest/v1/nft/held_by_id_wallet/${holder.address}`), expect: { holder: 200, minter: 200, otherOrg: 200, otherUser: 200, anonymous: 401 } },
            { name: 'GET minted_by_me', call: () => agent().get('/rest/v1/nft/minted_by_me'), expect: { holder: 403, minter: 200, otherOrg: 200, otherUser: 403, anonymous: 401 } },
            { name: 'POST search', call: () => agent().post('/rest/v1/nft/search').send({ category: 'matrix' }), expect: { holder: 200, minter: 200, otherOrg: 200, otherUser: 200, anonymous: 401 } },
            {
              name: 'POST minted_by_me/search',
              call: () => agent().post('/rest/v1/nft/minted_by_me/search').send({}),
              expect: { holder: 403, minter: 200, otherOrg: 200, otherUser: 403, anonymous: 401 },
            },
            {
              name: 'POST qr step1 (private)',
              call: () => agent().post(`/rest/v1/nft/${priv.token_id}/verification/qr_code/step1`).send(gps),
              expect: { holder: 200, minter: 403, otherOrg: 404, otherUser: 404, anonymous: 401 },
            },
            {
              name: 'GET qr result',
              call: () => agent().get(`/rest/v1/nft/verification/qr_code/result?c=${qr.code}`),
              expect: { holder: 200, minter: 422, otherOrg: 422, otherUser: 422, anonymous: 401 },
            },
            {
              name: 'GET verifications (private)',
              call: () => agent().get(`/rest/v1/nft/${priv.token_id}/verifications`),
              expect: { holder: 403, minter: 200, otherOrg: 404, otherUser: 404, anonymous: 401 },
            },
            { name: 'GET metadata (private)', call: () => agent().get(`/rest/v1/nft/${priv.token_id}/metadata`), expect: { holder: 404, minter: 404, otherOrg: 404, otherUser: 404, anonymous: 404 } },
            {
              name: 'POST mint',
              call: () =>
                agent()
                  .post(`/rest/v1/nft/mint/to/${holder.address}`)
                  .send({ metadata: { static: staticMetadata() } }),
              expect: { holder: 403, minter: 200, otherOrg: 200, otherUser: 403, anonymous: 401 },
            },
          ];
          for (const c of cases) {
            for (const [w, status] of Object.entries(c.expect) as [Who, number][]) {
              const res = await as(c.call(), w);
              assert.equal(res.status, status, `${c.name} as ${w}: ${JSON.stringify(res.body)}`);
            }
          }
          // the scanner (any account) may complete a code: last, since it uses the code up
          const scan = await agent().post(`/rest/v1/nft/verification/qr_code/step2?c=${qr.code}`).set('authorization', otherUser.bearer).send(gps);
          assert.equal(scan.status, 200);
          expectError(await agent().post(`/rest/v1/nft/verification/qr_code/step2?c=${qr.code}`).send(gps), 401, 'UNAUTHENTICATED');
        });

        it('public NFTs: other accounts see but may not toggle (403); the holder and minter may', async () => {
          const t = await mint(app, minter, holder, { visibility: 'public' });
          expectError(await agent().put(`/rest/v1/nft/${t.token_id}/visibility`).set('authorization', otherUser.bearer).send({ to: 'private' }), 403, 'NOT_HOLDER_OR_MINTER');
          const res = await agent().put(`/rest/v1/nft/${t.token_id}/visibility`).set('authorization', holder.bearer).send({ to: 'private' });
          assert.deepEqual(res.body, { status: 'ok', result: 'private', error: null });
          expectError(await agent().get(`/rest/v1/nft/${t.token_id}`).set('authorization', otherUser.bearer), 404, 'NFT_NOT_FOUND');
          assert.equal((await agent().put(`/rest/v1/nft/${t.token_id}/visibility`).set('authorization', minter.bearer).send({ to: 'public' })).body.result, 'public');
          const bad = await agent().put(`/rest/v1/nft/${t.token_id}/visibility`).set('authorization', holder.bearer).send({ to: 'secret' });
          expectError(bad, 400, 'VALIDATION_FAILED');
          assert.deepEqual(bad.body.error.issues, ['to: must be one of "public", "private".']);
        });

        it('ERC-721 metadata for public tokens, with attributes from the dynamic fields', async () => {
          const t = await mint(app, minter, holder, {
            visibility: 'public',
            metadata: {
              static: staticMetadata(),
              dynamic: { external_url: 'https://acme.test/x', background_color: '#ffaa00', level: 'gold', points_earned: 12, attributes: [{ trait_type: 'given', value: 1 }] },
            },
          });
          const res = await agent().get(`/rest/v1/nft/${t.token_id}/metadata`);
          assert.equal(res.status, 200);
          assert.deepEqual(res.body, {
            name: 'Bachelor of Science',
            description: 'Awarded for completing the programme.',
            image: 'https://acme.test/diploma.png',
            external_url: 'https://acme.test/x',
            animation_url: 'https://acme.test/diploma.mp4',
            background_color: 'ffaa00',
            minter_verified_domain: (await kit.services.accountDirectory.get(minter.accountId))!.domain,
            attributes: [
              { trait_type: 'given', value: 1 },
              { trait_type: 'level', value: 'gold' },
              { trait_type: 'points_earned', value: 12, display_type: 'number' },
              { trait_type: 'minter_verified_domain', value: (await kit.services.accountDirectory.get(minter.accountId))!.domain },
            ],
          });
        });
      });
    });
  }

  describe('nft: listing order and bounds', () => {
    for (const kind of testDatabases()) {
      describe(kind, () => {
        it('pages by created_at with a stable tie-breaker, both orders; bad paging values are 400', async () => {
          const db = await createTestDatabase(kind);
          const clock = createManualClock(Date.UTC(2026, 0, 1));
          const kit = await nftKit(db.url, { clock, mountPath: mount.mountPath });
          try {
            const app = mountedApp(mount, kit);
            const [org, user] = [await organization(kit), await endUser(kit)];
            const ids: string[] = [];
            for (let i = 0; i < 7; i++) {
              if (i % 2 === 0) clock.advance(1000); // pairs share a created_at: the token id breaks the tie
              ids.push((await mint(app, org, user)).token_id);
            }
            const order = [...ids]
              .map((id, i) => ({ id, at: Math.floor((i + 2) / 2) }))
              .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
              .map((x) => x.id);
            const list = async (path: string) => (await request(app.callback()).get(path).set('authorization', user.bearer)).body.result.map((t: { token_id: string }) => t.token_id);
            const base = `/rest/v1/nft/held_by_id_wallet/${user.address}`;
            assert.deepEqual(await list(`${base}?perPageItemNum=3&pageNum=1`), order.slice(0, 3));
            assert.deepEqual(await list(`${base}?perPageItemNum=3&pageNum=2`), order.slice(3, 6));
            assert.deepEqual(await list(`${base}?perPageItemNum=3&pageNum=3`), order.slice(6));
            assert.deepEqual(await list(`${base}?perPageItemNum=3&pageNum=4`), []);
            assert.deepEqual(await list(`${base}?perPageItemNum=10&order=desc`), [...order].reverse());
            assert.deepEqual(await list(base), order, 'defaults: 10 per page, page 1, asc');
            const orgList = (await request(app.callback()).get('/rest/v1/nft/minted_by_me?perPageItemNum=2&pageNum=2&order=desc').set('authorization', org.bearer)).body.result;
            assert.deepEqual(
              orgList.map((t: { token_id: string }) => t.token_id),
              [...order].reverse().slice(2, 4),
            );
            const bad = await request(app.callback()).get(`${base}?perPageItemNum=101&pageNum=0&order=up`).set('authorization', user.bearer);
            assert.equal(bad.status, 400);
            assert.deepEqual(bad.body.error.issues, [
              'query.perPageItemNum: must be an integer from 1 to 100.',
              'query.pageNum: must be an integer from 1 to 10000.',
              'query.order: must be one of "asc", "desc".',
            ]);
            const notNumber = await request(app.callback()).get(`${base}?perPageItemNum=ten`).set('authorization', user.bearer);
            assert.deepEqual(notNumber.body.error.issues, ['query.perPageItemNum: must be an integer from 1 to 100.']);
          } finally {
            await kit.close();
            await db.drop();
          }
        });
      });
    }
  });
}
