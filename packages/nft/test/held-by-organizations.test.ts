/**
 * `GET /nft/held_by_id_wallet/:address` by who is asking (docs/nft.md, Visibility): the holder
 * sees all of its tokens, an organization the public ones plus those it minted, anyone else the
 * public ones. Two minting organizations and a third that minted nothing, so "plus those it
 * minted" cannot pass by showing an organization everything or only its own.
 */
import assert from 'node:assert/strict';
import { testDatabases } from '@w3kit/core/testing';
import request from 'supertest';
import { type Actor, endUser, expectError, mint, organization, servedNftKit } from './support.js';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('nft held_by: what each organization sees of a holder', () => {
      const served = servedNftKit(kind);
      let acme: Actor;
      let globex: Actor;
      let initech: Actor;
      let holder: Actor;
      let stranger: Actor;
      const ids: Record<string, string> = {};

      before(async () => {
        [acme, globex, initech, holder, stranger] = await Promise.all([organization(served.kit), organization(served.kit), organization(served.kit), endUser(served.kit), endUser(served.kit)]);
        for (const [name, minter, visibility] of [
          ['acme-private', acme, 'private'],
          ['acme-public', acme, 'public'],
          ['globex-private', globex, 'private'],
          ['globex-public', globex, 'public'],
        ] as const) {
          ids[name] = (await mint(served.app, minter, holder, { visibility })).token_id;
        }
        // another holder's token from acme: never in this holder's list, whoever asks
        ids['acme-to-stranger'] = (await mint(served.app, acme, stranger, { visibility: 'public' })).token_id;
      });

      /** The names of the tokens `who` sees in the holder's list, sorted. */
      async function seenBy(who: Actor): Promise<string[]> {
        const res = await request(served.app.callback()).get(`/rest/v1/nft/held_by_id_wallet/${holder.address}?perPageItemNum=100`).set('authorization', who.bearer);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.status, 'ok');
        const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
        return (res.body.result as { token_id: string }[]).map((t) => byId.get(t.token_id) ?? t.token_id).sort();
      }

      it('each minting organization sees the public tokens plus its own private ones, never the other’s', async () => {
        assert.deepEqual(await seenBy(acme), ['acme-private', 'acme-public', 'globex-public']);
        assert.deepEqual(await seenBy(globex), ['acme-public', 'globex-private', 'globex-public']);
      });

      it('an organization that minted nothing for the holder and an end user see only the public ones; the holder sees all', async () => {
        assert.deepEqual(await seenBy(initech), ['acme-public', 'globex-public']);
        assert.deepEqual(await seenBy(stranger), ['acme-public', 'globex-public']);
        assert.deepEqual(await seenBy(holder), ['acme-private', 'acme-public', 'globex-private', 'globex-public']);
      });

      it('a private token made public shows to the other organization; made private again it is gone', async () => {
        const toggle = (to: string) => request(served.app.callback()).put(`/rest/v1/nft/${ids['acme-private']}/visibility`).set('authorization', holder.bearer).send({ to });
        assert.equal((await toggle('public')).body.result, 'public');
        assert.deepEqual(await seenBy(globex), ['acme-private', 'acme-public', 'globex-private', 'globex-public']);
        assert.equal((await toggle('private')).body.result, 'private');
        assert.deepEqual(await seenBy(globex), ['acme-public', 'globex-private', 'globex-public']);
      });

      it('401 without a bearer token, 400 for an address that is not one', async () => {
        expectError(await request(served.app.callback()).get(`/rest/v1/nft/held_by_id_wallet/${holder.address}`), 401, 'UNAUTHENTICATED');
        const bad = await request(served.app.callback()).get('/rest/v1/nft/held_by_id_wallet/0xnope').set('authorization', acme.bearer);
        expectError(bad, 400, 'VALIDATION_FAILED');
        assert.deepEqual(bad.body.error.issues, ['params.address: has an invalid format.']);
      });
    });
  });
}
