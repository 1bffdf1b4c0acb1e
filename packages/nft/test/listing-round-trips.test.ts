/**
 * A page of NFTs names its minters' verified domains (`minter_verified_domain`). They are read in
 * one query for the whole page: one account read per minter was ten database round trips on a
 * page of ten, most of a listing's time on PostgreSQL at 16 connections (issue 16 §3, bench nft).
 * The statements are counted on the kit's own database handle, so the test holds on every engine.
 */
import assert from 'node:assert/strict';
import { auth } from '@w3kit/auth';
import { createDatabase, createKit, createLogger, type DatabaseHandle, type Kit } from '@w3kit/core';
import { createTestDatabase, mountedApp, rootMount, testDatabases, type TestApp, type TestDatabase } from '@w3kit/core/testing';
import { nft } from '@w3kit/nft';
import request from 'supertest';
import { type Actor, endUser, MASTER_KEY, mint, organization, staticMetadata } from './support.js';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('nft listing round trips: one account read for all minters on a page', () => {
      let db: TestDatabase;
      let database: DatabaseHandle;
      let kit: Kit;
      let app: TestApp;
      let statements = 0;
      const minters: Actor[] = [];
      let unverified: Actor;
      let holder: Actor;
      let loneHolder: Actor;
      const tag = `rt${Date.now().toString(36)}`;
      const loneTag = `${tag}-lone`;

      before(async () => {
        db = await createTestDatabase(kind);
        database = createDatabase(db.url);
        // every statement the kit sends, whichever store sends it (built queries and compiled ones alike)
        const counted = database.db.withPlugin({
          transformQuery: (args) => args.node,
          transformResult: async (args) => {
            statements++;
            return args.result;
          },
        });
        kit = await createKit({
          database: createDatabase(counted, { dialect: database.dialect }),
          plugins: [auth(), nft()],
          logger: createLogger({ level: 'silent' }),
          config: { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: 'https://id.example.com' },
        });
        app = mountedApp(rootMount, kit);
        for (let i = 0; i < 4; i++) minters.push(await organization(kit));
        [holder, loneHolder] = await Promise.all([endUser(kit), endUser(kit)]);
        for (const minter of minters) await mint(app, minter, holder, { visibility: 'public', metadata: { static: staticMetadata(), dynamic: { category: tag } } });
        await mint(app, minters[0]!, loneHolder, { visibility: 'public', metadata: { static: staticMetadata(), dynamic: { category: loneTag } } });
        // a minter whose domain is no longer verified: its tokens show no domain
        unverified = minters[3]!;
        await kit.services.accountStore.update(unverified.accountId, { domainVerified: false }, new Date());
      });
      after(async () => {
        await kit?.close();
        await database?.destroy();
        await db?.drop();
      });

      /** The response and the number of statements it took. */
      async function counting(send: () => request.Test): Promise<{ res: request.Response; count: number }> {
        const before = statements;
        const res = await send();
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return { res, count: statements - before };
      }
      const heldBy = (who: Actor) => counting(() => request(app.callback()).get(`/rest/v1/nft/held_by_id_wallet/${who.address}?perPageItemNum=10`).set('authorization', who.bearer));
      const search = (category: string) => counting(() => request(app.callback()).post('/rest/v1/nft/search?perPageItemNum=10').set('authorization', holder.bearer).send({ category }));

      const listings = {
        held_by: { ofOneMinter: () => heldBy(loneHolder), ofFour: () => heldBy(holder) },
        search: { ofOneMinter: () => search(loneTag), ofFour: () => search(tag) },
      };
      for (const [name, listing] of Object.entries(listings)) {
        it(`${name}: a page of four minters takes as many statements as a page of one`, async () => {
          const one = await listing.ofOneMinter();
          const four = await listing.ofFour();
          assert.equal(one.res.body.result.length, 1);
          assert.equal(four.res.body.result.length, 4);
          assert.equal(four.count, one.count, `four minters: ${four.count} statements, one minter: ${one.count}`);
        });
      }

      it('each token still names its own minter’s verified domain, and none for the unverified one', async () => {
        const { res } = await heldBy(holder);
        const byMinter = new Map((res.body.result as { minter_id_wallet_address: string; minter_verified_domain: string | null }[]).map((t) => [t.minter_id_wallet_address, t.minter_verified_domain]));
        for (const minter of minters) {
          const account = (await kit.services.accountDirectory.get(minter.accountId))!;
          assert.equal(byMinter.get(minter.address), minter === unverified ? null : account.domain, minter.address);
        }
        assert.equal(new Set(byMinter.values()).size, 4, 'four different answers: three domains and null');
      });

      it('the account store reads several ids at once: unknown ids left out, none asked none read', async () => {
        const ids = [minters[0]!.accountId, minters[1]!.accountId, 'no-such-account'];
        const found = await kit.services.accountStore.findByIds(ids);
        assert.deepEqual(found.map((a) => a.id).sort(), [minters[0]!.accountId, minters[1]!.accountId].sort());
        assert.deepEqual(await kit.services.accountStore.findByIds([]), []);
        assert.deepEqual(
          (await kit.services.accountDirectory.getMany([minters[2]!.accountId])).map((a) => a.domain),
          [(await kit.services.accountDirectory.get(minters[2]!.accountId))!.domain],
        );
      });
    });
  });
}
