import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, mountedApp, testDatabases, type KitMount, type ManualClock, type TestApp, type TestDatabase } from '@w3kit/core/testing';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import request from 'supertest';
import { endUser, expectError, mint, nftKit, organization, staticMetadata, type Actor } from './support.js';

// jsqr is CommonJS with an ES default export; under NodeNext its default is the module object.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ?? jsQRModule) as unknown as typeof jsQRModule.default;

/** Decodes the QR code in a `data:image/png;base64,…` URL. */
function decodeQr(dataUrl: string): string | null {
  const png = PNG.sync.read(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

const OKINAWA = { latitude: '26.583193', longitude: '128.053881' };
const NEARBY = { latitude: '26.583500', longitude: '128.054000' }; // ~36 m away
const TOKYO = { latitude: '35.681236', longitude: '139.767125' };

/** QR verification, search and query plans over HTTP, with the kit served at `mount`. */
export function qrVerificationSuite(mount: KitMount): void {
  for (const kind of testDatabases()) {
    describe(kind, () => {
      let db: TestDatabase;
      let kit: Kit;
      let app: TestApp;
      let clock: ManualClock;
      let minter: Actor;
      let holder: Actor;
      let scanner: Actor;
      let otherScanner: Actor;

      before(async () => {
        db = await createTestDatabase(kind);
        clock = createManualClock(Date.now());
        kit = await nftKit(db.url, { clock, mountPath: mount.mountPath });
        app = mountedApp(mount, kit);
        [minter, holder, scanner, otherScanner] = await Promise.all([organization(kit), endUser(kit), endUser(kit), endUser(kit)]);
      });
      after(async () => {
        await kit.close();
        await db.drop();
      });
      const agent = () => request(app.callback());
      const step1 = (tokenId: string, gps = OKINAWA, who = holder) => agent().post(`/rest/v1/nft/${tokenId}/verification/qr_code/step1`).set('authorization', who.bearer).send({ gps });
      const step2 = (code: string, gps = OKINAWA, who = scanner) =>
        agent()
          .post(`/rest/v1/nft/verification/qr_code/step2?c=${encodeURIComponent(code)}`)
          .set('authorization', who.bearer)
          .send({ gps });
      const result = (code: string, who = holder) =>
        agent()
          .get(`/rest/v1/nft/verification/qr_code/result?c=${encodeURIComponent(code)}`)
          .set('authorization', who.bearer);

      describe('nft: QR verification', () => {
        it('holder makes a code whose PNG decodes to it; a scanner verifies; the holder polls the result', async () => {
          const t = await mint(app, minter, holder);
          const one = await step1(t.token_id);
          assert.equal(one.status, 200);
          const { code, qr_code_base64 } = one.body.result;
          assert.match(qr_code_base64, /^data:image\/png;base64,/);
          assert.equal(decodeQr(qr_code_base64), code);
          assert.deepEqual((await result(code)).body, { status: 'ok', result: { token_id: null }, error: null });
          const two = await step2(decodeQr(qr_code_base64)!);
          assert.deepEqual(two.body, { status: 'ok', result: { token_id: t.token_id }, error: null });
          assert.deepEqual((await result(code)).body.result, { token_id: t.token_id });
          const log = await agent().get(`/rest/v1/nft/${t.token_id}/verifications`).set('authorization', minter.bearer);
          assert.equal(log.body.result.length, 1);
          assert.equal(log.body.result[0].scanner_account_id, scanner.accountId);
          assert.deepEqual(log.body.result[0].scanner_gps, { latitude: 26.583193, longitude: 128.053881 });
        });

        it('a code is single-use: two scanners racing, exactly one wins', async () => {
          const t = await mint(app, minter, holder);
          const { code } = (await step1(t.token_id)).body.result;
          const results = await Promise.all([step2(code, OKINAWA, scanner), step2(code, OKINAWA, otherScanner), step2(code, OKINAWA, scanner)]);
          assert.equal(results.filter((r) => r.status === 200).length, 1);
          for (const r of results.filter((r) => r.status !== 200)) expectError(r, 422, 'CODE_INVALID');
          const rows = await kit.services.nftVerificationStore.listVerifications(t.token_id, 10);
          assert.equal(rows.length, 1);
        });

        it('a code lives 5 minutes', async () => {
          const t = await mint(app, minter, holder);
          const { code } = (await step1(t.token_id)).body.result;
          clock.advance(5 * 60_000 + 1);
          expectError(await step2(code), 422, 'CODE_INVALID');
          assert.deepEqual((await result(code)).body.result, { token_id: null });
          expectError(await step2('no-such-code'), 422, 'CODE_INVALID');
        });

        it('an expired NFT does not verify, at step 1 or step 2', async () => {
          const soon = new Date(clock.now().getTime() + 60_000).toISOString();
          const t = await mint(app, minter, holder, { metadata: { static: staticMetadata({ expired_at: soon }) } });
          const { code } = (await step1(t.token_id)).body.result;
          clock.advance(61_000);
          expectError(await step2(code), 422, 'NFT_EXPIRED');
          expectError(await step1(t.token_id), 422, 'NFT_EXPIRED');
        });

        it('with a valid area, holder and scanner must both be inside; a failed check does not use the code up', async () => {
          const area = { valid_latitude: OKINAWA.latitude, valid_longitude: OKINAWA.longitude, valid_radius: 0.1, unit_of_length: 'km' };
          const t = await mint(app, minter, holder, { metadata: { static: staticMetadata(), dynamic: area } });
          const inside = (await step1(t.token_id, NEARBY)).body.result.code;
          const far = await step2(inside, TOKYO);
          expectError(far, 422, 'OUTSIDE_VALID_AREA');
          assert.match(far.body.error.message, /^The scanner is \d+\.\d+ km from the centre of the NFT’s valid area, the circle of 0\.1 km around [\d.]+, [\d.]+; scan from inside it\.$/);
          assert.deepEqual([far.body.error.valid_radius, far.body.error.unit_of_length, typeof far.body.error.distance], [0.1, 'km', 'number']);
          assert.equal((await step2(inside, NEARBY)).status, 200, 'the same code still works from inside');
          const holderOutside = (await step1(t.token_id, TOKYO)).body.result.code;
          const res = await step2(holderOutside, OKINAWA);
          expectError(res, 422, 'OUTSIDE_VALID_AREA');
          assert.match(res.body.error.message, /^The holder was outside the NFT’s valid area \(the circle of 0\.1 km around [\d.]+, [\d.]+\) when the QR code was made\.$/);
          // 30 m in metres (the default unit) excludes a point 36 m away; 1 mile includes it
          const metres = await mint(app, minter, holder, { metadata: { static: staticMetadata(), dynamic: { ...area, valid_radius: 30, unit_of_length: undefined } } });
          expectError(await step2((await step1(metres.token_id)).body.result.code, NEARBY), 422, 'OUTSIDE_VALID_AREA');
          const miles = await mint(app, minter, holder, { metadata: { static: staticMetadata(), dynamic: { ...area, valid_radius: 1, unit_of_length: 'mi' } } });
          assert.equal((await step2((await step1(miles.token_id)).body.result.code, NEARBY)).status, 200);
        });

        it('400 for a missing or malformed GPS position and a missing code', async () => {
          const t = await mint(app, minter, holder);
          const none = await agent().post(`/rest/v1/nft/${t.token_id}/verification/qr_code/step1`).set('authorization', holder.bearer).send({});
          expectError(none, 400, 'VALIDATION_FAILED');
          assert.deepEqual(none.body.error.issues, ['gps: is required.']);
          const bad = await step1(t.token_id, { latitude: '91', longitude: 'east' });
          expectError(bad, 400, 'VALIDATION_FAILED');
          assert.deepEqual(bad.body.error.issues, ['gps.longitude: not a valid value.']);
          const range = await step1(t.token_id, { latitude: '91', longitude: '0' });
          assert.deepEqual(range.body.error.issues, ['gps.latitude: must be between -90 and 90.']);
          const noCode = await agent().post('/rest/v1/nft/verification/qr_code/step2').set('authorization', scanner.bearer).send({ gps: OKINAWA });
          expectError(noCode, 400, 'VALIDATION_FAILED');
          assert.deepEqual(noCode.body.error.issues, ['query.c: is required.']);
        });

        it('scans are rate limited per scanner account', async () => {
          const hammer = await endUser(kit);
          const answers = [];
          for (let i = 0; i < 31; i++) answers.push(await step2(`guess-${i}`, OKINAWA, hammer));
          expectError(answers[30]!, 429, 'RATE_LIMITED');
        });
      });

      describe('nft: search', () => {
        it('exact match on the documented fields, public only; minted_by_me/search sees the minter’s private ones', async () => {
          const tag = `t${Date.now()}`;
          const longDescription = `${tag} `.repeat(60);
          const pub = await mint(app, minter, holder, { visibility: 'public', metadata: { static: staticMetadata({ description: longDescription }), dynamic: { category: tag, brand: 'acme' } } });
          clock.advance(1000);
          await mint(app, minter, holder, { visibility: 'public', metadata: { static: staticMetadata(), dynamic: { category: tag, brand: 'other' } } });
          clock.advance(1000);
          const priv = await mint(app, minter, holder, { metadata: { static: staticMetadata(), dynamic: { category: tag, brand: 'acme' } } });
          const search = (path: string, body: Record<string, unknown>, who: Actor = scanner) => agent().post(path).set('authorization', who.bearer).send(body);
          const ids = (res: request.Response) => res.body.result.map((t: { token_id: string }) => t.token_id);
          assert.deepEqual(ids(await search('/rest/v1/nft/search', { category: tag, brand: 'acme' })), [pub.token_id]);
          assert.equal(ids(await search('/rest/v1/nft/search', { category: tag })).length, 2);
          assert.deepEqual(ids(await search('/rest/v1/nft/search', { description: longDescription })), [pub.token_id], 'long values match exactly');
          assert.deepEqual(ids(await search('/rest/v1/nft/search', { description: longDescription.slice(1) })), []);
          assert.deepEqual(ids(await search('/rest/v1/nft/search', { category: tag.toUpperCase() })), [], 'exact, not case-insensitive');
          const mine = ids(await search('/rest/v1/nft/minted_by_me/search?order=desc', { category: tag, brand: 'acme' }, minter));
          assert.deepEqual(mine, [priv.token_id, pub.token_id]);
          const unknown = await search('/rest/v1/nft/search', { colour: 'red', category: 5 });
          expectError(unknown, 400, 'VALIDATION_FAILED');
          assert.deepEqual(unknown.body.error.issues, ['colour: is not allowed.', 'category: not a valid string.']);
        });
      });

      describe('nft: query plans', () => {
        it('list and search queries use their indexes', async () => {
          const sqlite = kind === 'sqlite';
          const queries: [string, string][] = [
            ['nft_tokens_holder', "select token_id from nft_tokens where holder_address = '0xabc' order by created_at, token_id limit 10 offset 4990"],
            ['nft_tokens_minter', "select token_id from nft_tokens where minter_account_id = 'x' order by created_at, token_id limit 10"],
            ['nft_tokens_s_category', "select token_id from nft_tokens where visibility = 'public' and s_category = 'a' order by created_at, token_id limit 10"],
            ['nft_tokens_s_brand', "select token_id from nft_tokens where visibility = 'public' and s_brand = 'a' order by created_at, token_id limit 10"],
          ];
          const { sql } = await import('@w3kit/core');
          for (const [index, query] of queries) {
            const plan = await sql.raw(`${sqlite ? 'explain query plan' : 'explain'} ${query}`).execute(kit.services.db);
            const text = JSON.stringify(plan.rows);
            assert.match(text, new RegExp(index), `${query}\n→ ${text}`);
            assert.doesNotMatch(text, /SCAN nft_tokens\b(?! USING)|"type":"ALL"/, `no full scan: ${text}`);
            // PostgreSQL: an index scan in page order, neither a sequential scan nor a sort of the matches
            if (kind === 'postgres') assert.doesNotMatch(text, /Seq Scan|Sort {2}\(|Bitmap Heap Scan/, `no scan or sort: ${text}`);
          }
        });
      });
    });
  }
}
