// Text holding U+0000 is refused with a 400 on every engine: PostgreSQL cannot store or compare
// it and used to fail the statement (a 500 the fuzzer found); SQLite and MariaDB answer the same.
import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { appFor, createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { endUser, expectError, mint, nftKit, organization, staticMetadata, type Actor } from './support.js';

describe('text with a NUL character is a 400 on every engine', () => {
  for (const kind of testDatabases()) {
    describe(kind, () => {
      let db: TestDatabase;
      let kit: Kit;
      let minter: Actor;
      let holder: Actor;
      before(async () => {
        db = await createTestDatabase(kind);
        kit = await nftKit(db.url);
        [minter, holder] = await Promise.all([organization(kit), endUser(kit)]);
      });
      after(async () => {
        await kit.close();
        await db.drop();
      });

      it('a search value with a NUL: 400 VALIDATION_FAILED naming the field; the same search without it answers 200', async () => {
        const app = appFor(kit);
        await mint(app, minter, holder, { metadata: { static: staticMetadata(), dynamic: { category: 'nul-test', brand: 'acme' } } });
        const res = await request(app.callback()).post('/rest/v1/nft/search').set('authorization', holder.bearer).send({ category: 'nul-test', program_name: 'a\u0000b' });
        expectError(res, 400, 'VALIDATION_FAILED');
        assert.deepEqual(res.body.error.issues, ['program_name: must not contain a NUL character.']);
        const ok = await request(app.callback()).post('/rest/v1/nft/minted_by_me/search').set('authorization', minter.bearer).send({ category: 'nul-test' });
        assert.equal(ok.status, 200);
        assert.equal(ok.body.result.length, 1);
      });

      it('metadata with a NUL in a value or a key: 400, and nothing is minted', async () => {
        const app = appFor(kit);
        const before = await request(app.callback()).get('/rest/v1/nft/minted_by_me').set('authorization', minter.bearer);
        for (const dynamic of [{ category: 'x\u0000' }, { 'cat\u0000egory': 'x' }]) {
          const res = await request(app.callback())
            .post(`/rest/v1/nft/mint/to/${holder.address}`)
            .set('authorization', minter.bearer)
            .send({ metadata: { static: staticMetadata(), dynamic } });
          expectError(res, 400, 'VALIDATION_FAILED');
          assert.match(res.body.error.issues[0], /^metadata\.dynamic\.cat.*: must not contain a NUL character\.$/);
        }
        const after = await request(app.callback()).get('/rest/v1/nft/minted_by_me').set('authorization', minter.bearer);
        assert.equal(after.body.result.length, before.body.result.length);
      });
    });
  }
});
