import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, sql, type Kit } from '@w3kit/core';
import { appFor, createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
// the nft package's test actors (accounts made through the kit's services, bearer tokens)
import { endUser, expectError, MASTER_KEY, organization, staticMetadata, type Actor } from '../../../packages/nft/test/support.js';
import { createHostKit, openHostDatabase, type HostDatabase } from '../src/index.js';

const OKINAWA = { latitude: '26.583193', longitude: '128.053881' };
const TOKYO = { latitude: '35.681236', longitude: '139.767125' };
const LONG_DESCRIPTION = `${'Awarded for completing the four-year programme with distinction. '.repeat(4)}東京`;

interface CredentialRow {
  id: string;
  owner_wallet: string;
  issuer_id: string;
  is_public: number;
  document: string;
}

// The kit's own database runs on each test database; the host's database is its own SQLite file either way.
for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('custom-storage: auth + nft with NFTs in the host’s own table', () => {
      let testDb: TestDatabase;
      let hostDir: string;
      let hostDb: HostDatabase;
      let kit: Kit;
      let minter: Actor;
      let holder: Actor;
      let scanner: Actor;

      before(async () => {
        testDb = await createTestDatabase(kind);
        hostDir = mkdtempSync(join(tmpdir(), 'w3kit-host-'));
        hostDb = openHostDatabase(join(hostDir, 'host.db'));
        kit = await createHostKit({
          hostDatabase: hostDb,
          database: testDb.url,
          logger: createLogger({ level: 'silent' }),
          config: { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: 'https://id.example.com' },
        });
        [minter, holder, scanner] = await Promise.all([organization(kit), endUser(kit), endUser(kit)]);
      });
      after(async () => {
        await kit?.close();
        hostDb?.close();
        rmSync(hostDir, { recursive: true, force: true });
        await testDb?.drop();
      });

      const agent = () => request(appFor(kit).callback());
      const as = (actor: Actor) => ({ authorization: actor.bearer });
      async function mint(body: Record<string, unknown>, headers: Record<string, string> = {}) {
        const res = await agent().post(`/rest/v1/nft/mint/to/${holder.address}`).set(as(minter)).set(headers).send(body);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return res.body.result as { token_id: string; visibility: string; [key: string]: unknown };
      }
      const hostRow = (id: string) => hostDb.prepare('SELECT * FROM credentials WHERE id = ?').get(id) as CredentialRow | undefined;
      const kitCount = async (table: string) => Number((await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(kit.services.db)).rows[0]!.n);

      it('mint, fetch, list, search and toggle visibility over HTTP: rows in the host’s credentials table, none in the kit’s nft_tokens', async () => {
        const pub = await mint({ metadata: { static: staticMetadata(), dynamic: { category: 'diploma', brand: 'acme' } }, visibility: 'public' });
        const priv = await mint({ metadata: { static: staticMetadata({ description: LONG_DESCRIPTION }), dynamic: { category: 'diploma', brand: 'other' } } });
        assert.equal(priv.visibility, 'private');

        // fetch: the private one is the holder's and minter's only
        assert.deepEqual((await agent().get(`/rest/v1/nft/${pub.token_id}`).set(as(scanner))).body.result, pub);
        assert.deepEqual(
          (
            await agent()
              .get(`/rest/v1/nft/${priv.token_id.toUpperCase().replace('0X', '0x')}`)
              .set(as(holder))
          ).body.result,
          priv,
        );
        expectError(await agent().get(`/rest/v1/nft/${priv.token_id}`).set(as(scanner)), 404, 'NFT_NOT_FOUND');
        expectError(
          await agent()
            .get(`/rest/v1/nft/0x${'ab'.repeat(32)}`)
            .set(as(holder)),
          404,
          'NFT_NOT_FOUND',
        );

        // lists: the holder sees both, another account the public one
        const heldBy = (who: Actor, query = '') => agent().get(`/rest/v1/nft/held_by_id_wallet/${holder.address}${query}`).set(as(who));
        assert.deepEqual((await heldBy(holder)).body.result, [pub, priv]);
        assert.deepEqual((await heldBy(holder, '?order=desc&perPageItemNum=1&pageNum=1')).body.result, [priv]);
        assert.deepEqual((await heldBy(scanner)).body.result, [pub]);
        assert.deepEqual((await agent().get('/rest/v1/nft/minted_by_me').set(as(minter))).body.result, [pub, priv]);
        const badPage = await heldBy(holder, '?perPageItemNum=101');
        expectError(badPage, 400, 'VALIDATION_FAILED');

        // search: exact match, the long description too, private only for its minter
        const search = (body: Record<string, string>, who: Actor = scanner) => agent().post('/rest/v1/nft/search').set(as(who)).send(body);
        assert.deepEqual((await search({ category: 'diploma', brand: 'acme' })).body.result, [pub]);
        assert.deepEqual((await search({ brand: 'ACME' })).body.result, []);
        assert.deepEqual((await search({ description: LONG_DESCRIPTION })).body.result, [], 'private');
        const mine = await agent().post('/rest/v1/nft/minted_by_me/search').set(as(minter)).send({ description: LONG_DESCRIPTION });
        assert.deepEqual(mine.body.result, [priv]);
        const unknownField = await search({ colour: 'red' });
        expectError(unknownField, 400, 'VALIDATION_FAILED');

        // visibility: the holder publishes the private one, searches see it
        const toggled = await agent().put(`/rest/v1/nft/${priv.token_id}/visibility`).set(as(holder)).send({ to: 'public' });
        assert.deepEqual(toggled.body, { status: 'ok', result: 'public', error: null });
        assert.deepEqual((await search({ description: LONG_DESCRIPTION })).body.result, [{ ...priv, visibility: 'public' }]);
        expectError(await agent().put(`/rest/v1/nft/${pub.token_id}/visibility`).set(as(scanner)).send({ to: 'private' }), 403, 'NOT_HOLDER_OR_MINTER');

        // where the rows are: the host's table has them, in its own shape…
        const pubRow = hostRow(pub.token_id)!;
        assert.deepEqual({ owner_wallet: pubRow.owner_wallet, issuer_id: pubRow.issuer_id, is_public: pubRow.is_public }, { owner_wallet: holder.address, issuer_id: minter.accountId, is_public: 1 });
        assert.deepEqual(JSON.parse(pubRow.document).metadata, pub['metadata']);
        assert.equal(hostRow(priv.token_id)?.is_public, 1);
        // …the kit's nft_tokens table exists (nft's migrations ran) and is empty
        assert.equal(await kitCount('nft_tokens'), 0);
        // and every other store stayed on the kit's database: accounts there, no kit table in the host's
        assert.ok((await kitCount('auth_accounts')) >= 3);
        const hostTables = (hostDb.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
        assert.deepEqual(hostTables, ['credential_mint_keys', 'credentials']);
      });

      it('an Idempotency-Key is claimed in the host’s table: a retry gets the first token, another body 409', async () => {
        const key = `mint-${Date.now()}`;
        const body = { metadata: { static: staticMetadata(), dynamic: { category: 'badge' } } };
        const first = await mint(body, { 'idempotency-key': key });
        assert.deepEqual(await mint(body, { 'idempotency-key': key }), first);
        const reused = await agent()
          .post(`/rest/v1/nft/mint/to/${holder.address}`)
          .set(as(minter))
          .set('idempotency-key', key)
          .send({ ...body, visibility: 'public' });
        expectError(reused, 409, 'IDEMPOTENCY_KEY_REUSED');
        const claims = hostDb.prepare('SELECT issuer_id, credential_id FROM credential_mint_keys WHERE mint_key = ?').all(key);
        assert.deepEqual(claims, [{ issuer_id: minter.accountId, credential_id: first.token_id }]);
        assert.equal(hostDb.prepare('SELECT COUNT(*) AS n FROM credentials WHERE id = ?').pluck().get(first.token_id), 1);
        assert.equal(await kitCount('nft_idempotency_keys'), 0);
        assert.equal(await kitCount('nft_tokens'), 0);
      });

      it('QR verification reads the token from the host’s table (valid area included); codes and records stay in the kit’s database', async () => {
        const area = { valid_latitude: OKINAWA.latitude, valid_longitude: OKINAWA.longitude, valid_radius: 0.1, unit_of_length: 'km' };
        const t = await mint({ metadata: { static: staticMetadata(), dynamic: { category: 'ticket', ...area } } });
        const step1 = await agent().post(`/rest/v1/nft/${t.token_id}/verification/qr_code/step1`).set(as(holder)).send({ gps: OKINAWA });
        assert.equal(step1.status, 200, JSON.stringify(step1.body));
        const { code } = step1.body.result as { code: string };
        const step2 = (gps: typeof OKINAWA) =>
          agent()
            .post(`/rest/v1/nft/verification/qr_code/step2?c=${encodeURIComponent(code)}`)
            .set(as(scanner))
            .send({ gps });
        const outside = await step2(TOKYO);
        expectError(outside, 422, 'OUTSIDE_VALID_AREA');
        assert.match(outside.body.error.message, /^The scanner is \d+\.\d+ km from the centre of the NFT’s valid area, the circle of 0\.1 km around /);
        assert.deepEqual((await step2(OKINAWA)).body, { status: 'ok', result: { token_id: t.token_id }, error: null });
        expectError(await step2(OKINAWA), 422, 'CODE_INVALID');
        const result = await agent()
          .get(`/rest/v1/nft/verification/qr_code/result?c=${encodeURIComponent(code)}`)
          .set(as(holder));
        assert.deepEqual(result.body.result, { token_id: t.token_id });
        const log = await agent().get(`/rest/v1/nft/${t.token_id}/verifications`).set(as(minter));
        assert.deepEqual(
          log.body.result.map((v: { scanner_account_id: string }) => v.scanner_account_id),
          [scanner.accountId],
        );
        assert.equal(await kitCount('nft_verifications'), 1);
        assert.ok(hostRow(t.token_id));
        assert.equal(await kitCount('nft_tokens'), 0);
      });
    });
  });
}
